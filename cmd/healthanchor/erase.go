package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/lifecycle"
)

func newEraseCmd(g *globalFlags) *cobra.Command {
	var patient, reason, request string
	var dryRun, asJSON bool
	cmd := &cobra.Command{
		Use:   "erase --patient ID --reason CODE [--request REF] [--dry-run]",
		Short: "Erase a patient's records from the batch files, keeping every batch verifiable",
		Long: `Erase removes every record of one patient from the batch files this node
published, as a lawful erasure request requires, while every batch still
verifies against its anchor.

It finds the patient's rows through the patient index (every schema with a
patient_id) and the rejects whose raw input names the patient id (the id with
no letter or digit on either side). It then:

  1. anchors one signed erasure entry naming, per batch file, the rows it
     erases, with --reason (a code, e.g. gdpr-art17) and --request (your
     reference of the request); the entry holds no patient id and no values;
  2. rewrites each file so those rows keep only their leaf hash (the _leaf
     column): their values and _salt are gone. Each file is written beside the
     old one, fsynced, then renamed over it: a kill leaves the old file or the
     new one;
  3. removes the patient from the patient index.

Run it again after a failure or a kill: it finds the entry already anchored
and finishes the rewrites. Erasing a patient already erased, or unknown, prints
"nothing to erase", anchors nothing and exits 0. verify batch then checks each
rewritten file's root from the kept rows and the kept leaf hashes, and every
erased row against an anchored erasure entry (docs/lifecycle.md, "Erasure").

Do not put the patient's id or name in --request: it is on the chain.`,
		Example: `  healthanchor erase --patient P000123 --reason gdpr-art17 --request DPO-2026-044 --dry-run
  healthanchor erase --patient P000123 --reason gdpr-art17 --request DPO-2026-044`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if patient == "" || reason == "" {
				return usageErr("erase: --patient and --reason are required")
			}
			if err := anchor.ValidateErasureReason(reason, request); err != nil {
				return usageErr("erase: %v", err)
			}
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			if !dryRun {
				leave, err := joinCluster(cmd.Context(), n, "erase")
				if err != nil {
					return err
				}
				defer leave()
			}
			out, err := n.Erase(cmd.Context(), patient, lifecycle.EraseRequest{Reason: reason, Request: request, DryRun: dryRun}, crashHook())
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), out)
			}
			printErasure(cmd, out, dryRun)
			return nil
		},
	}
	cmd.Flags().StringVar(&patient, "patient", "", "the patient_id whose records to erase")
	cmd.Flags().StringVar(&reason, "reason", "", "reason code recorded in the erasure entry (letters, digits, . _ : -; e.g. gdpr-art17)")
	cmd.Flags().StringVar(&request, "request", "", "reference of the erasure request, recorded in the entry (no personal data)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "list the records that would be erased; change nothing")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print what was (or would be) erased as JSON")
	return cmd
}

func printErasure(cmd *cobra.Command, out lifecycle.EraseOutcome, dryRun bool) {
	w := cmd.OutOrStdout()
	if len(out.Files) == 0 {
		fmt.Fprintln(w, "nothing to erase: no published record names this patient")
		return
	}
	var rows, files int
	for _, f := range out.Files {
		rows += len(f.Rows)
		files++
		switch {
		case dryRun:
			fmt.Fprintf(w, "would erase batch %s %s file %s: rows %v\n", f.BatchID, f.File, f.Path, f.Rows)
		case f.Erased > 0:
			fmt.Fprintf(w, "erased batch %s %s file: %d %s rewritten (%d bytes)\n", f.BatchID, f.File, f.Erased, rowsWord(f.Erased), f.Bytes)
		default:
			fmt.Fprintf(w, "batch %s %s file: rows already erased\n", f.BatchID, f.File)
		}
	}
	switch {
	case dryRun:
		fmt.Fprintf(w, "dry run: %d records in %d files would be erased; nothing changed\n", rows, files)
	case out.Block > 0:
		fmt.Fprintf(w, "erased %d records in %d files; erasure entry anchored in block %d\n", rows, files, out.Block)
	default:
		fmt.Fprintf(w, "erased %d records in %d files; an anchored erasure entry already covered them\n", rows, files)
	}
}

func rowsWord(n int64) string {
	if n == 1 {
		return "row"
	}
	return "rows"
}
