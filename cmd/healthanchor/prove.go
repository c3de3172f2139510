package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/internal/fsutil"
	"github.com/healthanchor/healthanchor/pipeline"
)

func newProveCmd(g *globalFlags) *cobra.Command {
	var row int64
	var ref, out, patient string
	cmd := &cobra.Command{
		Use:   "prove (BATCH_ID|FILE (--row N | --source-ref REF) [--out FILE] | --patient ID --out DIR)",
		Short: "Write the proof bundle of one record: record -> batch -> manifest -> chain -> cosigned checkpoint",
		Long: `Prove writes, as JSON, the proof that one record belongs to an anchored batch:
its canonical form, its Merkle path to the batch root, the batch's signed
manifest, the block that anchored it with the manifest's path in its log, and
the latest checkpoint signed by a quorum of the members with the consistency
proof from the block's log to it (and the membership blocks since the
genesis). Give it to an auditor: with only the chain's genesis they check it
with 'healthanchor verify proof', without the batch's other records and
without a copy of the chain. The format is in docs/proof.md.

Pick the record by its row number in the batch file (--row, 0-based) or by
its source_ref (--source-ref, e.g. inbox/csv/patients.csv:17). Given a batch
id, --source-ref looks in the batch's rows file, then in its rejects file.

Prove checks the bundle before writing it: it exits 1 when the checkpoint is
not yet signed by a quorum (on a replicated chain, retry once the members
have cosigned the latest one, within seconds).

With --patient ID --out DIR, it writes into DIR one bundle per record naming
that patient in every batch this node published (BATCH-rows-ROW.json,
BATCH-rejects-ROW.json): rows whose patient_id is ID (patients, encounters,
observations) and rejects whose raw input holds ID as a whole word. 'verify
proof DIR --genesis G' checks them all.`,
		Example: `  healthanchor prove 3f2a9c0d5e… --source-ref inbox/csv/patients-2026-11-24.csv:17 --out proof.json
  healthanchor verify proof proof.json --genesis genesis.json
  healthanchor prove --patient P001 --out proofs/P001 && healthanchor verify proof proofs/P001 --genesis genesis.json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if patient != "" {
				if len(args) > 0 || row >= 0 || ref != "" || out == "" {
					return usageErr("prove: --patient takes no batch, --row or --source-ref, and needs --out DIR")
				}
				n, err := g.openNode(g.logger())
				if err != nil {
					return err
				}
				defer n.Close()
				return provePatient(cmd, n, patient, out)
			}
			if len(args) != 1 {
				return usageErr("prove: give a batch id or file (or --patient ID --out DIR)")
			}
			if (row < 0) == (ref == "") {
				return usageErr("prove: give exactly one of --row and --source-ref")
			}
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			files, err := proofFiles(cmd.Context(), n, args[0], ref != "")
			if err != nil {
				return err
			}
			checkpoint, err := proofCheckpoint(cmd.Context(), n)
			if err != nil {
				return err
			}
			p, err := proveIn(cmd.Context(), n, files, recordMatch(row, ref), checkpoint)
			if errors.Is(err, anchor.ErrNoRecord) {
				what := fmt.Sprintf("row %d", row)
				if ref != "" {
					what = fmt.Sprintf("record with source_ref %q", ref)
				}
				return &exitError{code: exitFailed, err: fmt.Errorf("prove: %s has no %s to prove (looked in %s; an erased record has none left)", args[0], what, strings.Join(files, ", "))}
			}
			if err != nil {
				return err
			}
			return writeProof(cmd, p, out, n.Config.FilePerm())
		},
	}
	cmd.Flags().Int64Var(&row, "row", -1, "row number in the batch file, 0-based")
	cmd.Flags().StringVar(&ref, "source-ref", "", "the record's source_ref")
	cmd.Flags().StringVar(&out, "out", "", "write the bundle here instead of stdout (with --patient: a folder)")
	cmd.Flags().StringVar(&patient, "patient", "", "prove every record naming this patient_id, one bundle each into --out DIR")
	return cmd
}

// proofFiles returns the files to look for the record in: the file
// given, or the published rows file of a batch this node produced and,
// when searching by source_ref, its rejects file.
func proofFiles(ctx context.Context, n *pipeline.Node, arg string, withRejects bool) ([]string, error) {
	if _, err := os.Stat(arg); err == nil {
		return []string{arg}, nil
	}
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return nil, err
	}
	lb, ok := local[arg]
	if !ok || lb.ParquetPath == "" {
		return nil, usageErr("prove: %s is neither a file nor a batch this node published", arg)
	}
	files := []string{lb.ParquetPath}
	if withRejects && lb.RejectsPath != "" {
		files = append(files, lb.RejectsPath)
	}
	return files, nil
}

// recordMatch selects by row number, or by source_ref when ref is set.
func recordMatch(row int64, ref string) anchor.RecordMatch {
	if ref == "" {
		return func(r int64, _ []byte) bool { return r == row }
	}
	want := `"source_ref":` + string(mustJSON(ref))
	return func(_ int64, canonical []byte) bool { return strings.Contains(string(canonical), want) }
}

// proveIn proves the first matching record of the first file that has one.
func proveIn(ctx context.Context, n *pipeline.Node, files []string, match anchor.RecordMatch, checkpoint string) (anchor.Proof, error) {
	var err error
	for _, f := range files {
		var ps []anchor.Proof
		ps, err = proveFrom(ctx, n, f, match, checkpoint, false)
		if !errors.Is(err, anchor.ErrNoRecord) {
			if len(ps) == 0 {
				return anchor.Proof{}, err
			}
			return ps[0], err
		}
	}
	return anchor.Proof{}, err
}

// proveFrom proves the first record (every record, with all) of the batch
// file at path that match selects: a file given on the command line, or
// one the node published, in a folder or a bucket (OpenPublished).
func proveFrom(ctx context.Context, n *pipeline.Node, path string, match anchor.RecordMatch, checkpoint string, all bool) ([]anchor.Proof, error) {
	open := path
	if !pipeline.IsObjectURL(path) && !filepath.IsAbs(path) {
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, fmt.Errorf("prove: %w", err)
		}
		open = abs
	}
	f, err := n.OpenPublished(ctx, open)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if all {
		return n.Chain.ProveAllFrom(ctx, path, f, match, checkpoint)
	}
	p, err := n.Chain.ProveFrom(ctx, path, f, match, checkpoint)
	return []anchor.Proof{p}, err
}

func writeProof(cmd *cobra.Command, p anchor.Proof, out string, perm os.FileMode) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if out == "" {
		_, err = cmd.OutOrStdout().Write(b)
		return err
	}
	if err := fsutil.WriteFile(out, b, perm); err != nil { // the record's canonical form: patient data
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote the proof of row %d of batch %s (%s) to %s\n", p.Record.Index, p.Manifest.BatchID, recordSchema(p.Record.Canonical), out)
	return nil
}

func mustJSON(s string) []byte {
	b, _ := json.Marshal(s)
	return b
}
