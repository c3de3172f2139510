package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/lifecycle"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newVerifyCmd(g *globalFlags) *cobra.Command {
	cmd := groupCmd("verify", "Check batch files and the chain against their anchors",
		`Verify is the auditor's tool. It works offline from the chain store and the
files. Exit 0 when everything holds, 1 on any mismatch (with what differs) or
a damaged or replaced chain or state store, 2 on usage or configuration errors.`)
	cmd.AddCommand(newVerifyBatchCmd(g), newVerifyChainCmd(g), newVerifyProofCmd(g))
	return cmd
}

func newVerifyBatchCmd(g *globalFlags) *cobra.Command {
	var asJSON, all bool
	cmd := &cobra.Command{
		Use:   "batch (FILE|BATCH_ID)... | --all",
		Short: "Re-read a batch file and check its root, digest, manifest and block",
		Long: `Verify batch re-reads the Parquet file, rebuilds every row's canonical record,
recomputes the Merkle root and the file's SHA-256, and checks them, with the
file's size, row count, batch id and schema, against a manifest anchored on the
chain; then it checks the manifest's signature and the block holding it.

Given a batch id, it checks the batch's published rows file against the rows
fields of that batch's manifest, and its rejects file against the rejects
fields: another batch's file, or the rejects file in place of the rows file,
fails. Given the path of a file this node published, it checks the file as the
batch it was published for. Given any other file, it checks it against the
manifest of the batch id in the file's footer.

Several files or ids are checked in turn, every one of them whatever the
others give; --all checks every batch this node published.`,
		Example: `  healthanchor verify batch batches/patients-csv/3f2a….parquet
  healthanchor verify batch 3f2a9c0d5e… 77b1e0…
  healthanchor verify batch --all`,
		Args: func(cmd *cobra.Command, args []string) error {
			if all != (len(args) == 0) {
				return usageErr("verify batch: name files or batch ids, or give --all (not both)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			if all {
				n.WarnExposedStores()
				reps, err := n.VerifyPublished(cmd.Context())
				printBatchReports(cmd, reps, err == nil, asJSON)
				return err
			}
			var reps []anchor.BatchReport
			var errs []error
			for _, a := range args {
				r, err := n.VerifyBatch(cmd.Context(), a)
				reps, errs = append(reps, r...), append(errs, err)
			}
			err = pipeline.JoinMismatch(errs)
			printBatchReports(cmd, reps, err == nil, asJSON)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reports as JSON")
	cmd.Flags().BoolVar(&all, "all", false, "check every batch this node published")
	return cmd
}

func printBatchReports(cmd *cobra.Command, reps []anchor.BatchReport, ok, asJSON bool) {
	w := cmd.OutOrStdout()
	if asJSON {
		json.NewEncoder(w).Encode(reps)
		return
	}
	retained := 0
	for _, r := range reps {
		if r.BatchID == "" {
			continue
		}
		if r.Retained != nil {
			printRetained(w, r)
			retained++
			continue
		}
		fmt.Fprintf(w, "%s: batch %s (%s, %s) %d rows, root %s, block %d\n", r.Path, r.BatchID, r.Kind, r.Schema, r.Rows, r.Root, r.BlockHeight)
		if r.Erasure != nil {
			fmt.Fprintf(w, "  root matches; %s\n", r.Erasure)
		}
	}
	if ok && retained > 0 {
		fmt.Fprintf(w, "OK: every file matches its anchor, or was removed under retention (%d)\n", retained)
	} else if ok {
		fmt.Fprintln(w, "OK: every file matches its anchor")
	}
}

func newVerifyChainCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	var peer string
	cmd := &cobra.Command{
		Use:   "chain",
		Short: "Check every block and manifest from genesis to head",
		Long: `Verify chain checks, from genesis to head, every block's stored hash and
canonical body, its link to the previous block, its proposer's signature and
its log root, and every manifest's signature, gapless producer_seq and unique
batch id; and that the chain's index table agrees with the blocks.

It then checks the chain against the state DB, which this node keeps beside
it: the chain must still hold the largest head this node recorded (every block
it signed or appended, hence every checkpoint it signed or cosigned), with the
same log size and log root, and every batch the state DB records as anchored
must be on the chain at the height recorded with the same manifest. A chain
store that lost its newest blocks fails here, naming what is missing.

With --peer HOST:PORT (a member's api_addr, in a replicated chain) it then
compares the local chain with that peer's, block hash by block hash.

An observer (cluster.observer: true) holds no agency key and no state DB: its
chain store alone is verified.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if done, err := g.verifyObserverChain(cmd, asJSON, peer); done {
				return err
			}
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			n.WarnExposedStores()
			rep, err := n.VerifyChain(cmd.Context())
			if err != nil {
				return err
			}
			// A stored timestamp token that fails is a failed check,
			// said after what held.
			stamps, stampErr := verifyTimestamps(cmd.Context(), n)
			var mm *anchor.Mismatch
			if stampErr != nil && !errors.As(stampErr, &mm) {
				return stampErr
			}
			w := cmd.OutOrStdout()
			if asJSON {
				if err := json.NewEncoder(w).Encode(struct {
					anchor.ChainReport
					Timestamps *lifecycle.TimestampReport `json:"timestamps,omitempty"`
				}{rep, stamps}); err != nil {
					return err
				}
				return stampErr
			}
			fmt.Fprintf(w, "OK: chain %s verified: height %d, head %s, %d manifests, log root %s\n",
				n.Chain.ChainID(), rep.Height, rep.HeadHash, rep.Manifests, rep.LogRoot)
			printTimestamps(w, stamps)
			if stampErr != nil {
				return stampErr
			}
			if peer != "" {
				return g.comparePeer(cmd, peer, false)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.Flags().StringVar(&peer, "peer", "", "also compare with this peer's chain (its api_addr)")
	return cmd
}

// verifyObserverChain verifies an observer's chain store, which is all an
// observer keeps; done is false when the config is not an observer's.
func (g *globalFlags) verifyObserverChain(cmd *cobra.Command, asJSON bool, peer string) (done bool, err error) {
	cfg, err := pipeline.LoadConfig(g.config)
	if err != nil || cfg.Cluster == nil || !cfg.Cluster.Observer {
		return false, nil // openNode reports a bad config
	}
	chain, err := pipeline.OpenChain(cfg)
	if err != nil {
		return true, openErr(err)
	}
	defer chain.Close()
	rep, err := chain.Verify(cmd.Context())
	if err != nil {
		return true, err
	}
	w := cmd.OutOrStdout()
	if asJSON {
		return true, json.NewEncoder(w).Encode(rep)
	}
	fmt.Fprintf(w, "OK: chain %s verified (observer): height %d, head %s, %d manifests, log root %s\n",
		chain.ChainID(), rep.Height, rep.HeadHash, rep.Manifests, rep.LogRoot)
	if peer != "" {
		return true, g.comparePeer(cmd, peer, false)
	}
	return true, nil
}
