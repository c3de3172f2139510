package lifecycle

import (
	"crypto/ed25519"
	"strings"
	"testing"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/exchange"
)

// TestEntryEvent maps one entry of each exported kind and checks the
// codes an auditor's tool keys on: type, action, purpose, agents,
// entities and the description.
func TestEntryEvent(t *testing.T) {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	at := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	cases := []struct {
		kind, typ, desc string
		body            any
		action          fhir.AuditEventAction
		entities        int
	}{
		{anchor.KindDisclosure, "110106", "2 records disclosed to registry for TREAT (break-glass)",
			exchange.Disclosure{Recipient: "registry", Purpose: "TREAT", BreakGlass: true, Records: 2, Batches: []string{"b1", "b2"}}, fhir.AuditEventActionR, 2},
		{anchor.KindErasure, "110110", "3 rows erased, reason gdpr-art17, request R-1",
			anchor.ErasureBody{Reason: "gdpr-art17", Request: "R-1", Files: []anchor.ErasedRows{{BatchID: "b1", File: "rows", Rows: []int64{0, 4}}, {BatchID: "b1", File: "rejects", Rows: []int64{1}}}}, fhir.AuditEventActionD, 1},
		{anchor.KindRetention, "110110", "files rows, rejects of job inbox removed under retention 10y",
			RetentionEntry{BatchID: "b3", Job: "inbox", Retention: "10y", Files: []string{"rows", "rejects"}}, fhir.AuditEventActionD, 1},
	}
	for _, c := range cases {
		e, err := anchor.NewEntry("chain", c.kind, "hospital", c.body, key, at)
		if err != nil {
			t.Fatal(err)
		}
		a := anchor.AnchoredEntry{Entry: e, ID: strings.Repeat("ab", 32), Height: 4, Time: at.Format(time.RFC3339)}
		ev, err := entryEvent("chain", Agency{ID: "hospital", Name: "City Hospital"}, a)
		if err != nil {
			t.Fatalf("%s: %v", c.kind, err)
		}
		if ev.Type.Code == nil || *ev.Type.Code != c.typ || ev.Action == nil || *ev.Action != c.action {
			t.Errorf("%s: type %v action %v, want %s %v", c.kind, ev.Type.Code, ev.Action, c.typ, c.action)
		}
		if ev.OutcomeDesc == nil || *ev.OutcomeDesc != c.desc {
			t.Errorf("%s: description %v, want %q", c.kind, ev.OutcomeDesc, c.desc)
		}
		if len(ev.Entity) != c.entities {
			t.Errorf("%s: %d entities, want %d", c.kind, len(ev.Entity), c.entities)
		}
		if c.kind == anchor.KindDisclosure {
			if len(ev.Agent) != 2 || len(ev.PurposeOfEvent) != 1 || *ev.PurposeOfEvent[0].Coding[0].Code != "TREAT" {
				t.Errorf("disclosure: agents %d, purpose %v", len(ev.Agent), ev.PurposeOfEvent)
			}
		}
	}
	e, _ := anchor.NewEntry("chain", anchor.KindErasure, "hospital", map[string]any{"reason": 7}, key, at)
	if _, err := entryEvent("chain", Agency{ID: "hospital"}, anchor.AnchoredEntry{Entry: e, ID: strings.Repeat("ab", 32)}); err == nil {
		t.Error("an erasure body that does not decode gave an AuditEvent")
	}
}
