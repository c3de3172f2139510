package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/internal/fsutil"
)

func newProveCmd(g *globalFlags) *cobra.Command {
	var row int64
	var ref, out string
	cmd := &cobra.Command{
		Use:   "prove BATCH_ID|FILE (--row N | --source-ref REF) [--out FILE]",
		Short: "Write the proof bundle of one record: record -> batch -> manifest -> chain",
		Long: `Prove writes, as JSON, the proof that one record belongs to an anchored batch:
its canonical form, its Merkle path to the batch root, the batch's signed
manifest, the manifest's path in the chain's manifest log, and the head block
(signed by a member) that commits to that log. Give it to an auditor: with
only the chain's genesis (the members' public keys) they check it with
'healthanchor verify proof', without the batch's other records and without a
copy of the chain. The format is in docs/proof.md.

Pick the record by its row number in the batch file (--row, 0-based) or by
its source_ref (--source-ref, e.g. inbox/csv/patients.csv:17).`,
		Example: `  healthanchor prove 3f2a9c0d5e… --source-ref inbox/csv/patients-2026-11-24.csv:17 --out proof.json
  healthanchor verify proof proof.json --genesis genesis.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (row < 0) == (ref == "") {
				return usageErr("prove: give exactly one of --row and --source-ref")
			}
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			path := args[0]
			if _, err := os.Stat(path); err != nil {
				local, err := n.State.LocalBatches(cmd.Context())
				if err != nil {
					return err
				}
				lb, ok := local[args[0]]
				if !ok || lb.ParquetPath == "" {
					return usageErr("prove: %s is neither a file nor a batch this node published", args[0])
				}
				path = lb.ParquetPath
			}
			match := func(r int64, canonical []byte) bool { return r == row }
			if ref != "" {
				want := `"source_ref":` + string(mustJSON(ref))
				match = func(_ int64, canonical []byte) bool { return strings.Contains(string(canonical), want) }
			}
			p, err := n.Chain.Prove(cmd.Context(), path, match)
			if err != nil {
				return err
			}
			b, err := json.MarshalIndent(p, "", "  ")
			if err != nil {
				return err
			}
			b = append(b, '\n')
			if out == "" {
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			if err := fsutil.WriteFile(out, b, n.Config.FilePerm()); err != nil { // the record's canonical form: patient data
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "wrote the proof of row %d of batch %s to %s\n", p.Record.Index, p.Manifest.BatchID, out)
			return nil
		},
	}
	cmd.Flags().Int64Var(&row, "row", -1, "row number in the batch file, 0-based")
	cmd.Flags().StringVar(&ref, "source-ref", "", "the record's source_ref")
	cmd.Flags().StringVar(&out, "out", "", "write the bundle here instead of stdout")
	return cmd
}

func mustJSON(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}

func newVerifyProofCmd() *cobra.Command {
	var genesisPath string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "proof BUNDLE --genesis GENESIS",
		Short: "Check a record's proof bundle offline, with only the chain's genesis",
		Long: `Verify proof checks a bundle written by 'healthanchor prove': the record's
Merkle path to its batch root, the manifest's signature by its agency, the
manifest's path to the chain's log root, and the block's signature by a member
committing to that root. It needs no config, no chain copy and no batch file:
only the genesis block (the members' public keys). Exit 0 when it holds, 1
when it does not, 2 on usage errors.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if genesisPath == "" {
				return usageErr("verify proof: --genesis is required (the chain's genesis.json)")
			}
			var p anchor.Proof
			if err := readJSON(args[0], &p); err != nil {
				return usageErr("verify proof: %v", err)
			}
			var g anchor.Block
			if err := readJSON(genesisPath, &g); err != nil {
				return usageErr("verify proof: %v", err)
			}
			rep, err := anchor.VerifyProof(p, g)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(w).Encode(rep)
			}
			fmt.Fprintf(w, "OK: row %d of batch %s (%s, agency %s) is anchored; block %d (%.16s…) commits to it in a log of %d manifests\n",
				rep.Row, rep.BatchID, rep.Schema, rep.Agency, rep.BlockHeight, rep.BlockHash, rep.LogSize)
			return nil
		},
	}
	cmd.Flags().StringVar(&genesisPath, "genesis", "", "the chain's genesis block (JSON)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func readJSON(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
