// Package exec is the exec connector: it runs an external program that
// speaks the Singer tap protocol (JSON lines of SCHEMA, RECORD and STATE
// messages on stdout), spools its output to disk with its final STATE,
// and maps the RECORD messages of one stream to canonical rows.
//
// Plan runs the tap (with --config and --state, the last committed
// STATE) with a spool file as its stdout, checking each line as JSON as
// it arrives, and returns a watermark naming the spool, its CRC-32C and
// the final STATE. Read replays the spool, fsyncing it meanwhile, so a run
// that crashes after the tap finished reads the same records again
// instead of running the tap a second time. The STATE becomes the job's watermark
// only when the pipeline commits the window, after its batches are
// anchored; Committed then removes the spool. See docs/exec.md.
package exec
