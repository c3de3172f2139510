package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newIndexCmd(g *globalFlags) *cobra.Command {
	cmd := groupCmd("index", "Work with the patient index", "")
	cmd.AddCommand(&cobra.Command{
		Use:   "rebuild",
		Short: "Rebuild the patient index from the published batch files",
		Long: `Rebuild empties the patient index (patients.db, beside the state DB), then
re-reads every batch this node published and indexes each record's
patient_id. Publishing a batch indexes it, and a lookup first indexes any
published batch the index lacks; run this after losing the index file, or
when a run logged that the index was not updated.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			rep, err := n.RebuildIndex(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "indexed %d records of %d batches in %s (%s)\n", rep.Rows, rep.Batches, rep.Took.Round(1e6), n.IndexPath())
			return nil
		},
	})
	return cmd
}
