package batchfile

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/healthanchor/healthanchor/anchor/merkle"
)

type leafVectors struct {
	Rows []struct {
		Row       int    `json:"row"`
		Canonical string `json:"canonical"`
		LeafHash  string `json:"leaf_hash"`
	} `json:"rows"`
	Roots map[string]string `json:"roots_of_first_k_rows"`
}

// TestLeafVectors reads the Parquet file written by DuckDB and checks every
// canonical record, leaf hash and prefix root against the published vectors.
func TestLeafVectors(t *testing.T) {
	raw, err := os.ReadFile("../../testdata/vectors/leaf-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var want leafVectors
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	var hashes [][]byte
	sc, err := Read(context.Background(), "../../testdata/vectors/leaf-vectors.parquet", func(row int64, canonical []byte, lh [32]byte) error {
		w := want.Rows[row]
		if string(canonical) != w.Canonical {
			t.Errorf("row %d canonical:\n got %s\nwant %s", row, canonical, w.Canonical)
		}
		if got := hex.EncodeToString(lh[:]); got != w.LeafHash {
			t.Errorf("row %d leaf hash = %s, want %s", row, got, w.LeafHash)
		}
		hashes = append(hashes, append([]byte(nil), lh[:]...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sc.Rows != int64(len(want.Rows)) {
		t.Fatalf("read %d rows, want %d", sc.Rows, len(want.Rows))
	}
	for k := 0; k <= len(hashes); k++ {
		got := hex.EncodeToString(merkle.RootOf(hashes[:k]))
		if w := want.Roots[strconv.Itoa(k)]; got != w {
			t.Errorf("root of first %d rows = %s, want %s", k, got, w)
		}
	}
	if got := hex.EncodeToString(sc.Root); got != want.Roots["5"] {
		t.Errorf("scan root = %s, want %s", got, want.Roots["5"])
	}
}
