package pipeline

import (
	"context"
	"path/filepath"
	"testing"
)

// TestDisclosedRows checks the exact match of disclosures --patient: two
// patients in one batch, a disclosure that sent only the first patient's
// row and one that sent the whole batch; the second patient's rows find
// only the whole-batch disclosure, and recording again changes nothing.
func TestDisclosedRows(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenState(filepath.Join(dir, "state.db"), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p1 := []BatchRow{{"b1", 0}, {"b2", 3}}
	p2 := []BatchRow{{"b1", 1}}
	for i := 0; i < 2; i++ { // the second time is a replay of the records
		if err := s.RecordDisclosure(ctx, "only-p1", []BatchRow{{"b1", 0}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RecordDisclosure(ctx, "whole-b1", []BatchRow{{"b1", 0}, {"b1", 1}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		rows []BatchRow
		want []string
	}{
		{"patient 1", p1, []string{"only-p1", "whole-b1"}},
		{"patient 2", p2, []string{"whole-b1"}},
		{"no rows", nil, nil},
		{"rows never sent", []BatchRow{{"b2", 3}, {"b1", 2}}, nil},
	} {
		got, err := s.DisclosuresOf(ctx, c.rows)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: disclosures %v, want %v", c.name, got, c.want)
		}
		for _, id := range c.want {
			if !got[id] {
				t.Errorf("%s: disclosures %v lack %s", c.name, got, id)
			}
		}
	}
}
