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
		Long: `Rebuild re-reads every batch this node published and indexes each record's
patient_id (patients.db, beside the state DB), replacing what the index held
for those batches. Publishing a batch indexes it; run this after losing the
index file, on upgrade, or when a run logged that the index was not updated.`,
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
