package pipeline

import (
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

func TestControlChars(t *testing.T) {
	mk := func() connectors.Record {
		row := connectors.NewRow(schemas.Patient, "his", "p.csv:3")
		row[schemas.Patient.Index("patient_id")] = schemas.TextValue("P1")
		row[schemas.Patient.Index("family_name")] = schemas.TextValue("Do\x00e")
		row[schemas.Patient.Index("city")] = schemas.TextValue("Ly\x1bon\tX")
		return connectors.Record{SourceRef: "p.csv:3", Schema: schemas.Patient, Row: row}
	}
	err := controlChars("", mk())
	if err == nil || !strings.Contains(err.Error(), "p.csv:3: family_name: control character U+0000 at byte 2") {
		t.Errorf("reject rule: %v", err)
	}
	r := mk()
	if err := controlChars(ControlStrip, r); err != nil {
		t.Fatal(err)
	}
	if got := r.Row[schemas.Patient.Index("family_name")].Str + "|" + r.Row[schemas.Patient.Index("city")].Str; got != "Doe|Lyon\tX" {
		t.Errorf("strip rule: %q", got)
	}
}
