package hl7

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
	"github.com/healthanchor/healthanchor/schemas"
)

// copySamples copies sample files into a fresh folder, the connector's
// base folder.
func copySamples(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(sampleDir, n))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func openIn(t testing.TB, dir string, opts connectors.Options, log *slog.Logger) connectors.Connector {
	t.Helper()
	c, err := connectors.Open("hl7", opts, connectors.Env{BaseDir: dir, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformance(t *testing.T) {
	// batch_custom.hl7 is left out: its BTS mismatch is a reject, and the
	// kit's determinism check compares records with fmt.Sprint, which
	// prints a reject's pointer. The golden test covers that file.
	good := copySamples(t, "adt_cr.hl7", "oru_lf.hl7", "mllp_capture.hl7")
	bad := copySamples(t, "broken.hl7")
	connectortest.Run(t, connectortest.Case{
		Open: func(t *testing.T) connectors.Connector {
			return openIn(t, good, connectors.Options{"input": "*.hl7"}, nil)
		},
		Rows:    map[string]int{"patient/1": 17, "encounter/1": 8, "observation/1": 13, "order/1": 5},
		Rejects: 0,
		OpenBad: func(t *testing.T) connectors.Connector {
			return openIn(t, bad, connectors.Options{"input": "broken.hl7"}, nil)
		},
	})
}

// TestAccounting checks read = written + rejected per file: every
// message of every sample is a row set or one reject.
func TestAccounting(t *testing.T) {
	tests := map[string]struct{ messages, rejected int }{
		"adt_cr.hl7": {11, 0}, "oru_lf.hl7": {3, 0}, "mllp_capture.hl7": {2, 0},
		"batch_custom.hl7": {5, 0}, "broken.hl7": {15, 13},
	}
	for name, want := range tests {
		res, err := connectortest.ReadAll(t, openSample(t, name, nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		mapped, rejected := map[string]bool{}, map[string]bool{}
		for _, r := range res.Records {
			if !strings.Contains(r.SourceRef, "#") {
				continue // not a message: junk or a batch trailer
			}
			key := strings.SplitN(r.SourceRef, "/", 3)[:2]
			msg := strings.Join(key, "/")
			if r.Reject != nil {
				rejected[msg] = true
				if len(r.Reject.Raw) == 0 || !strings.HasPrefix(string(r.Reject.Raw), "MSH") {
					t.Errorf("%s: reject without its raw message: %q", r.SourceRef, r.Reject.Raw)
				}
			} else {
				mapped[msg] = true
			}
		}
		for k := range rejected {
			if mapped[k] {
				t.Errorf("%s: message %s both mapped and rejected", name, k)
			}
		}
		if len(mapped)+len(rejected) != want.messages || len(rejected) != want.rejected {
			t.Errorf("%s: %d mapped + %d rejected, want %d messages with %d rejected", name, len(mapped), len(rejected), want.messages, want.rejected)
		}
	}
}

func rowsOf(t *testing.T, c connectors.Connector) []connectors.Record {
	t.Helper()
	res, err := connectortest.ReadAll(t, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Records
}

func value(r connectors.Record, col string) string {
	v := r.Row[r.Schema.Index(col)]
	s, _ := r.Schema.Fields[r.Schema.Index(col)].Format(v)
	return s
}

func TestOptions(t *testing.T) {
	c := openSample(t, "adt_cr.hl7", connectors.Options{"prefer_id_type": "MR", "source": "st-john", "timezone": "Europe/Paris"})
	recs := rowsOf(t, c)
	first := recs[0]
	if got := value(first, "patient_id"); got != "MRN00412" {
		t.Errorf("patient_id with prefer_id_type MR = %q", got)
	}
	if got := value(first, "source"); got != "st-john" || c.Source() != "st-john" {
		t.Errorf("source = %q", got)
	}
	// ADT^A04 in adt_cr.hl7 has PV1-44 202403201015 without an offset.
	for _, r := range recs {
		if r.Schema == schemas.Encounter && value(r, "event_type") == "A04" {
			if got := value(r, "admit_time"); got != "2024-03-20T09:15:00.000000Z" {
				t.Errorf("admit_time in Europe/Paris = %s", got)
			}
		}
	}
	for _, bad := range []connectors.Options{
		{},
		{"input": "x", "timezone": "Mars/Olympus"},
		{"input": "x", "fallback_charset": "EBCDIC"},
		{"input": "x", "max_message_bytes": 10},
		{"input": "x", "no_such_option": 1},
	} {
		if _, err := connectors.Open("hl7", bad, connectors.Env{}); err == nil {
			t.Errorf("options %v accepted", bad)
		}
	}
}

func TestWarningsLogged(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	dir := copySamples(t, "batch_custom.hl7")
	c := openIn(t, dir, connectors.Options{"input": "batch_custom.hl7"}, log)
	to, err := c.Plan(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Read(context.Background(), nil, to, func(connectors.Record) error { return nil }); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"decoded as windows-1252", "BTS-1: the batch declares 4 messages but holds 3", "file=batch_custom.hl7"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestMissingTrailersWarn(t *testing.T) {
	var buf bytes.Buffer
	dir := t.TempDir()
	in := "FHS|^~\\&\rBHS|^~\\&\rMSH|^~\\&|A|F|||20240101||ADT^A28|C1|P|2.5\rPID|1||X^^^^MR\r"
	if err := os.WriteFile(filepath.Join(dir, "a.hl7"), []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	c := openIn(t, dir, connectors.Options{"input": "a.hl7"}, slog.New(slog.NewTextHandler(&buf, nil)))
	recs := rowsOf(t, c)
	if len(recs) != 1 || recs[0].Reject != nil {
		t.Fatalf("records = %+v", recs)
	}
	for _, want := range []string{"BHS at line 2 has no BTS", "FHS at line 1 has no FTS"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestChangedFileFailsRead(t *testing.T) {
	dir := copySamples(t, "oru_lf.hl7")
	c := openIn(t, dir, connectors.Options{"input": "*.hl7"}, nil)
	to, err := c.Plan(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "oru_lf.hl7"), []byte("MSH|^~\\&|X\r"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = c.Read(context.Background(), nil, to, func(connectors.Record) error { return nil })
	if err == nil || !strings.HasPrefix(err.Error(), "hl7: ") {
		t.Errorf("Read over a changed file = %v, want an hl7: error", err)
	}
}
