package pipeline

import (
	"context"
	"time"
)

// RetentionEvery is how often serve applies the jobs' retention.
const RetentionEvery = 24 * time.Hour

// RetainDaily applies the jobs' retention (ApplyRetention) at once and
// then every RetentionEvery until ctx is done, logging each batch
// removed and each failure (the next day's apply finishes what a failed
// one left). serve runs it beside the jobs when some job has a retention.
func (n *Node) RetainDaily(ctx context.Context) {
	log := n.Logger.With("component", "retention")
	for {
		acts, err := n.ApplyRetention(ctx, false)
		for _, a := range acts {
			log.Info("retention: batch files removed", "batch", a.BatchID, "job", a.Job, "retention", a.Retention, "entry_height", a.EntryHeight)
		}
		if err != nil && ctx.Err() == nil {
			log.Error("retention: apply failed; the next apply finishes it", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(RetentionEvery):
		}
	}
}

// HasRetention says whether some job of the config has a retention.
func (c *Config) HasRetention() bool {
	for _, j := range c.Jobs {
		if _, ok := j.RetentionPeriod(); ok {
			return true
		}
	}
	return false
}
