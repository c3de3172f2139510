package hl7

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectJSON(t *testing.T) {
	var buf bytes.Buffer
	err := Inspect(&buf, filepath.Join(sampleDir, "adt_cr.hl7"), []string{"PID-5.1", "PID-3[2].4.2", "PID-13", "ZPI@2-2", "PV1-45"}, true, "")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 11 {
		t.Fatalf("%d lines, want 11:\n%s", len(lines), buf.String())
	}
	want := `{"index":1,"control_id":"STJ-A01-0001","values":{"PID-5.1":"Müller-Lüdenscheidt","PID-3[2].4.2":"1.2.826.0.1.123.1","PID-13":"","ZPI@2-2":"second Z segment, kept in order","PV1-45":""}}`
	if lines[0] != want {
		t.Errorf("line 1:\n got %s\nwant %s", lines[0], want)
	}
	// A08 sends PID-13 as an explicit null; A13 sends PV1-45 as one.
	if !strings.Contains(lines[4], `"PID-13":null`) || !strings.Contains(lines[9], `"PV1-45":null`) {
		t.Errorf("explicit nulls not null:\n%s\n%s", lines[4], lines[9])
	}
}

func TestInspectText(t *testing.T) {
	var buf bytes.Buffer
	if err := Inspect(&buf, filepath.Join(sampleDir, "broken.hl7"), []string{"PID-5.1", "PID-7"}, false, ""); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"1\tBRK-0001\tPID-5.1=Bianchi\tPID-7=19910606\n",
		"2\treject: MSH-2: encoding characters",
		"4\tBRK-0004\tPID-5.1=Romano\tPID-7=19991332\n", // parses; mapping rejects it later
		"line 20\treject: line 20: 2 lines outside any message",
		"15\tBRK-0015\t",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestInspectErrors(t *testing.T) {
	var buf bytes.Buffer
	if err := Inspect(&buf, filepath.Join(sampleDir, "adt_cr.hl7"), []string{"PID5"}, false, ""); err == nil {
		t.Error("bad path accepted")
	}
	if err := Inspect(&buf, filepath.Join(sampleDir, "no-such.hl7"), []string{"PID-5"}, false, ""); err == nil {
		t.Error("missing file accepted")
	}
	if err := Inspect(&buf, filepath.Join(sampleDir, "adt_cr.hl7"), []string{"PID-5"}, false, "KLINGON"); err == nil {
		t.Error("bad fallback accepted")
	}
}
