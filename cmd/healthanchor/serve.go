package main

import (
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/pipeline"
)

func newServeCmd(g *globalFlags) *cobra.Command {
	var shutdown time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the daemon: scheduled jobs, /healthz and /metrics",
		Long: `Serve runs every job that has a schedule (cron expressions, optionally with a
CRON_TZ= prefix, or @daily / @every 1h), never two runs of one job at once,
and serves /healthz and Prometheus /metrics on the config's listen address
(127.0.0.1:9464 by default). Logs are JSON lines on stderr when it is not a
terminal.

On SIGTERM or SIGINT it stops scheduling, lets running batches finish for up to
--shutdown-timeout, then aborts them cleanly (nothing half-anchored; the next
run redoes the window) and exits 0.`,
		Example: `  healthanchor --config /etc/healthanchor/healthanchor.yaml serve
  curl -s 127.0.0.1:9464/metrics | grep healthanchor_`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := g.openNode(g.logger())
			if err != nil {
				return err
			}
			defer n.Close()
			opts := pipeline.ServeOptions{ShutdownTimeout: shutdown, Handlers: map[string]http.Handler{}}
			rn, err := n.Replicate(cmd.Context())
			if err != nil {
				return err
			}
			if rn != nil {
				// Shutdown order: Serve returns once the jobs have stopped;
				// then the replica closes, then the stores (n.Close).
				defer rn.Close()
				opts.Handlers["/cluster/"] = http.StripPrefix("/cluster", rn.Handler())
			}
			return n.Serve(cmd.Context(), opts)
		},
	}
	cmd.Flags().DurationVar(&shutdown, "shutdown-timeout", time.Minute, "how long running batches may finish after SIGTERM")
	return cmd
}
