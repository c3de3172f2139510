package batchfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// seenRow is what a RowFunc saw of one row.
type seenRow struct {
	row       int64
	canonical string
	erased    bool
	leaf      [32]byte
}

func readAll(t *testing.T, path string, procs int) (Scan, []seenRow) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	var seen []seenRow
	sc, err := Read(context.Background(), path, func(row int64, canonical []byte, lh [32]byte) error {
		seen = append(seen, seenRow{row, string(canonical), canonical == nil, lh})
		return nil
	})
	if err != nil {
		t.Fatalf("read %s with GOMAXPROCS %d: %v", path, procs, err)
	}
	return sc, seen
}

// TestReadSameOnAnyCores reads files of three row groups, one with an
// erased row in each, on one and on four goroutines: the root,
// the erased rows and every row the RowFunc sees, in order, are the same,
// and the root is the writer's.
func TestReadSameOnAnyCores(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "b.parquet")
	const n = 2*DefaultBatchRows + 4500 // erase writes row groups of DefaultBatchRows
	res := writeBatch(t, src, samplePatients(n), 0)
	dst := filepath.Join(dir, "erased.parquet")
	erase := []int64{5, DefaultBatchRows + 1, n - 1}
	if _, err := Erase(context.Background(), src, dst, erase, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{src, dst} {
		one, seenOne := readAll(t, path, 1)
		four, seenFour := readAll(t, path, 4)
		if one.Rows != n || !bytes.Equal(one.Root, res.Root) {
			t.Fatalf("%s: %d rows, root %x; the writer wrote %d rows, root %x", path, one.Rows, one.Root, n, res.Root)
		}
		if !bytes.Equal(four.Root, one.Root) || four.Rows != one.Rows || !slices.Equal(four.Erased, one.Erased) {
			t.Fatalf("%s: four goroutines read %d rows, root %x, erased %v; one read %d, %x, %v", path, four.Rows, four.Root, four.Erased, one.Rows, one.Root, one.Erased)
		}
		if !slices.Equal(seenOne, seenFour) || len(seenOne) != n {
			t.Fatalf("%s: the RowFunc saw %d rows on one goroutine and %d on four, or not the same", path, len(seenOne), len(seenFour))
		}
		var erased []int64
		for i, r := range seenOne {
			if r.row != int64(i) {
				t.Fatalf("%s: row %d seen as row %d", path, i, r.row)
			}
			if r.erased {
				erased = append(erased, r.row)
			}
		}
		want := []int64(nil)
		if path == dst {
			want = erase
		}
		if !slices.Equal(erased, want) || !slices.Equal(one.Erased, want) {
			t.Fatalf("%s: erased rows %v (scan %v), want %v", path, erased, one.Erased, want)
		}
	}
	// An erased row keeps its leaf hash: the two files' rows hash alike.
	_, before := readAll(t, src, 2)
	_, after := readAll(t, dst, 2)
	for i := range before {
		if before[i].leaf != after[i].leaf {
			t.Fatalf("row %d: leaf hash %x before erasure, %x after", i, before[i].leaf, after[i].leaf)
		}
	}
}

// TestReadStopsAtRowFuncError: a RowFunc's error ends the read with that
// error, after no later row, whatever the number of goroutines.
func TestReadStopsAtRowFuncError(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.parquet")
	writeBatch(t, path, samplePatients(2500), 700)
	stop := errors.New("stop here")
	for _, procs := range []int{1, 4} {
		t.Run(fmt.Sprint(procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			last := int64(-1)
			_, err := Read(context.Background(), path, func(row int64, _ []byte, _ [32]byte) error {
				last = row
				if row == 1000 {
					return stop
				}
				return nil
			})
			if !errors.Is(err, stop) || last != 1000 {
				t.Fatalf("read: %v after row %d, want %v after row 1000", err, last, stop)
			}
		})
	}
}
