package patientindex

import (
	"context"
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
