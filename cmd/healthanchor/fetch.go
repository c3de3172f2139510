package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/exchange"
)

func newFetchCmd(g *globalFlags) *cobra.Command {
	var from, patient, batch, purpose, out, format string
	cmd := &cobra.Command{
		Use:   "fetch --from AGENCY (--patient ID | --batch ID) --purpose CODE --out DIR",
		Short: "Fetch records from another agency and verify each against this node's chain",
		Long: `Fetch asks member AGENCY, over the peer API (mutual TLS), for one patient's
records or a whole batch, for a PurposeOfUse code its grants must allow. Every
record is checked against this node's OWN replica of the chain: the manifest as
anchored here, its block and the quorum checkpoint, as verify proof does. Only
when every record verifies does it write DIR (which must not exist): the records
as Parquet, one file per batch, and one proof bundle per record under DIR/proofs.
It then checks the disclosure the source anchored and anchors a signed receipt.
Exit 1 when the source refuses or any record fails (nothing is written), 2 for
usage errors. See docs/exchange.md.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if from == "" || purpose == "" || out == "" || (patient == "") == (batch == "") {
				return usageErr("fetch: set --from, --purpose, --out and exactly one of --patient and --batch")
			}
			if format != "parquet" {
				return usageErr("fetch: --format %q: only parquet is supported", format)
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
			checkpoint, err := proofCheckpoint(ctx, n)
			if err != nil {
				return err
			}
			f := &exchange.Fetcher{Chain: n.Chain, HTTP: client.HTTP(), Checkpoint: checkpoint}
			got, err := f.Fetch(ctx, from, addr, exchange.Request{PatientID: patient, BatchID: batch, Purpose: purpose})
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
			if err := exchange.Write(out, got); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "fetched and verified %d records of %d batches from %s; wrote %s\n", len(got.Proofs), len(got.Schemas), from, out)
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
	cmd.Flags().StringVar(&format, "format", "parquet", "output format: parquet")
	return cmd
}
