package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newRetentionCmd(g *globalFlags) *cobra.Command {
	cmd := groupCmd("retention", "Remove batch files whose retention has ended",
		`Retention removes the batch files of jobs with a retention: key (10y, 400d)
once that period, counted from the time of the block holding the batch's
manifest, has passed; docs/lifecycle.md describes it.`)
	cmd.AddCommand(newRetentionApplyCmd(g))
	return cmd
}

func newRetentionApplyCmd(g *globalFlags) *cobra.Command {
	var dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Remove the files of every batch past its job's retention, anchoring a retention entry for each",
		Long: `Apply finds every batch this node published for a job with a retention: key
whose retention has ended: the job's period (10y: calendar years, 400d: days),
counted from the time of the block holding the batch's manifest, has passed.
For each, in batch id order, it anchors a retention entry (batch id, job,
period, anchor time, the files removed) signed by the agency, then removes the
batch's rows and rejects files, forgets the batch in the patient index and
marks it retained in the state DB. The manifest and its roots stay on the
chain: verify batch then says the file was removed under retention at the
entry's block, and exits 0.

An apply stopped part way (a crash, a full disk) is finished by the next: a
batch whose entry is on the chain already is not anchored again, only its
removal completes. serve applies retention once a day.

--dry-run lists what would be removed and anchors nothing. Exit 0 when every
due batch was removed (or nothing was due), 1 when one failed (the batches
before it are done), 2 on a configuration error.`,
		Example: `  healthanchor retention apply --dry-run
  healthanchor retention apply
  healthanchor verify batch 3f2a9c0d5e…   # removed under retention at block H`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			setCrashAt(n)
			if !n.Config.HasRetention() {
				fmt.Fprintln(cmd.OutOrStdout(), "no job has a retention: key: nothing to remove")
				return nil
			}
			if !dryRun {
				leave, err := joinCluster(cmd.Context(), n, "retention apply")
				if err != nil {
					return err
				}
				defer leave()
			}
			acts, err := n.ApplyRetention(cmd.Context(), dryRun)
			if asJSON {
				if acts == nil {
					acts = []pipeline.RetentionAction{}
				}
				if werr := writeJSON(cmd.OutOrStdout(), acts); werr != nil {
					return werr
				}
				return err
			}
			printRetention(cmd.OutOrStdout(), acts, dryRun)
			return err
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be removed; anchor and remove nothing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the batches removed (or, with --dry-run, to remove) as JSON")
	return cmd
}

func printRetention(w io.Writer, acts []pipeline.RetentionAction, dryRun bool) {
	verb := "REMOVED"
	if dryRun {
		verb = "WOULD REMOVE"
	}
	for _, a := range acts {
		fmt.Fprintf(w, "%s: batch %s (job %s, anchored %s in block %d, retention %s ended %s): %d file(s)",
			verb, a.BatchID, a.Job, a.AnchoredAt.Format(time.RFC3339), a.BatchHeight, a.Retention, a.Ended.Format(time.RFC3339), len(a.Files))
		switch {
		case dryRun && a.Resumed:
			fmt.Fprintf(w, "; its retention entry is in block %d already", a.EntryHeight)
		case a.Resumed:
			fmt.Fprintf(w, "; finished the removal under the retention entry in block %d", a.EntryHeight)
		case !dryRun:
			fmt.Fprintf(w, "; retention entry in block %d", a.EntryHeight)
		}
		fmt.Fprintln(w)
		for _, f := range a.Files {
			fmt.Fprintf(w, "  %s\n", f)
		}
	}
	switch {
	case len(acts) == 0:
		fmt.Fprintln(w, "nothing is past its retention")
	case dryRun:
		fmt.Fprintf(w, "%d batch(es) past their retention; nothing was removed (dry run)\n", len(acts))
	default:
		fmt.Fprintf(w, "OK: %d batch(es) removed under retention\n", len(acts))
	}
}

// printRetained is verify batch's line for a file removed under
// retention.
func printRetained(w io.Writer, r anchor.BatchReport) {
	fmt.Fprintf(w, "%s: batch %s (%s, %s) %d rows, root %s, block %d: file removed under retention (%s) by the entry in block %d (%s)\n",
		r.Path, r.BatchID, r.Kind, r.Schema, r.Rows, r.Root, r.BlockHeight, r.Retained.Retention, r.Retained.Height, r.Retained.Time)
}
