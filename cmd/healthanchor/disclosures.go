package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/exchange"
)

// disclosureListing is one line of `disclosures --json`.
type disclosureListing struct {
	ID          string   `json:"id"`
	Discloser   string   `json:"discloser"`
	Recipient   string   `json:"recipient"`
	Purpose     string   `json:"purpose"`
	BreakGlass  bool     `json:"break_glass"`
	Records     int64    `json:"records"`
	Batches     []string `json:"batches"`
	Time        string   `json:"time"`
	BlockHeight int64    `json:"block_height"`
	Receipt     bool     `json:"receipt"`
}

func newDisclosuresCmd(g *globalFlags) *cobra.Command {
	var patient string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "disclosures [--patient ID] [--json]",
		Short: "List the disclosure entries on this node's chain",
		Long: `Disclosures lists every disclosure entry on the local replica: who disclosed
records to whom, for which purpose, when, how many, and whether the recipient
anchored a receipt. With --patient, on the agency holding that patient's
records, only the disclosures that sent at least one of them: this node keeps
locally (never on the chain) which rows each disclosure it anchored sent, and
matches them against the patient's rows in the patient index.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			ctx := cmd.Context()
			entries, err := n.Chain.Entries(ctx, "")
			if err != nil {
				return err
			}
			var sent map[string]bool
			if patient != "" {
				if sent, err = n.PatientDisclosures(ctx, patient); err != nil {
					return err
				}
			}
			received := map[string]bool{}
			for _, e := range entries {
				var r exchange.Receipt
				if e.Entry.Kind == anchor.KindReceipt && e.Entry.DecodeBody(&r) == nil {
					received[r.Disclosure] = true
				}
			}
			list := []disclosureListing{}
			for _, e := range entries {
				var d exchange.Disclosure
				if e.Entry.Kind != anchor.KindDisclosure || e.Entry.DecodeBody(&d) != nil {
					continue
				}
				if patient != "" && !sent[e.ID] {
					continue
				}
				list = append(list, disclosureListing{ID: e.ID, Discloser: e.Entry.Agency, Recipient: d.Recipient, Purpose: d.Purpose,
					BreakGlass: d.BreakGlass, Records: d.Records, Batches: d.Batches, Time: e.Entry.CreatedAt, BlockHeight: e.Height, Receipt: received[e.ID]})
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			for _, l := range list {
				glass := ""
				if l.BreakGlass {
					glass = " BREAK-GLASS"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "block %d  %s  %s -> %s  %s%s  %d records  receipt=%v\n", l.BlockHeight, l.Time, l.Discloser, l.Recipient, l.Purpose, glass, l.Records, l.Receipt)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&patient, "patient", "", "only disclosures of this patient's records")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
