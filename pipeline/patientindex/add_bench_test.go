package patientindex

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkAdd indexes one batch file of 200,000 rows, each naming its
// own patient in a shuffled order, into an index that already holds
// one such batch.
func BenchmarkAdd(b *testing.B) {
	ctx := context.Background()
	const rows = 200_000
	ids := make([]string, rows)
	for i := range ids {
		ids[i] = fmt.Sprintf("P%08d", (i*7919)%rows)
	}
	path := writeBatch(b, "big", ids...)
	x, err := Open(filepath.Join(b.TempDir(), FileName))
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Add(ctx, "first", path); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := x.Add(ctx, fmt.Sprintf("batch-%d", i), path); err != nil {
			b.Fatal(err)
		}
	}
}
