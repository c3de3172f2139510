package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
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
			if err := os.WriteFile(out, b, 0o644); err != nil {
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
