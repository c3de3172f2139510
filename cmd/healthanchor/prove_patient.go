package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/internal/fsutil"
	"github.com/healthanchor/healthanchor/pipeline"
	"github.com/healthanchor/healthanchor/pipeline/patientindex"
)

// provePatient writes into dir the proof bundle of every record naming
// patient in every batch this node published: rows whose patient_id is
// the patient (patients, encounters, observations) and rejects whose raw
// input names it.
func provePatient(cmd *cobra.Command, n *pipeline.Node, patient, dir string) error {
	ctx := cmd.Context()
	local, err := n.State.LocalBatches(ctx)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(local))
	for id, lb := range local {
		if lb.Status == pipeline.BatchPublished {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	checkpoint, err := proofCheckpoint(ctx, n)
	if err != nil {
		return err
	}
	if err := fsutil.MkdirAll(dir, n.Config.DirPerm()); err != nil {
		return usageErr("prove: %v", err)
	}
	counts := map[string]int{}
	total, batchCount := 0, 0
	for _, id := range ids {
		lb := local[id]
		wrote := 0
		for _, f := range [][2]string{{"rows", lb.ParquetPath}, {"rejects", lb.RejectsPath}} {
			k, err := proveFileFor(ctx, n, f[1], patient, checkpoint, filepath.Join(dir, id+"-"+f[0]), n.Config.FilePerm(), counts)
			if err != nil {
				return err
			}
			wrote += k
		}
		if wrote > 0 {
			total += wrote
			batchCount++
		}
	}
	if total == 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf("prove: no record of the %d batches this node published names patient %q", len(ids), patient)}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d proofs of patient %s (%s) from %d batches to %s\n", total, patient, schemaCounts(counts), batchCount, dir)
	return nil
}

// proveFileFor writes prefix-ROW.json for every record of the file at
// path naming patient, and returns how many it wrote.
func proveFileFor(ctx context.Context, n *pipeline.Node, path, patient, checkpoint, prefix string, perm os.FileMode, counts map[string]int) (int, error) {
	if path == "" {
		return 0, nil
	}
	ps, err := proveFrom(ctx, n, path, patientMatch(patient), checkpoint, true)
	if errors.Is(err, anchor.ErrNoRecord) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		b, err := json.MarshalIndent(p, "", "  ")
		if err != nil {
			return 0, err
		}
		if err := fsutil.WriteFile(fmt.Sprintf("%s-%d.json", prefix, p.Record.Index), append(b, '\n'), perm); err != nil { // patient data
			return 0, err
		}
		counts[recordSchema(p.Record.Canonical)]++
	}
	return len(ps), nil
}

// patientMatch selects the records whose patient_id is patient, and the
// rejects whose raw input holds it as a whole word.
func patientMatch(patient string) anchor.RecordMatch {
	want := `"patient_id":` + string(mustJSON(patient))
	return func(_ int64, canonical []byte) bool {
		if strings.Contains(string(canonical), want) {
			return true
		}
		if !strings.Contains(string(canonical), `"_schema":"reject/1"`) {
			return false
		}
		var rec struct {
			Raw string `json:"raw"`
		}
		if json.Unmarshal(canonical, &rec) != nil {
			return false
		}
		raw, err := hex.DecodeString(rec.Raw)
		return err == nil && patientindex.RawNames(raw, patient)
	}
}

func recordSchema(canonical string) string {
	var rec struct {
		Schema string `json:"_schema"`
	}
	json.Unmarshal([]byte(canonical), &rec)
	return rec.Schema
}

// schemaCounts formats per-schema counts, "patient/1: 1, encounter/1: 3".
func schemaCounts(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, counts[k])
	}
	return strings.Join(parts, ", ")
}
