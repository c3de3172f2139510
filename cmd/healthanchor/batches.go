package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/pipeline"
)

// batchListing is one line of `batches --json`.
type batchListing struct {
	BatchID       string `json:"batch_id"`
	Job           string `json:"job"`
	Agency        string `json:"agency"`
	ProducerSeq   int64  `json:"producer_seq"`
	Schema        string `json:"schema"`
	Rows          int64  `json:"rows"`
	Rejects       int64  `json:"rejects"`
	MerkleRoot    string `json:"merkle_root"`
	ParquetPath   string `json:"parquet_path"`
	ParquetSHA256 string `json:"parquet_sha256"`
	RejectsPath   string `json:"rejects_path"`
	BlockHeight   int64  `json:"block_height"`
	Backfill      bool   `json:"backfill"`
	CreatedAt     string `json:"created_at"`
}

func newBatchesCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "batches",
		Short: "List every batch anchored on the chain",
		Long: `Batches lists every batch on the chain in anchoring order, whichever agency
produced it. parquet_path is the absolute path of the published file when this
node produced it, empty otherwise.`,
		Example: `  healthanchor batches
  healthanchor batches --json | jq '.[] | select(.rejects > 0)'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			anchored, err := n.Chain.Manifests(cmd.Context())
			if err != nil {
				return err
			}
			local, err := n.State.LocalBatches(cmd.Context())
			if err != nil {
				return err
			}
			list := make([]batchListing, 0, len(anchored))
			for _, a := range anchored {
				m := a.Manifest
				l := batchListing{BatchID: m.BatchID, Job: m.Job, Agency: m.Agency, ProducerSeq: m.ProducerSeq, Schema: m.Schema,
					Rows: m.Rows, Rejects: m.Rejects, MerkleRoot: m.MerkleRoot, ParquetSHA256: m.ParquetSHA256,
					BlockHeight: a.Height, Backfill: m.Backfill, CreatedAt: m.CreatedAt}
				if lb, ok := local[m.BatchID]; ok && m.Agency == n.Config.Agency.ID && lb.Status == pipeline.BatchPublished {
					l.ParquetPath = pipeline.AbsPath(lb.ParquetPath)
					if lb.RejectsPath != "" {
						l.RejectsPath = pipeline.AbsPath(lb.RejectsPath)
					}
				}
				list = append(list, l)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, list)
			}
			fmt.Fprintf(w, "%-6s %-32s %-20s %-14s %8s %7s  %-64s  %s\n", "BLOCK", "BATCH", "JOB", "SCHEMA", "ROWS", "REJECTS", "MERKLE ROOT", "FILE")
			for _, l := range list {
				fmt.Fprintf(w, "%-6d %-32s %-20s %-14s %8d %7d  %-64s  %s\n", l.BlockHeight, l.BatchID, l.Job, l.Schema, l.Rows, l.Rejects, l.MerkleRoot, l.ParquetPath)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}
