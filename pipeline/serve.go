package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/robfig/cron/v3"

	"github.com/healthanchor/healthanchor/anchor/replication"
)

// ServeOptions tune the daemon.
type ServeOptions struct {
	// ShutdownTimeout bounds how long a running batch may take to finish
	// after SIGTERM before it is aborted (nothing of it is anchored then).
	ShutdownTimeout time.Duration
	// Handlers are extra HTTP handlers mounted on the listener, by path.
	Handlers map[string]http.Handler
	// Ready, when set, receives the listener's address once it listens.
	Ready func(addr string)
	// Collectors are extra Prometheus metrics served on /metrics (the
	// replica's fork and rejected-entry counts).
	Collectors []prometheus.Collector
	// Health, when set, is the replica's health: /healthz answers 503
	// with its reason when the node cannot reach a quorum of voters.
	Health func() replication.Health
}

// Serve runs the daemon until ctx is done: every job with a schedule runs
// on it (never two runs of one job at once; a panic in a run is recovered
// and logged, and the job runs again at its next time), and an HTTP
// listener serves /healthz (see healthHandler) and /metrics.
//
// Jobs whose connector receives (Receiver: hl7 with listen) take input
// for as long as the daemon runs.
//
// Shutdown order, when ctx is done: stop the receivers (intake); stop
// scheduling new runs; let the
// running ones finish until ShutdownTimeout, then cancel them (an aborted
// batch leaves nothing anchored and its window pending for the next run);
// stop the listener. The caller closes the node afterwards.
func (n *Node) Serve(ctx context.Context, opt ServeOptions) error {
	if opt.ShutdownTimeout <= 0 {
		opt.ShutdownTimeout = time.Minute
	}
	metrics := NewMetrics()
	metrics.Registry.MustRegister(opt.Collectors...)
	if err := metrics.Load(ctx, n); err != nil {
		return err
	}
	metrics.ReadChainAtScrape(n)
	runCtx, abortRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer abortRuns()

	sched := cron.New(cron.WithParser(cronParser), cron.WithLocation(n.Config.Location()),
		cron.WithLogger(cronLogger{n.Logger}))
	scheduled := 0
	for _, job := range n.Config.Jobs {
		if job.Schedule == "" {
			continue
		}
		run := n.scheduledRun(runCtx, job.Name, metrics)
		if _, err := sched.AddJob(job.Schedule, wrapJob(n.Logger, job.Name, run)); err != nil {
			return fmt.Errorf("pipeline: job %s: schedule %q: %w", job.Name, job.Schedule, err)
		}
		scheduled++
	}

	// Receivers (MLLP listeners) start before the schedule, so that a
	// first run finds what arrived; they stop first on shutdown.
	recv, err := n.startReceivers(metrics.Registry)
	if err != nil {
		return err
	}
	defer recv.stop()
	ln, err := net.Listen("tcp", n.Config.Listen)
	if err != nil {
		return fmt.Errorf("pipeline: listen %s: %w", n.Config.Listen, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(metrics.Registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("/healthz", n.healthHandler(scheduled, opt.Health))
	for path, h := range opt.Handlers {
		mux.Handle(path, h)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	n.Logger.Info("serving", "listen", ln.Addr().String(), "jobs_scheduled", scheduled)
	if opt.Ready != nil {
		opt.Ready(ln.Addr().String())
	}
	sched.Start()

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		sched.Stop()
		return fmt.Errorf("pipeline: http: %w", err)
	case err := <-recv.errc:
		<-sched.Stop().Done()
		srv.Close()
		return err
	}
	// Stop intake first: no message is acknowledged after this point,
	// and every one acknowledged is on disk for the next run.
	recv.stop()
	n.Logger.Info("shutting down: no new runs; waiting for running batches", "timeout", opt.ShutdownTimeout.String())
	stopped := sched.Stop()
	select {
	case <-stopped.Done():
	case <-time.After(opt.ShutdownTimeout):
		n.Logger.Warn("shutdown timeout: aborting running batches")
		abortRuns()
		<-stopped.Done()
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(shutCtx)
	n.Logger.Info("stopped")
	return nil
}

// scheduledRun is one firing of a job. Runs are keyed by the data window
// they cover (the watermark), not by the moment they fire: a doubled
// firing on a daylight-saving day finds nothing new, and a missed one
// leaves the data for the next.
func (n *Node) scheduledRun(ctx context.Context, job string, metrics *Metrics) cron.FuncJob {
	return func() {
		if ctx.Err() != nil {
			return
		}
		start := time.Now()
		results, err := n.Run(ctx, RunOptions{Jobs: []string{job}})
		switch {
		case errors.Is(err, ErrLocked):
			n.Logger.Warn("skipped: another process is running this job", "job", job)
			return
		case err != nil && !errors.Is(err, ErrJobFailed):
			n.Logger.Error("run failed", "job", job, "err", err)
			metrics.Observe(JobResult{Job: job, Status: RunFailed}, time.Since(start), time.Now())
			return
		}
		for _, r := range results {
			metrics.Observe(r, time.Since(start), time.Now())
		}
	}
}

// wrapJob is how serve runs a job's firings: a firing while the job's
// previous run still goes is skipped, and logged with the job's name; a
// panic is recovered innermost (see recoverInnermost).
func wrapJob(logger *slog.Logger, job string, j cron.Job) cron.Job {
	return cron.NewChain(cron.SkipIfStillRunning(cronLogger{logger.With("job", job)}), recoverInnermost(logger, job)).Then(j)
}

// recoverInnermost recovers a panicking run and logs it. It must be the
// innermost wrapper: robfig/cron's SkipIfStillRunning only frees its slot
// when the job returns, so a panic escaping to an outer recover would
// leave the job skipped forever.
func recoverInnermost(logger *slog.Logger, job string) cron.JobWrapper {
	return func(j cron.Job) cron.Job {
		return cron.FuncJob(func() {
			defer func() {
				if p := recover(); p != nil {
					logger.Error("run panicked; the job will run again at its next time", "job", job, "panic", fmt.Sprint(p))
				}
			}()
			j.Run()
		})
	}
}

// cronLogger adapts slog to robfig/cron's logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		c.l.Warn("skipped a firing: the job's previous run is still going", kv...)
		return
	}
	c.l.Debug("cron: "+msg, kv...)
}
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
