package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newRunsCmd(g *globalFlags) *cobra.Command {
	var job string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "Show the run history (newest first)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			if err := n.CloseCrashedRuns(cmd.Context()); err != nil {
				return err
			}
			runs, err := n.State.Runs(cmd.Context(), job, limit)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, runs)
			}
			if len(runs) == 0 {
				if job != "" {
					if _, err := n.Config.Job(job); err != nil {
						return usageErr("runs: %v", err)
					}
					fmt.Fprintf(cmd.ErrOrStderr(), "no runs of job %q recorded yet\n", job)
					return nil
				}
				fmt.Fprintln(cmd.ErrOrStderr(), "no runs recorded yet (start one with: healthanchor run)")
				return nil
			}
			fmt.Fprintf(w, "%-5s %-20s %-25s %-11s %s\n", "RUN", "JOB", "STARTED", "STATUS", "COUNTS, BATCHES, ERROR")
			for _, r := range runs {
				fmt.Fprintf(w, "%-5d %-20s %-25s %-11s read %d written %d rejected %d %s %s\n", r.ID, r.Job, r.StartedAt, r.Status,
					r.RowsRead, r.RowsWritten, r.RowsRejected, strings.Join(r.BatchIDs, ","), r.Error)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&job, "job", "", "only this job's runs")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many runs")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
