package main

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/anchor/replication/localcluster"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newClusterCmd(g *globalFlags) *cobra.Command {
	cmd := groupCmd("cluster", "Set up and run a replicated consortium chain",
		`Cluster commands create a trial consortium on this machine and manage the
Raft replication of the chain between partner agencies (docs/replication.md).`)
	cmd.AddCommand(newClusterInitCmd(), newClusterNodeCmd(g), newClusterObserveCmd(g), newClusterAddObserverCmd(g),
		newClusterMemberCmd(g), newClusterAnchorTestCmd(g))
	return cmd
}

func newClusterInitCmd() *cobra.Command {
	var nodes, observers int
	var dir string
	cmd := &cobra.Command{
		Use:   "init --nodes N [--observers K] --dir DIR",
		Short: "Create N agency folders forming a local trial consortium",
		Long: `Init creates DIR/ca (the consortium CA) and DIR/node1 ... DIR/nodeN, each with
its agency keys, a TLS certificate signed by the CA, the shared genesis naming
every agency, a healthanchor.yaml on free loopback ports with a CSV job over
DIR/nodeK/inbox/csv/, and the Raft bootstrap state. Bootstrapping happens here
once; nodes never bootstrap themselves. With --observers K it also creates
DIR/observer1 ... DIR/observerK: non-voting replicas (an auditor's copy) with a
certificate and a config marked observer, run with ` + "`cluster observe`" + `.`,
		Example: `  healthanchor cluster init --nodes 3 --dir /tmp/consortium
  healthanchor --config /tmp/consortium/node1/healthanchor.yaml serve`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				return usageErr("cluster init needs --dir")
			}
			made, err := localcluster.Init(dir, nodes, observers, time.Now())
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			for _, nd := range made {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s (raft %s, api %s)\n", nd.ID, nd.ConfigPath, nd.Cluster.RaftAddr, nd.Cluster.APIAddr)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&nodes, "nodes", 3, "number of agencies (3 to 7 for a consortium)")
	cmd.Flags().IntVar(&observers, "observers", 0, "number of observers (non-voting replicas)")
	cmd.Flags().StringVar(&dir, "dir", "", "folder to create (absent or empty)")
	return cmd
}

// clusterConfigs loads the config, which must have a cluster section.
func (g *globalFlags) clusterConfigs() (*pipeline.Config, *replication.Config, error) {
	pcfg, err := pipeline.LoadConfig(g.config)
	if err != nil {
		return nil, nil, err
	}
	if pcfg.Cluster == nil {
		return nil, nil, usageErr("%s has no cluster: section (create a trial consortium with `healthanchor cluster init`)", g.config)
	}
	return pcfg, pcfg.Cluster, nil
}

func newClusterNodeCmd(g *globalFlags) *cobra.Command {
	var jobs bool
	cmd := &cobra.Command{
		Use:    "node",
		Short:  "Run a replicated chain node with the config's jobs (trial clusters and tests)",
		Hidden: true,
		Long: `Node runs this agency's replica of the chain (Raft over mutual TLS, the peer
API, checkpoints) and, with --jobs, the scheduled jobs anchoring through the
cluster, until SIGTERM: what serve does, with the jobs optional.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pcfg, _, err := g.clusterConfigs()
			if err != nil {
				return err
			}
			return g.serve(cmd.Context(), pcfg, time.Minute, jobs)
		},
	}
	cmd.Flags().BoolVar(&jobs, "jobs", true, "run the config's scheduled jobs and HTTP listener too")
	return cmd
}

func newClusterAddObserverCmd(g *globalFlags) *cobra.Command {
	var id, raftAddr string
	cmd := &cobra.Command{
		Use:   "add-observer --id ID --raft-addr HOST:PORT",
		Short: "Admit a non-voting replica (an auditor's copy) through this member's node",
		Long: `Add-observer asks the running node of --config (a member) to add a non-voting
replica to the Raft configuration. The observer needs a certificate for its id
from the consortium CA; it then receives and verifies every block.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if id == "" || raftAddr == "" {
				return usageErr("add-observer needs --id and --raft-addr")
			}
			pcfg, ccfg, err := g.clusterConfigs()
			if err != nil {
				return err
			}
			c, err := replication.NewClient(*ccfg, pcfg.Dir())
			if err != nil {
				return err
			}
			if err := c.AddObserver(cmd.Context(), ccfg.APIAddr, id, raftAddr); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "observer %s added\n", id)
			return nil
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the observer's node id (its certificate's common name)")
	cmd.Flags().StringVar(&raftAddr, "raft-addr", "", "the observer's Raft address")
	return cmd
}

// newClusterAnchorTestCmd submits synthetic manifests signed by this
// agency to its running node: a test and benchmark helper.
func newClusterAnchorTestCmd(g *globalFlags) *cobra.Command {
	var count, per int
	var prefix string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:    "anchor-test",
		Short:  "Submit synthetic signed manifests to the running node (tests and benchmarks)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pcfg, ccfg, err := g.clusterConfigs()
			if err != nil {
				return err
			}
			key, err := anchor.ReadSigningKey(pcfg.Path(pcfg.Agency.KeyFile))
			if err != nil {
				return err
			}
			chain, err := anchor.OpenChain(pcfg.Path(pcfg.Chain.Path))
			if err != nil {
				return err
			}
			defer chain.Close()
			c, err := replication.NewClient(*ccfg, pcfg.Dir())
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			for i := range count {
				ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
				ms, err := testManifests(ctx, chain, pcfg.Agency.ID, key, fmt.Sprintf("%s-%d", prefix, i), per)
				if err != nil {
					cancel()
					return err
				}
				start := time.Now()
				b, err := c.Anchor(ctx, ccfg.APIAddr, ms)
				cancel()
				if err != nil {
					return err
				}
				ids := make([]string, len(ms))
				for j, m := range ms {
					ids[j] = m.BatchID
				}
				enc.Encode(map[string]any{"height": b.Height, "batch_ids": ids, "ms": time.Since(start).Milliseconds()})
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&count, "count", 1, "submissions, one after the other")
	cmd.Flags().IntVar(&per, "manifests", 1, "manifests per submission")
	cmd.Flags().StringVar(&prefix, "prefix", "t", "job name prefix making batch ids unique")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "how long each submission may take")
	return cmd
}

// testManifests signs n synthetic manifests continuing the agency's
// producer_seq on the local chain.
func testManifests(ctx context.Context, chain *anchor.Chain, agency string, key ed25519.PrivateKey, job string, n int) ([]anchor.Manifest, error) {
	seq, err := chain.NextProducerSeq(ctx, agency)
	if err != nil {
		return nil, err
	}
	wk := anchor.NewWatermarkKey([]byte(agency)) // synthetic windows: any key will do
	empty := wk.Digest(nil)
	var out []anchor.Manifest
	for i := range n {
		w := []byte(fmt.Sprintf("%s/%d", job, i))
		m := anchor.Manifest{
			Version: anchor.ManifestVersion, ChainID: chain.ChainID(), Agency: agency, ProducerSeq: seq + int64(i),
			BatchID: wk.BatchID(job, "anchor-test", "patient/1", false, nil, w), Job: job, Source: "anchor-test",
			WindowFrom: empty, WindowTo: wk.Digest(w), Schema: "patient/1", Fingerprint: empty,
			MerkleRoot: empty, RejectsRoot: empty, ParquetSHA256: empty, RejectsSHA256: empty,
			CreatedAt: time.Now().UTC().Format(time.RFC3339),
		}
		if err := m.Sign(key); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
