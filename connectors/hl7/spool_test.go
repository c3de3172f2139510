package hl7

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func putMsg(t *testing.T, s *Spool, facility, id string) bool {
	t.Helper()
	msg := []byte(adtMsg(facility, id))
	dup, err := s.put(msg, readHeader(msg))
	if err != nil {
		t.Fatal(err)
	}
	return dup
}

func segmentsIn(t *testing.T, dir string) (sealed, open []uint64) {
	t.Helper()
	segs, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range segs {
		if s.open {
			open = append(open, s.seq)
		} else {
			sealed = append(sealed, s.seq)
		}
	}
	return sealed, open
}

// TestSpoolCrashRecovery: what a crash left in the open segment (acked
// messages, then half a block) is sealed at the next open, torn tail
// cut, and resends of the acked messages are still recognised.
func TestSpoolCrashRecovery(t *testing.T) {
	dir := t.TempDir()
	s, err := openSpool(dir, spoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"A", "B", "C"} {
		putMsg(t, s, "HOSP", id)
	}
	// Simulate kill -9: drop the spool without Close, then a torn block.
	f, err := os.OpenFile(filepath.Join(dir, segmentName(1, openExt)), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\x0bMSH|^~\\&|ADT|HOSP|HA|AGENCY|2026||ADT^A01|D|P|2.5")
	f.Close()
	liveSpools.Delete(s.dir)
	unlockSpool(s.lock)

	s2, err := openSpool(dir, spoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if sealed, open := segmentsIn(t, dir); len(sealed) != 1 || len(open) != 0 {
		t.Fatalf("after recovery: sealed %v, open %v", sealed, open)
	}
	b, _ := os.ReadFile(filepath.Join(dir, segmentName(1, sealedExt)))
	if want := "\x0b" + adtMsg("HOSP", "C") + "\x1c\r"; len(b) < len(want) || string(b[len(b)-len(want):]) != want {
		t.Errorf("segment 1 does not end with message C: %q", b[max(0, len(b)-80):])
	}
	if !putMsg(t, s2, "HOSP", "B") {
		t.Error("a resend of B after the crash was stored again")
	}
	if putMsg(t, s2, "HOSP", "D") {
		t.Error("D, torn and never acknowledged, was taken for a resend")
	}
	if got := s2.depth(); got != 4 {
		t.Errorf("depth = %d, want 4", got)
	}
	if last, err := s2.Seal(); err != nil || last != 2 {
		t.Errorf("Seal = %d, %v; want 2", last, err)
	}
	s2.setTaken(1)
	if got := s2.depth(); got != 1 {
		t.Errorf("depth after a run took segment 1 = %d, want 1", got)
	}
}

// TestSpoolOneListener: a second spool on the same folder is refused.
func TestSpoolOneListener(t *testing.T) {
	dir := t.TempDir()
	s, err := openSpool(dir, spoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := openSpool(dir, spoolOptions{}); err == nil {
		t.Fatal("a second listener opened the same spool")
	}
}

// TestSpoolWindow: a message id is forgotten once its segment is older
// than the window, and segments anchored and past the window are pruned,
// the newest kept so that numbers never come back.
func TestSpoolWindow(t *testing.T) {
	dir := t.TempDir()
	s, err := openSpool(dir, spoolOptions{window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	putMsg(t, s, "HOSP", "OLD")
	s.Seal()
	putMsg(t, s, "HOSP", "NEW")
	s.Seal()
	s.Close()
	old := time.Now().Add(-2 * time.Hour)
	for _, seq := range []uint64{1, 2} {
		os.Chtimes(filepath.Join(dir, segmentName(seq, sealedExt)), old, old)
	}
	segs, _ := listSegments(dir)
	if err := prune(dir, segs, 2, time.Hour); err != nil {
		t.Fatal(err)
	}
	if sealed, _ := segmentsIn(t, dir); len(sealed) != 1 || sealed[0] != 2 {
		t.Errorf("after pruning: %v, want [2]", sealed)
	}
	s2, err := openSpool(dir, spoolOptions{window: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if putMsg(t, s2, "HOSP", "NEW") {
		t.Error("a resend past the window was taken for a duplicate")
	}
	if last, _ := s2.Seal(); last != 3 {
		t.Errorf("new segment numbered %d, want 3", last)
	}
}
