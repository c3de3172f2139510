package main

import (
	"context"
	"log/slog"
	"net"

	"github.com/healthanchor/healthanchor/audit"
	"github.com/healthanchor/healthanchor/pipeline"
)

// startExplorer listens on the config's ui.listen and serves the web
// explorer over the node's stores in the background. stop ends it and
// returns once it has stopped, so that the stores can close after it.
func startExplorer(ctx context.Context, n *pipeline.Node, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", n.Config.UI.Listen)
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	ctx, cancel := context.WithCancel(ctx)
	e := audit.NewExplorer(auditSources(n), *n.Config.UI, logger.With("component", "explorer"))
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := e.Serve(ctx, ln); err != nil {
			logger.Error("explorer stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }, nil
}
