package exchange

import (
	"strings"
	"testing"
	"time"
)

func TestGrantAllow(t *testing.T) {
	s := &Sharing{Grants: []Grant{
		{To: "b", Schemas: []string{"patient/1"}, Purposes: []string{"TREAT", "ETREAT"}},
		{To: "b", Schemas: []string{"observation/1"}, Purposes: []string{"TREAT"}, Until: "2026-01-31"},
		{To: "c", Schemas: []string{"patient/1"}, Purposes: []string{"HRESCH"}, Until: "2020-01-01"},
	}}
	jan := time.Date(2026, 1, 31, 23, 59, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, to, purpose string
		now               time.Time
		allowed, glass    bool
		schemas           int
		reason            string
	}{
		{"union of grants", "b", "TREAT", jan, true, false, 2, ""},
		{"until is inclusive, then ends", "b", "TREAT", feb, true, false, 1, ""},
		{"break glass", "b", "ETREAT", jan, true, true, 1, ""},
		{"no grant for purpose", "b", "HRESCH", jan, false, false, 0, "no grant to b for purpose HRESCH"},
		{"no grant at all", "d", "TREAT", jan, false, false, 0, "no grant to d"},
		{"expired", "c", "HRESCH", jan, false, false, 0, "expired"},
		{"unknown purpose", "b", "FUN", jan, false, false, 0, "not a PurposeOfUse"},
	}
	for _, c := range cases {
		d := s.Allow(c.to, c.purpose, c.now)
		if d.Allowed != c.allowed || d.BreakGlass != c.glass || len(d.Schemas) != c.schemas || !strings.Contains(d.Reason, c.reason) {
			t.Errorf("%s: got %+v", c.name, d)
		}
	}
	var none *Sharing
	if d := none.Allow("b", "TREAT", jan); d.Allowed {
		t.Error("no sharing section allowed a fetch")
	}
}

func TestGrantValidate(t *testing.T) {
	s := &Sharing{Grants: []Grant{
		{To: "b", Schemas: []string{"patient/1"}, Purposes: []string{"TREAT"}},
		{To: "z", Schemas: []string{"patient/9"}, Purposes: []string{"FUN"}, Until: "31/01/2026"},
		{},
	}}
	got := s.Validate([]string{"a", "b"})
	want := []string{"grants[1].to", "grants[1].schemas[0]", "grants[1].purposes[0]", "grants[1].until", "grants[2]"}
	var paths []string
	for _, p := range got {
		paths = append(paths, p.Path)
	}
	for _, w := range want {
		if !strings.Contains(strings.Join(paths, " "), w) {
			t.Errorf("no problem at %s; got %v", w, got)
		}
	}
	if ps := s.Grants[0:1]; len((&Sharing{Grants: ps}).Validate([]string{"b"})) != 0 {
		t.Error("a valid grant was refused")
	}
}
