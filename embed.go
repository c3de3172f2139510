// Package healthanchor ships the sample sources that `healthanchor demo`
// copies into a fresh deployment (testdata/demo), so that the binary
// needs nothing else on disk.
package healthanchor

import "embed"

// DemoFS holds testdata/demo: one folder per source kind.
//
//go:embed testdata/demo
var DemoFS embed.FS
