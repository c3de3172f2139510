package connectors

import "context"

// Committer is implemented by connectors that must learn when a window's
// batches are anchored and its watermark committed, such as exec, which
// then removes the spool files of committed windows. The pipeline calls
// Committed after the job's watermark has moved to to; an error is logged,
// never undoes the commit, and Committed may not be called at all after a
// crash (the connector then cleans up at a later commit).
type Committer interface {
	Committed(ctx context.Context, from, to Watermark) error
}
