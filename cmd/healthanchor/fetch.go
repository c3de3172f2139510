package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/exchange"
)

func newFetchCmd(g *globalFlags) *cobra.Command {
	var from, patient, batch, purpose, out, format string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "fetch --from AGENCY (--patient ID | --batch ID) --purpose CODE --out DIR [--format parquet|fhir]",
		Short: "Fetch records from another agency and verify each against this node's chain",
		Long: `Fetch asks member AGENCY, over the peer API (mutual TLS), for one patient's
records or a whole batch, for a PurposeOfUse code its grants must allow. Every
record is checked against this node's OWN replica of the chain: the manifest as
anchored here, its block, and the latest checkpoint a quorum of the members
signed that this node holds (waiting up to --wait for one that covers a batch
anchored a moment ago), as verify proof does. Only when every record verifies
does it write DIR (which must not exist): for --patient, the records as
Parquet, one file per batch, and one proof bundle per record under DIR/proofs;
for --batch, the batch file itself as the source stores it (its Merkle root,
rows and digest checked against this node's manifest in one pass) and one
batch proof bundle, DIR/proofs/BATCH.json, which 'verify proof DIR' checks
together with the file. With --format fhir it
also writes DIR/fhir: Patient, Encounter and Observation resources (FHIR R4
NDJSON, one resource a line, one file per type), a Provenance per batch naming
the source agency, batch id, Merkle root and block, and a Bulk Data
manifest.json. It then checks the disclosure the source anchored and anchors a
signed receipt. Exit 1 when the source refuses or any record fails (nothing is
written), 2 for usage errors. See docs/exchange.md.

  healthanchor fetch --from node1 --patient P123 --purpose TREAT --out p123 --format fhir`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" || purpose == "" || out == "" || (patient == "") == (batch == "") {
				return usageErr("fetch: set --from, --purpose, --out and exactly one of --patient and --batch")
			}
			if format != "parquet" && format != "fhir" {
				return usageErr("fetch: --format %q: want parquet or fhir", format)
			}
			if wait < 0 {
				return usageErr("fetch: --wait %s is negative", wait)
			}
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			cfg := n.Config
			if cfg.Cluster == nil {
				return usageErr("fetch: the config has no cluster section: fetching needs the peer API")
			}
			addr := ""
			for _, p := range cfg.Cluster.Peers {
				if p.ID == from {
					addr = p.APIAddr
				}
			}
			if addr == "" {
				return usageErr("fetch: --from %q is not a peer of this node's cluster", from)
			}
			client, err := replication.NewClient(*cfg.Cluster, cfg.Dir())
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			f := &exchange.Fetcher{Chain: n.Chain, HTTP: client.HTTP(), Wait: wait,
				Checkpoint: func(ctx context.Context) (string, error) { return nodeCheckpoint(ctx, n, true) }}
			// The output is staged beside --out from the start: a whole
			// batch is received straight into it.
			st, err := exchange.NewStaging(out)
			if err != nil {
				return err
			}
			defer st.Remove()
			var got exchange.Fetched
			if batch != "" {
				got, err = f.FetchBatch(ctx, from, addr, exchange.Request{BatchID: batch, Purpose: purpose}, st.Dir, format == "fhir")
			} else {
				got, err = f.Fetch(ctx, from, addr, exchange.Request{PatientID: patient, Purpose: purpose})
			}
			if errors.Is(err, exchange.ErrRefused) || errors.Is(err, exchange.ErrVerify) {
				return &exitError{code: exitFailed, err: fmt.Errorf("fetch: nothing written: %w", err)}
			}
			if err != nil {
				return err
			}
			receipts, err := exchange.Receipts(ctx, n.Chain, got, cfg.Agency.ID, n.SigningKey(), 20*time.Second, time.Now())
			if err != nil {
				return &exitError{code: exitFailed, err: fmt.Errorf("fetch: nothing written: %w", err)}
			}
			written := exchange.Output{Request: fetchRequest(from, patient, batch, purpose), Now: time.Now()}
			if format == "fhir" {
				f, err := exchange.RenderFHIR(got)
				if err != nil {
					return err
				}
				written.FHIR = &f
			}
			if err := st.Put(got, written); err != nil {
				return err
			}
			if err := st.Commit(); err != nil {
				return err
			}
			if got.Batch != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "fetched and verified batch %s from %s: %d records, one batch proof; wrote %s\n", batch, from, got.Records, out)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "fetched and verified %d records of %d batches from %s; wrote %s\n", len(got.Proofs), len(got.Schemas), from, out)
			}
			if written.FHIR != nil {
				printFHIRSummary(cmd.OutOrStdout(), out, *written.FHIR)
			}
			if len(receipts) > 0 {
				actx, cancel := context.WithTimeout(ctx, 30*time.Second)
				defer cancel()
				if _, err := client.AnchorEntries(actx, cfg.Cluster.APIAddr, receipts); err != nil {
					return fmt.Errorf("fetch: records written, but the receipt was not anchored: %w", err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "receipt anchored for %d disclosure(s)\n", len(receipts))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "member agency to fetch from")
	cmd.Flags().StringVar(&patient, "patient", "", "fetch this patient_id's records")
	cmd.Flags().StringVar(&batch, "batch", "", "fetch this whole batch")
	cmd.Flags().StringVar(&purpose, "purpose", "", "PurposeOfUse code: TREAT, ETREAT, PUBHLTH, HRESCH, HOPERAT")
	cmd.Flags().StringVar(&out, "out", "", "folder to create with the records and their proofs")
	cmd.Flags().StringVar(&format, "format", "parquet", "output format: parquet, or fhir for Parquet plus FHIR R4 NDJSON under DIR/fhir")
	cmd.Flags().DurationVar(&wait, "wait", 30*time.Second, "how long to wait for this node to hold a quorum checkpoint covering the records' batches")
	return cmd
}

// fetchRequest is the command line a fetch stands for, as the FHIR
// output manifest's request.
func fetchRequest(from, patient, batch, purpose string) string {
	what := "--patient " + patient
	if batch != "" {
		what = "--batch " + batch
	}
	return fmt.Sprintf("healthanchor fetch --from %s %s --purpose %s --format fhir", from, what, purpose)
}

// printFHIRSummary says what the FHIR output holds, and which records it
// does not render (their schema has no FHIR mapping: they are in the
// Parquet files only).
func printFHIRSummary(w io.Writer, out string, f exchange.FHIR) {
	var parts []string
	for _, typ := range exchange.FHIRTypes {
		if n := len(f.Resources[typ]); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, typ))
		}
	}
	if len(parts) == 0 {
		parts = []string{"no resources"}
	}
	fmt.Fprintf(w, "FHIR R4 NDJSON in %s: %s\n", filepath.Join(out, exchange.FHIRDir), strings.Join(parts, ", "))
	for _, schema := range slices.Sorted(maps.Keys(f.Unmapped)) {
		fmt.Fprintf(w, "%d records of schema %s have no FHIR mapping: they are in the Parquet files only\n", f.Unmapped[schema], schema)
	}
}
