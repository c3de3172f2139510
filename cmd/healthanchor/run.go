package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/pipeline"
)

func newRunCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	var metricsFile, from, to string
	cmd := &cobra.Command{
		Use:   "run [JOB...] [--from W --to W]",
		Short: "Run jobs once now (all jobs when none is named)",
		Long: `Run extracts each job's new data since its watermark, writes it as Parquet
batches, anchors every new batch of the run in one block, publishes the files
and moves the watermarks. Safe to re-run: a window already anchored is not
anchored again, and a run interrupted at any point is completed by the next.

Use it from system cron or a Kubernetes CronJob. Exit codes: 0 ok, 1 a job
failed, 2 configuration error, 3 another process holds a job's lock.

On a terminal, a progress line per job shows rows and rows/s on stderr; else
(or with --json) progress is logged. --metrics-file writes Prometheus metrics
(rows, rejects, duration, last success time per job, chain height) for
node_exporter's textfile collector.

Backfill: --from and --to re-extract one job's window (from, to] into new
batches marked backfill, without moving its watermark. W is a watermark as the
job's connector writes it (see ` + "`healthanchor runs`" + ` and docs/config.md), e.g. for
a SQL job '{"value":"2026-01-01T00:00:00Z","type":"time","key":"0","key_type":"int"}'.`,
		Example: `  healthanchor --config /etc/healthanchor/healthanchor.yaml run
  healthanchor run patients-csv --json
  healthanchor run --metrics-file /var/lib/node_exporter/healthanchor.prom`,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			setCrashAt(n)
			for _, name := range args {
				if _, err := n.Config.Job(name); err != nil {
					return usageErr("run: %v", err)
				}
			}
			opts := pipeline.RunOptions{Jobs: args}
			if from != "" || to != "" {
				if len(args) != 1 || to == "" {
					return usageErr("run: a backfill names one job and --to (and --from, empty for the beginning)")
				}
				w := pipeline.Window{To: []byte(to), Backfill: true}
				if from != "" {
					w.From = []byte(from)
				}
				opts.Backfill = &w
			}
			leave, err := joinCluster(cmd.Context(), n, "run")
			if err != nil {
				return err
			}
			defer leave()
			if !asJSON && isTerminal(os.Stderr) {
				n.Progress = newProgress(cmd.ErrOrStderr())
			} else {
				n.Progress = pipeline.ProgressLogger(n.Logger, g.progressEvery, nil)
			}
			start := time.Now()
			results, err := n.Run(cmd.Context(), opts)
			if metricsFile != "" {
				if merr := writeMetricsFile(cmd.Context(), n, results, time.Since(start), metricsFile); merr != nil {
					err = errors.Join(err, merr)
				}
			}
			if results != nil {
				if asJSON {
					if err := writeJSON(cmd.OutOrStdout(), results); err != nil {
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
	cmd.Flags().StringVar(&metricsFile, "metrics-file", "", "write Prometheus metrics to this textfile")
	cmd.Flags().StringVar(&from, "from", "", "backfill: watermark the window starts after")
	cmd.Flags().StringVar(&to, "to", "", "backfill: watermark the window ends at")
	return cmd
}

func writeMetricsFile(ctx context.Context, n *pipeline.Node, results []pipeline.JobResult, took time.Duration, path string) error {
	m := pipeline.NewMetrics()
	if err := m.Load(ctx, n); err != nil {
		return err
	}
	for _, r := range results {
		m.Observe(r, took, time.Now())
	}
	return m.WriteTextfile(path)
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
			if r.RowsRejected > 0 {
				fmt.Fprintf(w, "%-20s   why rejected: healthanchor rejects --job %s\n", "", r.Job)
			}
		}
	}
}
