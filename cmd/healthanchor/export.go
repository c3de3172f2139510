package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/audit"
	"github.com/healthanchor/healthanchor/lifecycle"
)

func newExportCmd(g *globalFlags) *cobra.Command {
	cmd := groupCmd("export", "Export the chain's provenance in outside formats",
		`Export writes what the chain and this node's run history say, in formats that
tools outside healthanchor read.`)
	cmd.AddCommand(newExportFHIRCmd(g))
	return cmd
}

func newExportFHIRCmd(g *globalFlags) *cobra.Command {
	var from, to, out string
	cmd := &cobra.Command{
		Use:   "fhir --out DIR [--from DATE] [--to DATE]",
		Short: "Write FHIR R4 Provenance and AuditEvent NDJSON (Bulk Data layout)",
		Long: `Export fhir writes, into --out, FHIR R4 NDJSON in the Bulk Data layout: one file
per resource type and manifest.json shaped as the $export status response.
Every batch anchored in the period (UTC days of its block's time, both
included) becomes a DocumentReference (the batch file, with its SHA-256 and
Merkle root) and a Provenance (the agency's manifest signature, the source,
the anchor time); every run of this node's history in the period becomes an
AuditEvent (DICOM Import), and so does each re-verification of the chain and of
the period's batch files held here, made now (DICOM Application Activity), and
each disclosure, erasure and retention entry anchored in the period (DICOM
Export, Patient Record). docs/lifecycle.md maps every field. Exit 1 when a re-verification fails (the
export is written all the same, with the failure as the event's outcome), 2
on usage or configuration errors.`,
		Example: `  healthanchor export fhir --out fhir-2026-11 --from 2026-11-01 --to 2026-11-30`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := period(from, to)
			if err != nil {
				return err
			}
			if out == "" {
				return usageErr("--out DIR is required")
			}
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			rep, err := audit.Build(cmd.Context(), auditSources(n), p)
			if err != nil {
				return err
			}
			exp := lifecycle.FHIRExport{Chain: n.Chain, From: p.From, To: p.To,
				Agency:  lifecycle.Agency{ID: n.Config.Agency.ID, Name: n.Config.Agency.Name},
				Request: "healthanchor " + strings.Join(exportArgs(from, to), " "),
				Runs:    exportRuns(rep.Runs), Verifications: exportChecks(rep)}
			man, err := lifecycle.WriteFHIR(cmd.Context(), out, exp)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			for _, f := range man.Output {
				fmt.Fprintf(w, "%s: %d %s\n", filepath.Join(out, f.URL), f.Count, f.Type)
			}
			fmt.Fprintf(w, "%s: %d files\n", filepath.Join(out, lifecycle.ManifestFile), len(man.Output))
			if !rep.Verified.OK {
				return &exitError{code: exitFailed, err: fmt.Errorf("re-verification failed: see the AuditEvents with outcome 8 in %s", out)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day of the period, YYYY-MM-DD (UTC)")
	cmd.Flags().StringVar(&to, "to", "", "last day of the period, YYYY-MM-DD (UTC)")
	cmd.Flags().StringVar(&out, "out", "", "the folder to write (created if needed)")
	return cmd
}

// exportArgs is the request the manifest records (no machine paths).
func exportArgs(from, to string) []string {
	args := []string{"export", "fhir"}
	if from != "" {
		args = append(args, "--from", from)
	}
	if to != "" {
		args = append(args, "--to", to)
	}
	return args
}

// exportRuns hands the report's runs (oldest first) to the export.
func exportRuns(runs []audit.RunLine) []lifecycle.Run {
	out := make([]lifecycle.Run, len(runs))
	for i, r := range runs {
		out[i] = lifecycle.Run{ID: r.ID, Job: r.Job, StartedAt: r.StartedAt, EndedAt: r.EndedAt, Status: r.Status,
			RowsRead: r.RowsRead, RowsWritten: r.RowsWritten, RowsRejected: r.RowsRejected, BatchIDs: r.BatchIDs, Error: r.Error}
	}
	return out
}

// exportChecks hands the report's re-verifications to the export, each
// file's check under its batch id.
func exportChecks(rep *audit.Report) []lifecycle.Verification {
	at, err := time.Parse(time.RFC3339, rep.GeneratedAt)
	if err != nil {
		at = time.Now()
	}
	batchOf := map[string]string{}
	for _, b := range rep.Batches {
		batchOf[b.ParquetPath], batchOf[b.RejectsPath] = b.BatchID, b.BatchID
	}
	var out []lifecycle.Verification
	for _, c := range rep.Verified.Checks {
		v := lifecycle.Verification{At: at, OK: c.OK, Problems: c.Problems}
		if c.What != "chain" {
			v.BatchID, v.File = batchOf[c.What], filepath.Base(c.What)
		}
		out = append(out, v)
	}
	return out
}
