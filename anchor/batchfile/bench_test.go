package batchfile

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/schemas"
)

// BenchmarkWriter measures the whole batch writer: salting, Arrow
// building, Parquet (zstd) encoding and Merkle hashing, for 100k rows.
func BenchmarkWriter(b *testing.B) {
	rows := samplePatients(100_000)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		path := filepath.Join(dir, "b.parquet")
		w, err := Create(path, schemas.Patient, "bench", []byte("0123456789abcdef"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Append(r); err != nil {
				b.Fatal(err)
			}
		}
		res, err := w.Close()
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(res.Size)
		b.StopTimer()
		removeFile(b, path)
		b.StartTimer()
	}
	b.ReportMetric(float64(len(rows)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkErase rewrites a 100k-row patient batch file with three rows
// erased (one patient's records spread over the file), as erase does for
// each batch holding the patient: read, re-hash, rewrite, fsync. Beside
// it, "read" is verify's pass over the same file (read and re-hash), so
// one run compares the two; run it with -count to see the spread. It
// reports the bytes rewritten per file.
func BenchmarkErase(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join(dir, "b.parquet")
	writeBatch(b, src, samplePatients(100_000), 0)
	rows := []int64{17, 50_000, 99_999}
	b.Run("erase", func(b *testing.B) {
		var size int64
		for i := 0; i < b.N; i++ {
			dst := filepath.Join(dir, "erased.parquet")
			res, err := Erase(context.Background(), src, dst, rows, 0o600)
			if err != nil || res.New != int64(len(rows)) {
				b.Fatalf("erase: %+v, %v", res, err)
			}
			size = res.Size
			b.StopTimer()
			removeFile(b, dst)
			b.StartTimer()
		}
		b.SetBytes(size)
		b.ReportMetric(float64(size), "bytes/file")
	})
	b.Run("read", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sc, err := Read(context.Background(), src, nil)
			if err != nil || sc.Rows != 100_000 {
				b.Fatalf("read: %d rows, %v", sc.Rows, err)
			}
			b.SetBytes(sc.Size)
		}
	})
}

// BenchmarkRead is verify's pass over a 262,144-row patient batch file
// (eight row groups): hash the bytes, decode every row, rebuild and hash
// each canonical record, recompute the root. Row groups decode on up to
// GOMAXPROCS goroutines: compare -cpu 1,2.
func BenchmarkRead(b *testing.B) {
	const rows = 8 * DefaultBatchRows
	src := filepath.Join(b.TempDir(), "b.parquet")
	writeBatch(b, src, samplePatients(rows), 0)
	for b.Loop() {
		sc, err := Read(context.Background(), src, nil)
		if err != nil || sc.Rows != rows {
			b.Fatalf("read: %d rows, %v", sc.Rows, err)
		}
		b.SetBytes(sc.Size)
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
