package batchfile

import (
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
