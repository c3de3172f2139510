package main

import (
	"context"
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
(127.0.0.1:9464 by default). With a cluster: section, /healthz answers 503
with the reason when the node cannot reach a quorum of voters, is halted on
fork evidence or its store is corrupt (docs/replication.md, Health). Logs are
JSON lines on stderr when it is not a terminal.

On SIGTERM or SIGINT it stops scheduling, lets running batches finish for up to
--shutdown-timeout, then aborts them cleanly (nothing half-anchored; the next
run redoes the window) and exits 0.`,
		Example: `  healthanchor --config /etc/healthanchor/healthanchor.yaml serve
  curl -s 127.0.0.1:9464/metrics | grep healthanchor_`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := pipeline.LoadConfig(g.config)
			if err != nil {
				return err
			}
			return g.serve(cmd.Context(), cfg, shutdown, true)
		},
	}
	cmd.Flags().DurationVar(&shutdown, "shutdown-timeout", time.Minute, "how long running batches may finish after SIGTERM")
	return cmd
}

// serve runs the node of cfg until ctx is done: an observer's replica
// only; a member not yet on its local chain, its replica only until its
// membership block arrives; otherwise the jobs (when withJobs) anchoring
// through the replica, or through the local chain for a single node.
func (g *globalFlags) serve(ctx context.Context, cfg *pipeline.Config, shutdown time.Duration, withJobs bool) error {
	logger := g.logger()
	if cfg.Cluster != nil {
		if cfg.Cluster.Observer {
			// An observer holds no agency key and runs no jobs.
			return runObserver(ctx, cfg, logger)
		}
		join, key, err := joining(cfg)
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		if join {
			logger.Warn("agency is not a member on the local chain yet: running the replica only until its membership block arrives; restart the node then to run its jobs", "agency", cfg.Agency.ID)
			return runReplica(ctx, cfg, cfg.Agency.ID, key, logger)
		}
	}
	n, err := pipeline.Open(cfg, logger)
	if err != nil {
		return openErr(err)
	}
	n.Progress = pipeline.ProgressLogger(logger, g.progressEvery, nil)
	defer n.Close()
	if err := setTestClock(n); err != nil {
		return err
	}
	if cfg.UI != nil {
		stopUI, err := startExplorer(ctx, n, logger)
		if err != nil {
			return err
		}
		// Shutdown order: the explorer stops before the stores close.
		defer stopUI()
	}
	opts := pipeline.ServeOptions{ShutdownTimeout: shutdown, Handlers: map[string]http.Handler{}}
	rn, err := n.Replicate(ctx)
	if err != nil {
		return err
	}
	if rn != nil {
		// Shutdown order: Serve returns once the jobs have stopped; then
		// the replica closes, then the stores (n.Close).
		defer rn.Close()
		opts.Handlers["/cluster/"] = http.StripPrefix("/cluster", rn.Handler())
		opts.Collectors = rn.Collectors()
		opts.Health = rn.Health
	}
	if !withJobs {
		<-ctx.Done()
		return nil
	}
	if cfg.Timestamp != nil {
		stop, err := startStamper(ctx, n, logger, &opts)
		if err != nil {
			return err
		}
		// Shutdown order: the stamper stops before the stores close.
		defer stop()
	}
	if cfg.HasRetention() {
		// Shutdown order: retention stops before the stores close.
		defer runBeside(ctx, n.RetainDaily)()
	}
	return n.Serve(ctx, opts)
}

// runBeside runs fn in its own goroutine beside serve's jobs until ctx is
// done or stop is called; stop returns once fn has.
func runBeside(ctx context.Context, fn func(context.Context)) (stop func()) {
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(rctx)
	}()
	return func() {
		cancel()
		<-done
	}
}
