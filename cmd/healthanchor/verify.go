package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/lifecycle"
)

func newVerifyCmd(g *globalFlags) *cobra.Command {
	cmd := groupCmd("verify", "Check batch files and the chain against their anchors",
		`Verify is the auditor's tool. It works offline from the chain store and the
files. Exit 0 when everything holds, 1 on any mismatch (with what differs) or
a damaged or replaced chain or state store, 2 on usage or configuration errors.`)
	cmd.AddCommand(newVerifyBatchCmd(g), newVerifyChainCmd(g), newVerifyProofCmd())
	return cmd
}

func newVerifyBatchCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "batch FILE|BATCH_ID",
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
manifest of the batch id in the file's footer.`,
		Example: `  healthanchor verify batch batches/patients-csv/3f2a….parquet
  healthanchor verify batch 3f2a9c0d5e…`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			reps, err := n.VerifyBatch(cmd.Context(), args[0])
			printBatchReports(cmd, reps, err == nil, asJSON)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reports as JSON")
	return cmd
}

func printBatchReports(cmd *cobra.Command, reps []anchor.BatchReport, ok, asJSON bool) {
	w := cmd.OutOrStdout()
	if asJSON {
		json.NewEncoder(w).Encode(reps)
		return
	}
	for _, r := range reps {
		if r.BatchID == "" {
			continue
		}
		fmt.Fprintf(w, "%s: batch %s (%s, %s) %d rows, root %s, block %d\n", r.Path, r.BatchID, r.Kind, r.Schema, r.Rows, r.Root, r.BlockHeight)
	}
	if ok {
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
compares the local chain with that peer's, block hash by block hash.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
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
