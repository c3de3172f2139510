package patientindex

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/healthanchor/healthanchor/anchor"
)

// oldIndex makes an index file as a version before PageSize did: SQLite's
// default pages, in WAL mode.
func oldIndex(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), FileName)
	db, err := anchor.OpenDB(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// openIndex opens the index at path, closed when the test ends.
func openIndex(t *testing.T, path string) *Index {
	t.Helper()
	x, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

func pageSizeAndMode(t *testing.T, x *Index) (int, string) {
	t.Helper()
	size, err := x.PageSize(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := x.db.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	return size, mode
}

func TestNewIndexHasLargePages(t *testing.T) {
	x := openIndex(t, filepath.Join(t.TempDir(), FileName))
	if size, mode := pageSizeAndMode(t, x); size != PageSize || mode != "wal" {
		t.Fatalf("new index: page size %d, journal %s; want %d, wal", size, mode, PageSize)
	}
}

func TestResetGivesAnOldIndexLargePages(t *testing.T) {
	ctx := context.Background()
	path := oldIndex(t)
	x := openIndex(t, path)
	if size, _ := pageSizeAndMode(t, x); size == PageSize {
		t.Fatalf("the old index already has %d-byte pages: the test proves nothing", size)
	}
	b1 := writeBatch(t, "b1", "P1", "P2", "P1")
	if _, err := x.Add(ctx, "b1", b1); err != nil {
		t.Fatal(err)
	}
	if err := x.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if size, mode := pageSizeAndMode(t, x); size != PageSize || mode != "wal" {
		t.Fatalf("after Reset: page size %d, journal %s; want %d, wal", size, mode, PageSize)
	}
	if got, err := x.Lookup(ctx, "P1"); err != nil || len(got) != 0 {
		t.Fatalf("after Reset, P1: %v %v; want nothing", got, err)
	}
	if _, err := x.Add(ctx, "b1", b1); err != nil {
		t.Fatal(err)
	}
	if got, err := x.Lookup(ctx, "P1"); err != nil || !slices.Equal(got, []Location{{"b1", 0}, {"b1", 2}}) {
		t.Fatalf("after Reset and Add, P1: %v %v", got, err)
	}
}

// An index another connection has open keeps its pages through a Reset,
// which still empties it and leaves it in WAL mode.
func TestResetWhileOpenElsewhereKeepsPages(t *testing.T) {
	ctx := context.Background()
	path := oldIndex(t)
	other := openIndex(t, path)
	if _, err := other.Batches(ctx); err != nil { // holds a connection, as a serving node does
		t.Fatal(err)
	}
	x := openIndex(t, path)
	if _, err := x.Add(ctx, "b1", writeBatch(t, "b1", "P1")); err != nil {
		t.Fatal(err)
	}
	if err := x.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	size, mode := pageSizeAndMode(t, x)
	if size == PageSize || mode != "wal" {
		t.Fatalf("reset while open elsewhere: page size %d, journal %s; want the old size, wal", size, mode)
	}
	if have, err := other.Batches(ctx); err != nil || len(have) != 0 {
		t.Fatalf("after Reset the other connection sees %v %v; want no batch", have, err)
	}
}
