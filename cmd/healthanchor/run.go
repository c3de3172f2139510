package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/pipeline"
)

func newRunCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "run [JOB...]",
		Short: "Run jobs once now (all jobs when none is named)",
		Long: `Run extracts each job's new data since its watermark, writes it as Parquet
batches, anchors every new batch of the run in one block, publishes the files
and moves the watermarks. Safe to re-run: a window already anchored is not
anchored again, and a run interrupted at any point is completed by the next.

Use it from system cron or a Kubernetes CronJob. Exit codes: 0 ok, 1 a job
failed, 2 configuration error, 3 another process holds a job's lock.`,
		Example: `  healthanchor --config /etc/healthanchor/healthanchor.yaml run
  healthanchor run patients-csv --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			if step := os.Getenv("HEALTHANCHOR_CRASH_AT"); step != "" {
				n.CrashAt = func(at string) {
					if at == step {
						syscall.Kill(os.Getpid(), syscall.SIGKILL)
					}
				}
			}
			results, err := n.Run(cmd.Context(), pipeline.RunOptions{Jobs: args})
			if results != nil {
				if asJSON {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					if err := enc.Encode(results); err != nil {
						return err
					}
				} else {
					printResults(cmd, results)
				}
			}
			if errors.Is(err, pipeline.ErrNoJobs) {
				return usageErr("%s: %v", g.config, err)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}

func printResults(cmd *cobra.Command, results []pipeline.JobResult) {
	w := cmd.OutOrStdout()
	for _, r := range results {
		switch r.Status {
		case pipeline.RunNoop:
			fmt.Fprintf(w, "%-20s nothing new\n", r.Job)
		case pipeline.RunFailed:
			fmt.Fprintf(w, "%-20s FAILED: %s\n", r.Job, r.Error)
		default:
			fmt.Fprintf(w, "%-20s read %d = written %d + rejected %d\n", r.Job, r.RowsRead, r.RowsWritten, r.RowsRejected)
			for _, b := range r.Batches {
				fmt.Fprintf(w, "%-20s   batch %s %-14s rows %-7d rejects %-5d root %.16s… block %d\n",
					"", b.BatchID, b.Schema, b.Rows, b.Rejects, b.MerkleRoot, b.BlockHeight)
			}
		}
	}
}
