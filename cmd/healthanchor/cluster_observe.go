package main

import (
	"context"
	"crypto/ed25519"
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newClusterObserveCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "observe",
		Short: "Run a non-voting replica of the chain (an auditor's copy) until SIGTERM",
		Long: `Observe runs the replica of --config, whose cluster: section says observer: true:
it opens only the chain store (created from the genesis on first start) and
the Raft replica, receives every block and verifies it before storing it. It
never votes, proposes or signs, and needs no agency key. A member admits it
with ` + "`cluster add-observer`" + ` (cluster init admits its observers itself).`,
		Example: `  healthanchor --config /tmp/consortium/observer1/healthanchor.yaml cluster observe
  healthanchor --config /tmp/consortium/observer1/healthanchor.yaml chain status --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pcfg, ccfg, err := g.clusterConfigs()
			if err != nil {
				return err
			}
			if !ccfg.Observer {
				return usageErr("%s: cluster.observer is not true; run a member with `serve`", g.config)
			}
			return runObserver(cmd.Context(), pcfg, g.logger())
		},
	}
}

// runObserver runs an observer's replica until ctx ends.
func runObserver(ctx context.Context, pcfg *pipeline.Config, logger *slog.Logger) error {
	return runReplica(ctx, pcfg, "", nil, logger)
}

// runReplica opens only the chain store and the replica, for an observer
// (no agency) or a member agency not yet on its local chain (waiting for
// the membership block adding it), and runs until ctx ends.
func runReplica(ctx context.Context, pcfg *pipeline.Config, agency string, key ed25519.PrivateKey, logger *slog.Logger) error {
	chain, err := pipeline.OpenChain(pcfg)
	if err != nil {
		return openErr(err)
	}
	// Shutdown order: the replica stops applying, then the chain closes.
	defer chain.Close()
	rn, err := replication.Start(ctx, *pcfg.Cluster, pcfg.Dir(), chain, agency, key, logger)
	if err != nil {
		return err
	}
	defer rn.Close()
	<-ctx.Done()
	return nil
}

// joining reports whether the config's agency is not (yet) a member on
// its local chain: a new member whose membership block has not reached
// it. Its key is returned for the replica to use once it is.
func joining(pcfg *pipeline.Config) (bool, ed25519.PrivateKey, error) {
	chain, err := pipeline.OpenChain(pcfg)
	if err != nil {
		return false, nil, err
	}
	defer chain.Close()
	if _, ok := chain.MemberKey(pcfg.Agency.ID); ok {
		return false, nil, nil
	}
	key, err := anchor.ReadSigningKey(pcfg.Path(pcfg.Agency.KeyFile))
	return true, key, err
}
