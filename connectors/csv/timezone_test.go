package csv

import (
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// TestTimezoneOption: a job's timezone option decides the zone of naive
// timestamps, over the zone the pipeline passes; times with an offset keep
// theirs.
func TestTimezoneOption(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "p.csv", "patient_id,updated_at\nA,2026-07-01 12:00:00\nB,2026-07-01T12:00:00Z\n")
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		zone string
		env  *time.Location
		want string
	}{
		{"", nil, "2026-07-01T12:00:00.000000Z"},
		{"", paris, "2026-07-01T10:00:00.000000Z"},
		{"America/New_York", paris, "2026-07-01T16:00:00.000000Z"},
	} {
		opts := connectors.Options{"input": "p.csv"}
		if tc.zone != "" {
			opts["timezone"] = tc.zone
		}
		c, err := connectors.Open("csv", opts, connectors.Env{BaseDir: dir, Location: tc.env})
		if err != nil {
			t.Fatal(err)
		}
		recs, _ := readAll(t, c, nil)
		if len(recs) != 2 || recs[0].Reject != nil || recs[1].Reject != nil {
			t.Fatalf("zone %q: %d records (%v)", tc.zone, len(recs), recs)
		}
		if got := schemas.Patient.Map(recs[0].Row)["updated_at"]; got != tc.want {
			t.Errorf("zone %q, job zone %v: naive time is %v, want %s", tc.zone, tc.env, got, tc.want)
		}
		if b := schemas.Patient.Map(recs[1].Row)["updated_at"]; b != "2026-07-01T12:00:00.000000Z" {
			t.Errorf("zone %q: a UTC time moved to %v", tc.zone, b)
		}
	}
	_, err = connectors.Open("csv", connectors.Options{"input": "p.csv", "timezone": "Mars/Olympus"}, connectors.Env{BaseDir: dir})
	if err == nil || !strings.Contains(err.Error(), "timezone") {
		t.Errorf("an unknown zone gave %v", err)
	}
}
