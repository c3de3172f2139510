package pipeline

import (
	"context"
	"fmt"
	"maps"

	"github.com/healthanchor/healthanchor/connectors"
)

// Preview is a job's connector opened as run opens it, with the window run
// would read next. Reading it writes nothing.
type Preview struct {
	Conn   connectors.Connector
	Window Window
	// Pending is true when the window is one an interrupted run left.
	Pending bool
	// ControlChars is the job's control_chars rule (CheckControlChars).
	ControlChars string
}

// PreviewJob opens the named job's connector exactly as run does (its
// options, overlaid with set; the config's time zone and folder) and plans
// what run would read next: the window an interrupted run left, else from
// the job's watermark to now. With input, the connector reads that input
// instead, from the beginning. Nothing is written, to the state DB or
// anywhere else.
func (n *Node) PreviewJob(ctx context.Context, name string, set connectors.Options, input string) (Preview, error) {
	job, err := n.Config.Job(name)
	if err != nil {
		return Preview{}, err
	}
	opts := mergeOptions(job.Options, set)
	if input != "" {
		opts["input"] = input
	}
	conn, err := connectors.Open(job.Connector, opts, connectors.Env{
		Logger: n.Logger.With("job", job.Name), Location: n.Config.Location(), BaseDir: n.Config.Dir(), Job: job.Name,
	})
	if err != nil {
		return Preview{}, fmt.Errorf("job %s: %w", job.Name, err)
	}
	if input == "" {
		if w, ok, err := n.State.Pending(ctx, job.Name); err != nil || ok {
			return Preview{Conn: conn, Window: w, Pending: ok, ControlChars: job.ControlChars}, err
		}
	}
	var from []byte
	if input == "" {
		if from, err = n.State.Watermark(ctx, job.Name); err != nil {
			return Preview{}, err
		}
	}
	to, err := conn.Plan(ctx, from)
	if err != nil {
		return Preview{}, fmt.Errorf("job %s: plan: %w", job.Name, err)
	}
	return Preview{Conn: conn, Window: Window{From: from, To: to}, ControlChars: job.ControlChars}, nil
}

// mergeOptions returns base overlaid with over, nested maps merged key by
// key; neither argument is changed.
func mergeOptions(base, over connectors.Options) connectors.Options {
	out := maps.Clone(base)
	if out == nil {
		out = connectors.Options{}
	}
	for k, v := range over {
		if vm, ok := v.(map[string]any); ok {
			if bm, ok := out[k].(map[string]any); ok {
				out[k] = map[string]any(mergeOptions(bm, vm))
				continue
			}
		}
		out[k] = v
	}
	return out
}
