package patientindex

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/schemas"
)

func writeBatch(t testing.TB, id string, patients ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), id+".parquet")
	w, err := batchfile.Create(path, schemas.Patient, id, []byte("0123456789abcdef"), batchfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range patients {
		r := schemas.Patient.NewRow()
		r[schemas.IdxSource] = schemas.TextValue("his")
		r[schemas.IdxSourceRef] = schemas.TextValue(fmt.Sprint(i))
		r[schemas.Patient.Index("patient_id")] = schemas.TextValue(p)
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIndexAddLookup(t *testing.T) {
	ctx := context.Background()
	x, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	b1 := writeBatch(t, "b1", "P1", `P"2`, "P1")
	b2 := writeBatch(t, "b2", "P3", "P1")
	for _, b := range [][2]string{{"b1", b1}, {"b2", b2}, {"b1", b1}} { // b1 twice: idempotent
		if _, err := x.Add(ctx, b[0], b[1]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := x.Lookup(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Location{{"b1", 0}, {"b1", 2}, {"b2", 1}}
	if !slices.Equal(got, want) {
		t.Errorf("P1 = %v, want %v", got, want)
	}
	if got, _ := x.Lookup(ctx, `P"2`); !slices.Equal(got, []Location{{"b1", 1}}) {
		t.Errorf(`P"2 (escaped in the canonical form) = %v`, got)
	}
	if got, err := x.Lookup(ctx, "nobody"); err != nil || len(got) != 0 {
		t.Errorf("unknown patient = %v, %v; want nothing and no error", got, err)
	}
}

// TestIndexManyRows indexes a batch of several record batches, several
// parts and several INSERT chunks, with each patient's rows spread
// over the file, and checks every patient's rows and the count.
func TestIndexManyRows(t *testing.T) {
	ctx := context.Background()
	defer func(n int) { runPairs = n }(runPairs)
	runPairs = 7_000
	x, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const rows, patients = 40_000, 997
	ids := make([]string, rows)
	for i := range ids {
		ids[i] = fmt.Sprintf("P%d", (i*7919)%patients)
	}
	n, err := x.Add(ctx, "big", writeBatch(t, "big", ids...))
	if err != nil || n != rows {
		t.Fatalf("indexed %d rows, %v; want %d", n, err, rows)
	}
	want := map[string][]Location{}
	for i, id := range ids {
		want[id] = append(want[id], Location{"big", int64(i)})
	}
	for id, w := range want {
		got, err := x.Lookup(ctx, id)
		if err != nil || !slices.Equal(got, w) {
			t.Fatalf("%s: %d rows %v, want %d", id, len(got), err, len(w))
		}
	}
}

// TestSpilledBatchIsOnePart indexes a batch longer than a run, so that
// its runs are spilled and merged: each bucket gets one row (part 0),
// holding the bucket's pairs in row order, the spill file is gone
// afterwards, and one a crash left behind is removed by Open.
func TestSpilledBatchIsOnePart(t *testing.T) {
	ctx := context.Background()
	defer func(n int) { runPairs = n }(runPairs)
	runPairs = 1_000
	dir := t.TempDir()
	stale := filepath.Join(dir, ".patients-spill-123")
	if err := os.WriteFile(stale, []byte("left by a crash"), 0o600); err != nil {
		t.Fatal(err)
	}
	x, err := Open(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatalf("a stale spill file survived Open: %v", err)
	}
	const rows = 5_500
	ids := make([]string, rows)
	buckets := map[uint32]bool{}
	for i := range ids {
		ids[i] = fmt.Sprintf("P%d", (i*31)%2_000)
		buckets[bucketOf(ids[i])] = true
	}
	if n, err := x.Add(ctx, "long", writeBatch(t, "long", ids...)); err != nil || n != rows {
		t.Fatalf("indexed %d rows, %v; want %d", n, err, rows)
	}
	var stored, parts int
	if err := x.db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT part) FROM patient_buckets`).Scan(&stored, &parts); err != nil {
		t.Fatal(err)
	}
	if stored != len(buckets) || parts != 1 {
		t.Errorf("%d bucket rows in %d parts, want %d rows in one part", stored, parts, len(buckets))
	}
	for i := 0; i < 2_000; i += 97 {
		id := fmt.Sprintf("P%d", i)
		var want []Location
		for r, v := range ids {
			if v == id {
				want = append(want, Location{"long", int64(r)})
			}
		}
		if got, err := x.Lookup(ctx, id); err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s: %v %v, want %v", id, got, err, want)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, spillPattern)); len(left) != 0 {
		t.Errorf("spill files left after Add: %v", left)
	}
}

var benchRows = flag.Int("index-rows", 10_000_000, "rows in the patient index for BenchmarkLookup")

// BenchmarkLookup builds an index of -index-rows rows (10 million by
// default: 1 million patients of 10 records in 1,000 batches) once, then
// looks up random patients, reporting p50 and p99.
func BenchmarkLookup(b *testing.B) {
	ctx := context.Background()
	x := benchIndex(b)
	patients := *benchRows / 10
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		got, err := x.Lookup(ctx, fmt.Sprintf("P%08d", (i*104729)%patients))
		if err != nil || len(got) == 0 {
			b.Fatalf("lookup: %v %v", got, err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// TestMain removes the benchmark's index after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if benchIx != nil {
		benchIx.Close()
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

var (
	benchDir  string
	benchOnce sync.Once
	benchIx   *Index
	benchErr  error
)

// fillBench fills x with rows rows, 10 a patient, in 1,000 batches, the
// way Add does (a transaction a batch) without writing and reading the
// batch files.
func fillBench(x *Index, rows int) error {
	ctx := context.Background()
	patients, per := rows/10, rows/1000
	for b := range 1000 {
		tx, err := x.db.Begin()
		if err != nil {
			return err
		}
		in, err := newInserter(ctx, tx, fmt.Sprintf("%064x", b))
		if err != nil {
			return err
		}
		for i := b * per; i < (b+1)*per; i++ {
			if err := in.add(ctx, fmt.Sprintf("P%08d", (i*7919)%patients), int64(i)); err != nil {
				return err
			}
		}
		err = in.finish(ctx)
		in.close()
		if err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// benchIndex builds the benchmark's index once per process (the
// benchmark function runs several times), in a temporary folder it
// names on stderr and removes in TestMain.
func benchIndex(b *testing.B) *Index {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "patientindex-bench-")
		benchDir = dir
		if err != nil {
			benchErr = err
			return
		}
		x, err := Open(filepath.Join(dir, FileName))
		if err != nil {
			benchErr = err
			return
		}
		start := time.Now()
		benchErr = fillBench(x, *benchRows)
		if benchErr != nil {
			return
		}
		benchIx = x
		fmt.Fprintf(os.Stderr, "patient index: built %d rows in %s (%s)\n", *benchRows, time.Since(start).Round(time.Millisecond), dir)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchIx
}
