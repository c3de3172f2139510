package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/pipeline"
	"github.com/healthanchor/healthanchor/schemas"
)

func newRejectsCmd(g *globalFlags) *cobra.Command {
	var f pipeline.RejectFilter
	var csvOut string
	var limit int
	var showValues, asJSON bool
	cmd := &cobra.Command{
		Use:   "rejects [--job J] [--batch ID] [--reason TEXT] [--csv FILE] [--show-values]",
		Short: "Count the reasons input was rejected, and list each reject with where it came from",
		Long: `Rejects reads the rejects files of this node's published batches and prints
the reasons counted (most frequent first), then each reject with its batch,
source_ref (FILE:LINE, message, table key) and reason.

The values a reason quotes, and the raw input bytes, may be patient data: they
are masked ("…") unless --show-values is given; column and header names stay.
Reasons are counted with the values masked, so that the same fault counts as
one reason. --csv FILE writes every selected reject as CSV (batch_id, job,
row, source_ref, target_schema, reason, and raw with --show-values).`,
		Example: `  healthanchor rejects
  healthanchor rejects --job registry-legacy-csv --reason "is not a date"
  healthanchor rejects --batch 3f2a... --csv rejects.csv --show-values`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			if f.Job != "" {
				if _, err := n.Config.Job(f.Job); err != nil {
					return usageErr("rejects: %v", err)
				}
			}
			var cw *csv.Writer
			if csvOut != "" {
				file, err := os.OpenFile(csvOut, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
				if err != nil {
					return usageErr("rejects: --csv: %v", err)
				}
				defer file.Close()
				cw = csv.NewWriter(file)
				head := []string{"batch_id", "job", "row", "source_ref", "target_schema", "reason"}
				if showValues {
					head = append(head, "raw")
				}
				cw.Write(head)
			}
			counts := map[string]int{}
			var listed []pipeline.RejectRecord
			total := 0
			err = n.ReadRejects(cmd.Context(), f, func(r pipeline.RejectRecord) error {
				total++
				counts[schemas.RedactReason(r.SourceRef, r.Reason)]++
				if !showValues {
					r.Reason, r.Raw = schemas.RedactReason(r.SourceRef, r.Reason), nil
				}
				if cw != nil {
					rec := []string{r.BatchID, r.Job, strconv.FormatInt(r.Row, 10), r.SourceRef, r.TargetSchema, r.Reason}
					if showValues {
						rec = append(rec, string(r.Raw))
					}
					if err := cw.Write(rec); err != nil {
						return err
					}
				}
				if asJSON || len(listed) < limit {
					listed = append(listed, r)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if cw != nil {
				if cw.Flush(); cw.Error() != nil {
					return fmt.Errorf("rejects: --csv: %w", cw.Error())
				}
			}
			w := cmd.OutOrStdout()
			if asJSON {
				type jsonReject struct {
					pipeline.RejectRecord
					Raw string `json:"raw,omitempty"`
				}
				out := struct {
					Total   int            `json:"total"`
					Reasons map[string]int `json:"reasons"`
					Rejects []jsonReject   `json:"rejects"`
				}{Total: total, Reasons: counts, Rejects: []jsonReject{}}
				for _, r := range listed {
					out.Rejects = append(out.Rejects, jsonReject{RejectRecord: r, Raw: string(r.Raw)})
				}
				return writeJSON(w, out)
			}
			if total == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "no rejects in the selected published batches")
				return nil
			}
			kinds := make([]string, 0, len(counts))
			for k := range counts {
				kinds = append(kinds, k)
			}
			sort.Slice(kinds, func(i, j int) bool {
				if counts[kinds[i]] != counts[kinds[j]] {
					return counts[kinds[i]] > counts[kinds[j]]
				}
				return kinds[i] < kinds[j]
			})
			fmt.Fprintf(w, "%d rejects, %d reasons\n%7s  %s\n", total, len(kinds), "COUNT", "REASON")
			for _, k := range kinds {
				fmt.Fprintf(w, "%7d  %s\n", counts[k], k)
			}
			fmt.Fprintf(w, "\n%-32s  %-40s  %s\n", "BATCH", "SOURCE_REF", "REASON")
			for _, r := range listed {
				fmt.Fprintf(w, "%-32s  %-40s  %s\n", r.BatchID, r.SourceRef, r.Reason)
				if showValues && len(r.Raw) > 0 {
					fmt.Fprintf(w, "%-32s  raw: %q\n", "", r.Raw)
				}
			}
			if total > len(listed) {
				fmt.Fprintf(w, "... %d more (raise --limit, or write them all with --csv FILE)\n", total-len(listed))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&f.Job, "job", "", "only this job's batches")
	cmd.Flags().StringVar(&f.BatchID, "batch", "", "only this batch")
	cmd.Flags().StringVar(&f.Reason, "reason", "", "only rejects whose reason contains this text")
	cmd.Flags().StringVar(&csvOut, "csv", "", "also write every selected reject to this CSV file")
	cmd.Flags().IntVar(&limit, "limit", 100, "list at most this many rejects (the counts cover all)")
	cmd.Flags().BoolVar(&showValues, "show-values", false, "show the quoted values and raw input (may be patient data)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON: total, reasons counted, every selected reject")
	return cmd
}
