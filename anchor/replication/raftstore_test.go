package replication

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/raft"
)

func TestRaftStoreLogAndStable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "raft.db")
	s, err := openRaftStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if i, _ := s.LastIndex(); i != 0 {
		t.Fatalf("empty store last index %d", i)
	}
	at := time.Unix(1700000000, 5)
	var logs []*raft.Log
	for i := uint64(1); i <= 5; i++ {
		logs = append(logs, &raft.Log{Index: i, Term: 2, Type: raft.LogCommand, Data: []byte{byte(i)}, AppendedAt: at})
	}
	if err := s.StoreLogs(logs); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRange(1, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetUint64([]byte("CurrentTerm"), 7); err != nil {
		t.Fatal(err)
	}
	if err := s.Set([]byte("LastVoteCand"), []byte("node2")); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Everything survives a reopen (the writes were committed durably).
	s, err = openRaftStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first, _ := s.FirstIndex()
	last, _ := s.LastIndex()
	if first != 3 || last != 5 {
		t.Fatalf("first %d last %d, want 3 5", first, last)
	}
	var l raft.Log
	if err := s.GetLog(4, &l); err != nil {
		t.Fatal(err)
	}
	if l.Index != 4 || l.Term != 2 || l.Type != raft.LogCommand || string(l.Data) != "\x04" || !l.AppendedAt.Equal(at) {
		t.Fatalf("log 4 read back as %+v", l)
	}
	if err := s.GetLog(1, &l); err != raft.ErrLogNotFound {
		t.Fatalf("deleted log: %v, want ErrLogNotFound", err)
	}
	if v, _ := s.GetUint64([]byte("CurrentTerm")); v != 7 {
		t.Fatalf("CurrentTerm %d", v)
	}
	if v, _ := s.GetUint64([]byte("missing")); v != 0 {
		t.Fatalf("missing counter %d", v)
	}
	if _, err := s.Get([]byte("missing")); err == nil || err.Error() != "not found" {
		t.Fatalf("missing key: %v, want \"not found\" as raft expects", err)
	}
	if v, _ := s.Get([]byte("LastVoteCand")); string(v) != "node2" {
		t.Fatalf("LastVoteCand %q", v)
	}
}

// TestAppliedRecordsWaitForNoFsync checks the applied-index records go
// through a connection with synchronous=NORMAL (no fsync of their own)
// while Raft's log keeps synchronous=FULL, and that a record is read back
// by the store's other connections and after a reopen.
func TestAppliedRecordsWaitForNoFsync(t *testing.T) {
	path := filepath.Join(t.TempDir(), "raft.db")
	s, err := openRaftStore(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	rec := appliedEntry{Index: 7, EntryHash: entryHash([]byte("entry")), Height: 3, BlockHash: "ab"}
	if err := s.recordApplied(ctx, rec); err != nil {
		t.Fatal(err)
	}
	var lazy, full int
	if err := s.lazy.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&lazy); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&full); err != nil {
		t.Fatal(err)
	}
	if lazy != 1 || full != 2 {
		t.Fatalf("synchronous: applied records %d, Raft log %d; want 1 (NORMAL) and 2 (FULL)", lazy, full)
	}
	if got, ok, err := s.appliedAt(ctx, 7); err != nil || !ok || got != rec {
		t.Fatalf("applied at 7: %+v %v %v, want %+v", got, ok, err, rec)
	}
	if err := s.StoreLogs([]*raft.Log{{Index: 8, Term: 1, Type: raft.LogCommand, Data: []byte("next")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = openRaftStore(path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, ok, err := s.appliedAt(ctx, 7); err != nil || !ok || got != rec {
		t.Fatalf("after reopen, applied at 7: %+v %v %v, want %+v", got, ok, err, rec)
	}
}
