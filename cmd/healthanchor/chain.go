package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newChainCmd(g *globalFlags) *cobra.Command {
	cmd := groupCmd("chain", "Show the chain's replication status and checkpoints",
		`Chain commands ask this agency's running node (its peer API, over mutual TLS)
about the replicated chain, or read the local store when the node is down.`)
	cmd.AddCommand(newChainStatusCmd(g), newChainCheckpointCmd(g), newChainCompareCmd(g), newChainTimestampCmd(g))
	return cmd
}

func newChainStatusCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print height, head hash, leader, members and this node's role",
		Long: `Status asks the running node of --config. When it does not answer, it reads
the local chain store and reports role "offline" (or "standalone" for a
config without a cluster: section).

For a running node it says whether the node is ready (it reaches a quorum of
voters and applies blocks; /healthz answers the same) and, for every member
and observer, whether it is reachable, how long ago it was last heard from,
and how many Raft entries it is behind the leader. A follower reports the
leader's view of the nodes it does not talk to itself (observers), marked
"seen by" the leader.`,
		Example: `  healthanchor --config node1/healthanchor.yaml chain status --json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			st, err := g.chainStatus(cmd.Context())
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(st)
			}
			printStatus(w, st)
			if len(st.Forks) > 0 {
				fmt.Fprintf(w, "FORK EVIDENCE: %d record(s): signed checkpoints, snapshots or Raft log entries that disagree with this chain (see --json)\n", len(st.Forks))
			}
			if st.Corrupt != "" {
				fmt.Fprintf(w, "LOCAL STORE CORRUPT: %s\n", st.Corrupt)
			}
			if st.Halted != "" {
				fmt.Fprintf(w, "HALTED, NOT APPLYING BLOCKS: %s\n", st.Halted)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// chainStatus asks the running node, or reads the local chain.
func (g *globalFlags) chainStatus(ctx context.Context) (replication.Status, error) {
	pcfg, err := pipeline.LoadConfig(g.config)
	if err != nil {
		return replication.Status{}, err
	}
	role := "standalone"
	if ccfg := pcfg.Cluster; ccfg != nil {
		c, err := replication.NewClient(*ccfg, pcfg.Dir())
		if err != nil {
			return replication.Status{}, &exitError{code: exitUsage, err: err}
		}
		qctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		st, err := c.Status(qctx, ccfg.APIAddr)
		cancel()
		if err == nil {
			return st, nil
		}
		if !errors.Is(err, replication.ErrUnavailable) {
			return replication.Status{}, err
		}
		role = "offline"
	}
	chain, err := anchor.OpenChain(pcfg.Path(pcfg.Chain.Path))
	if err != nil {
		return replication.Status{}, err
	}
	defer chain.Close()
	return replication.LocalStatus(ctx, chain, role)
}

func newChainCheckpointCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "checkpoint",
		Short: "Print the latest checkpoint with every signature and cosignature collected",
		Long: `Checkpoint prints the latest C2SP tlog-checkpoint of the chain's manifest log
(origin = chain id, log size, log root) as a signed note, with the members'
signatures and C2SP tlog-cosignature cosignatures this node collected. Any
holder of the members' public keys can check it offline. A single-node
deployment prints the checkpoint its chain store keeps, signed by the node.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			pcfg, err := pipeline.LoadConfig(g.config)
			if err != nil {
				return err
			}
			if pcfg.Cluster == nil {
				chain, err := pipeline.OpenChain(pcfg)
				if err != nil {
					return openErr(err)
				}
				defer chain.Close()
				text, err := chain.LatestCheckpoint(cmd.Context())
				if err != nil {
					return err
				}
				if text == "" {
					return &exitError{code: exitFailed, err: errors.New("no checkpoint yet: the chain holds no manifest")}
				}
				fmt.Fprint(cmd.OutOrStdout(), text)
				return nil
			}
			pcfg, ccfg, err := g.clusterConfigs()
			if err != nil {
				return err
			}
			c, err := replication.NewClient(*ccfg, pcfg.Dir())
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 5*time.Second)
			defer cancel()
			text, err := c.Checkpoint(ctx, ccfg.APIAddr)
			if errors.Is(err, replication.ErrUnavailable) {
				text, err = replication.StoredCheckpoint(*ccfg, pcfg.Dir())
			}
			if err != nil {
				return err
			}
			if text == "" {
				return &exitError{code: exitFailed, err: errors.New("no checkpoint yet: the chain holds no manifest")}
			}
			fmt.Fprint(cmd.OutOrStdout(), text)
			return nil
		},
	}
}

func newChainCompareCmd(g *globalFlags) *cobra.Command {
	var peer string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "compare --peer HOST:PORT",
		Short: "Compare the local chain with a peer's, block hash by block hash",
		Long: `Compare fetches the block hashes of the node whose peer API is --peer (over
mutual TLS with this node's certificate) and compares them with the local
chain store. Exit 0 when every height both hold is the same block (one may be
ahead), 1 when some height differs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if peer == "" {
				return usageErr("compare needs --peer HOST:PORT (a member's api_addr)")
			}
			return g.comparePeer(cmd, peer, asJSON)
		},
	}
	cmd.Flags().StringVar(&peer, "peer", "", "the peer's api_addr")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// comparePeer compares the local chain with the peer's over mutual TLS;
// a difference is exit 1.
func (g *globalFlags) comparePeer(cmd *cobra.Command, peer string, asJSON bool) error {
	pcfg, ccfg, err := g.clusterConfigs()
	if err != nil {
		return err
	}
	c, err := replication.NewClient(*ccfg, pcfg.Dir())
	if err != nil {
		return err
	}
	chain, err := anchor.OpenChain(pcfg.Path(pcfg.Chain.Path))
	if err != nil {
		return err
	}
	defer chain.Close()
	rep, err := c.Compare(cmd.Context(), chain, peer)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if asJSON {
		json.NewEncoder(w).Encode(rep)
	} else if rep.Agree {
		fmt.Fprintf(w, "OK: local height %d and peer height %d agree up to %d\n", rep.LocalHeight, rep.PeerHeight, rep.CommonHeight)
	}
	if !rep.Agree {
		return &exitError{code: exitFailed, err: fmt.Errorf("chains differ at height %d: local %s, peer %s", rep.FirstDifference, rep.LocalHash, rep.PeerHash)}
	}
	return nil
}
