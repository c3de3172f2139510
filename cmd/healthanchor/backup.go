package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/deploy"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newBackupCmd(g *globalFlags) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "backup --out DIR",
		Short: "Copy the node's state, chain and Raft stores consistently, while it runs",
		Long: `Backup copies the stores of the node of --config into DIR (absent or empty):
state.db, chain.db and, with a cluster, the Raft store and snapshots. Each
SQLite store is copied with VACUUM INTO, a consistent copy of everything
committed (write-ahead log included), so the node may keep running. The chain
copy is verified from genesis. DIR/backup.json lists every file with its size
and SHA-256, and the chain head. Keys and published batch files are not
copied (docs/deploy.md says how to keep them). Restore with restore --from.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageErr("backup needs --out")
			}
			cfg, err := pipeline.LoadConfig(g.config)
			if err != nil {
				return err
			}
			m, err := deploy.Backup(cmd.Context(), cfg, out, time.Now())
			if err != nil {
				return err
			}
			for _, f := range m.Files {
				fmt.Fprintf(cmd.OutOrStdout(), "%s  %d  %s\n", f.SHA256, f.Size, f.Path)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backup of %s in %s: chain %s at height %d, head %s\n", m.Agency, out, m.ChainID, m.ChainHeight, m.ChainHead)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "new folder for the backup")
	return cmd
}

func newRestoreCmd(g *globalFlags) *cobra.Command {
	var from string
	cmd := &cobra.Command{
		Use:   "restore --from DIR",
		Short: "Put a backup back in place for a stopped node",
		Long: `Restore checks every file of DIR against DIR/backup.json (size and SHA-256;
exit 1 when one differs), then copies them into the node of --config, which
must be stopped and whose old stores must have been moved away (exit 2 when
one is still there), and verifies the restored chain against the backup's
head. Start the node again with serve: a cluster member catches up from its
peers.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" {
				return usageErr("restore needs --from")
			}
			cfg, err := pipeline.LoadConfig(g.config)
			if err != nil {
				return err
			}
			m, err := deploy.Restore(cmd.Context(), cfg, from)
			switch {
			case errors.Is(err, deploy.ErrBackupDamaged):
				return &exitError{code: exitFailed, err: err}
			case err != nil:
				return &exitError{code: exitUsage, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %d files for %s: chain %s at height %d, head %s\n", len(m.Files), m.Agency, m.ChainID, m.ChainHeight, m.ChainHead)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "backup folder written by backup")
	return cmd
}
