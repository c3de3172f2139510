package exec

import (
	"context"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/internal/cputime"
)

// BenchmarkExecPhasesCPU reads the records of BenchmarkExecVsCSV and
// reports the processor time of each phase rather than elapsed time, the
// figure that holds on a machine so busy that a run mostly waits for a
// core: the exec connector's Plan (spooling the tap's output) and Read
// (the replay), and the csv connector's whole read, in ms a run.
func BenchmarkExecPhasesCPU(b *testing.B) {
	dir := benchInput(b)
	ex, err := connectors.Open("exec", connectors.Options{
		"command": []any{"sh", "-c", `cat tap.jsonl`}, "stream": "patients", "spool_dir": b.TempDir(),
	}, connectors.Env{BaseDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	cs, err := connectors.Open("csv", connectors.Options{"input": "patients.csv"}, connectors.Env{BaseDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var plan, read, csv time.Duration
	count := func(n *int) connectors.EmitFunc {
		return func(connectors.Record) error { *n++; return nil }
	}
	for b.Loop() {
		t0 := cputime.Must()
		to, err := ex.Plan(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		t1 := cputime.Must()
		var n, m int
		if err := ex.Read(ctx, nil, to, count(&n)); err != nil {
			b.Fatal(err)
		}
		t2 := cputime.Must()
		cto, err := cs.Plan(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := cs.Read(ctx, nil, cto, count(&m)); err != nil {
			b.Fatal(err)
		}
		t3 := cputime.Must()
		if n != benchRows || m != benchRows {
			b.Fatalf("read %d records by exec and %d by csv, want %d", n, m, benchRows)
		}
		plan, read, csv = plan+t1-t0, read+t2-t1, csv+t3-t2
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(b.N) / 1e6 }
	b.ReportMetric(ms(plan), "plan-cpu-ms")
	b.ReportMetric(ms(read), "read-cpu-ms")
	b.ReportMetric(ms(csv), "csv-cpu-ms")
	b.ReportMetric(ms(csv)/(ms(plan)+ms(read)), "exec/csv")
}
