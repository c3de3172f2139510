// Package storage owns where published batch files live when that is an
// object store: an S3-compatible bucket (or, for tests and single hosts, a
// file:// URL) opened through gocloud.dev/blob. It names the objects of
// the data-lake layout (layout.go), uploads and copies them, and reads
// them back by ranges for verification. Publishing into a local folder
// stays in package pipeline; this package is the second place a batch can
// go. Credentials come from environment variables named in the config and
// never appear in errors or logs.
package storage
