package pipeline

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestProgressLogger(t *testing.T) {
	var buf bytes.Buffer
	clock := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	log := ProgressLogger(slog.New(slog.NewTextHandler(&buf, nil)), 10*time.Second, now)

	log(ProgressReport{Job: "j", Rows: 0, BytesTotal: 1000})
	clock = clock.Add(5 * time.Second)
	log(ProgressReport{Job: "j", Rows: 5000, BytesDone: 250, BytesTotal: 1000})
	if buf.Len() != 0 {
		t.Fatalf("logged before the interval: %s", buf.String())
	}
	clock = clock.Add(5 * time.Second)
	log(ProgressReport{Job: "j", Rows: 10000, BytesDone: 500, BytesTotal: 1000})
	line := buf.String()
	for _, want := range []string{"job=j", "rows=10000", "rows_per_s=1000", "bytes=500", "bytes_total=1000", "eta=10s"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %s", line, want)
		}
	}
	buf.Reset()
	clock = clock.Add(3 * time.Second)
	log(ProgressReport{Job: "j", Rows: 12000, BytesDone: 600, BytesTotal: 1000})
	log(ProgressReport{Job: "j", Rows: 20000, BytesDone: 1000, BytesTotal: 1000, Final: true})
	if buf.Len() != 0 {
		t.Errorf("logged within the interval or at the end: %s", buf.String())
	}
}
