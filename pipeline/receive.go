package pipeline

import (
	"context"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/healthanchor/healthanchor/connectors"
)

// Receiver is the optional ability of a connector that takes its input
// live rather than pulling it at run time (hl7 with listen: MLLP into a
// spool). serve runs Receive for the daemon's lifetime; the job's runs
// then Plan and Read what was received, exactly once, like any source.
type Receiver interface {
	// Listening reports whether the connector is configured to receive.
	Listening() bool
	// Receive takes input until ctx is done, then returns nil once what
	// it acknowledged is durable. ready, when set, is called once it
	// listens; an error before that means it could not start. Metrics
	// are registered on reg.
	Receive(ctx context.Context, reg prometheus.Registerer, ready func(addr string)) error
}

// receivers are the running Receive calls of serve.
type receivers struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	errc   chan error // a receiver that failed after it started
}

// startReceivers starts every job whose connector receives, and waits
// until each listens; it fails if one cannot start.
func (n *Node) startReceivers(reg prometheus.Registerer) (*receivers, error) {
	ctx, cancel := context.WithCancel(context.Background())
	rs := &receivers{cancel: cancel, errc: make(chan error, len(n.Config.Jobs))}
	for _, job := range n.Config.Jobs {
		conn, err := connectors.Open(job.Connector, job.Options, connectors.Env{
			Logger: n.Logger.With("job", job.Name), Location: n.Config.Location(), BaseDir: n.Config.Dir(), Job: job.Name,
		})
		if err != nil {
			rs.stop()
			return nil, fmt.Errorf("pipeline: job %s: %w", job.Name, err)
		}
		r, ok := conn.(Receiver)
		if !ok || !r.Listening() {
			continue
		}
		if job.Schedule == "" {
			n.Logger.Warn("job receives but has no schedule: only `run` anchors what it received", "job", job.Name)
		}
		ready := make(chan struct{})
		failed := make(chan error, 1)
		rs.wg.Add(1)
		go func() {
			defer rs.wg.Done()
			err := r.Receive(ctx, prometheus.WrapRegistererWith(prometheus.Labels{"job": job.Name}, reg),
				func(string) { close(ready) })
			if err != nil {
				err = fmt.Errorf("pipeline: job %s: receive: %w", job.Name, err)
				failed <- err
				rs.errc <- err
			}
		}()
		select {
		case <-ready:
		case err := <-failed:
			rs.stop()
			return nil, err
		}
	}
	return rs, nil
}

// stop stops every receiver and waits until what they acknowledged is
// durable.
func (rs *receivers) stop() {
	rs.cancel()
	rs.wg.Wait()
}
