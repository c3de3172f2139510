package patientindex

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

// TestIndexRemove: a removed batch's rows are forgotten, the others'
// kept, and removing again (or an unknown batch) does nothing.
func TestIndexRemove(t *testing.T) {
	ctx := context.Background()
	x, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, b := range [][]string{{"b1", "P1", "P2"}, {"b2", "P1"}} {
		if _, err := x.Add(ctx, b[0], writeBatch(t, b[0], b[1:]...)); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := x.Remove(ctx, "b1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Remove(ctx, "unknown"); err != nil {
		t.Fatal(err)
	}
	got, err := x.Lookup(ctx, "P1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []Location{{"b2", 0}}; !slices.Equal(got, want) {
		t.Errorf("P1 after removing b1: %v, want %v", got, want)
	}
	if got, _ := x.Lookup(ctx, "P2"); len(got) != 0 {
		t.Errorf("P2 only in b1 is still indexed: %v", got)
	}
	for id, want := range map[string]bool{"b1": false, "b2": true} {
		if got, err := x.Indexed(ctx, id); err != nil || got != want {
			t.Errorf("Indexed(%s) = %v, %v; want %v", id, got, err, want)
		}
	}
}

// TestIndexForget: a forgotten patient's records are gone from every
// batch, and every other patient's (many share its bucket) are kept.
func TestIndexForget(t *testing.T) {
	ctx := context.Background()
	x, err := Open(filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	const patients = 50_000
	ids := make([]string, patients)
	for i := range ids {
		ids[i] = fmt.Sprintf("P%d", i)
	}
	for _, b := range []string{"b1", "b2"} {
		if _, err := x.Add(ctx, b, writeBatch(t, b, ids...)); err != nil {
			t.Fatal(err)
		}
	}
	n, err := x.Forget(ctx, "P7")
	if err != nil || n != 2 {
		t.Fatalf("forget P7: %d, %v; want 2 records", n, err)
	}
	if got, _ := x.Lookup(ctx, "P7"); len(got) != 0 {
		t.Errorf("P7 after forget: %v", got)
	}
	if n, err := x.Forget(ctx, "P7"); err != nil || n != 0 {
		t.Errorf("forget P7 twice: %d, %v", n, err)
	}
	for i, id := range ids {
		if id == "P7" {
			continue
		}
		got, err := x.Lookup(ctx, id)
		if want := []Location{{"b1", int64(i)}, {"b2", int64(i)}}; err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s after forgetting P7: %v, %v; want %v", id, got, err, want)
		}
	}
}
