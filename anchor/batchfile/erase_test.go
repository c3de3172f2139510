package batchfile

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// leavesOf reads path and returns each row's leaf hash and canonical
// record (nil for an erased row).
func leavesOf(t *testing.T, path string) (Scan, [][32]byte, [][]byte) {
	t.Helper()
	var lhs [][32]byte
	var canon [][]byte
	sc, err := Read(context.Background(), path, func(_ int64, c []byte, lh [32]byte) error {
		lhs = append(lhs, lh)
		if c == nil {
			canon = append(canon, nil)
		} else {
			canon = append(canon, append([]byte{}, c...))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sc, lhs, canon
}

// TestEraseKeepsRoot erases rows across record batches: the rewritten
// file has the same root and leaf hashes, the erased rows no values, the
// kept rows the same records; erasing them again writes nothing.
func TestEraseKeepsRoot(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "b.parquet")
	res := writeBatch(t, src, samplePatients(250), 100)
	_, wantLeaves, wantCanon := leavesOf(t, src)
	erase := []int64{0, 99, 100, 101, 249}
	dst := filepath.Join(dir, "b.erased")
	er, err := Erase(context.Background(), src, dst, erase, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if er.New != int64(len(erase)) || !slices.Equal(er.Erased, erase) || !bytes.Equal(er.Root, res.Root) {
		t.Fatalf("erase: new %d erased %v root %x, want %d %v %x", er.New, er.Erased, er.Root, len(erase), erase, res.Root)
	}
	sc, leaves, canon := leavesOf(t, dst)
	if !bytes.Equal(sc.Root, res.Root) || !slices.Equal(sc.Erased, erase) || sc.Meta[MetaErasedRows] != "5" {
		t.Fatalf("rewritten file: root %x erased %v meta %q, want %x %v 5", sc.Root, sc.Erased, sc.Meta[MetaErasedRows], res.Root, erase)
	}
	if sc.Meta[MetaMerkleRoot] != hex.EncodeToString(res.Root) || sc.Meta[MetaBatchID] != "batch-1" {
		t.Errorf("footer not carried over: %v", sc.Meta)
	}
	for i := range leaves {
		if leaves[i] != wantLeaves[i] {
			t.Errorf("row %d: leaf hash changed", i)
		}
		gone := slices.Contains(erase, int64(i))
		if gone && canon[i] != nil {
			t.Errorf("row %d: erased but has record %s", i, canon[i])
		}
		if !gone && !bytes.Equal(canon[i], wantCanon[i]) {
			t.Errorf("row %d: kept record changed:\n%s\n%s", i, canon[i], wantCanon[i])
		}
	}
	// Again, with one more row: only that one is new.
	dst2 := filepath.Join(dir, "b.erased2")
	er, err = Erase(context.Background(), dst, dst2, []int64{5, 99}, 0o600)
	if err != nil || er.New != 1 || len(er.Erased) != 6 {
		t.Fatalf("second erase: %+v, %v", er, err)
	}
	if sc, _, _ := leavesOf(t, dst2); !bytes.Equal(sc.Root, res.Root) {
		t.Errorf("second rewrite changed the root")
	}
	// Nothing new: nothing left at dst.
	dst3 := filepath.Join(dir, "b.erased3")
	er, err = Erase(context.Background(), dst2, dst3, erase, 0o600)
	if err != nil || er.New != 0 {
		t.Fatalf("erasing erased rows: %+v, %v", er, err)
	}
	if _, err := os.Stat(dst3); !os.IsNotExist(err) {
		t.Errorf("a no-op erase left %s", dst3)
	}
	if _, err := Erase(context.Background(), src, filepath.Join(dir, "x"), []int64{250}, 0o600); err == nil {
		t.Errorf("erasing a row past the end succeeded")
	}
}

// TestEraseTamperedLeaf: a rewritten file whose kept leaf hash is changed
// reads with another root.
func TestEraseTamperedLeaf(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "b.parquet")
	res := writeBatch(t, src, samplePatients(20), 0)
	dst := filepath.Join(dir, "b.erased")
	if _, err := Erase(context.Background(), src, dst, []int64{3}, 0o600); err != nil {
		t.Fatal(err)
	}
	_, leaves, _ := leavesOf(t, dst)
	raw, _ := os.ReadFile(dst)
	h := []byte(hex.EncodeToString(leaves[3][:]))
	i := bytes.Index(raw, h)
	if i < 0 {
		t.Fatalf("the erased row's leaf hash %s is not in the file as plain text", h)
	}
	if raw[i] == '0' { // another hex digit, so the column still decodes
		raw[i] = '1'
	} else {
		raw[i] = '0'
	}
	os.WriteFile(dst, raw, 0o600)
	sc, err := Read(context.Background(), dst, nil)
	if err == nil && bytes.Equal(sc.Root, res.Root) {
		t.Fatalf("a flipped kept leaf hash still gives root %x", sc.Root)
	}
}
