package exec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
	"github.com/healthanchor/healthanchor/internal/testtool"
)

func tapsDir(t *testing.T) string {
	t.Helper()
	testtool.Python3(t)
	dir, err := filepath.Abs("../../testdata/taps")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// open builds an exec connector over the test tap with extra options.
func open(t *testing.T, spool string, extra connectors.Options) connectors.Connector {
	t.Helper()
	opts := connectors.Options{
		"command": []any{"python3", "tap_registry.py"},
		"stream":  "patients",
		"schema":  "patient/1",
		"source":  "registry",
		"mapping": map[string]any{
			"patient_id": "mrn", "given_name": "first", "family_name": "last", "birth_date": "dob",
			"sex": "code(sex_code, sex)",
		},
		"code_tables": map[string]any{"sex": map[string]any{"1": "M", "2": "F"}},
		"tap_config":  map[string]any{"patients_path": "patients.csv", "visits_path": "visits.csv"},
		"spool_dir":   spool,
	}
	for k, v := range extra {
		opts[k] = v
	}
	c, err := connectors.Open("exec", opts, connectors.Env{BaseDir: tapsDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestConformance(t *testing.T) {
	spool := t.TempDir()
	connectortest.Run(t, connectortest.Case{
		Open:    func(t *testing.T) connectors.Connector { return open(t, spool, nil) },
		Rows:    map[string]int{"patient/1": 3},
		Rejects: 2,
		OpenBad: func(t *testing.T) connectors.Connector {
			return open(t, spool, connectors.Options{"mapping": map[string]any{"patient_id": "mrn", "birth_date": "first"}})
		},
	})
}

func TestRejectReasons(t *testing.T) {
	res, err := connectortest.ReadAll(t, open(t, t.TempDir(), nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, r := range res.Records {
		if r.Reject != nil {
			reasons = append(reasons, r.Reject.Reason)
		}
	}
	want := []string{
		"patients:5[id=4]: patient_id (mrn): required, but the record has no value",
		`patients:6[id=5]: sex (code(sex_code, sex)): "7" is not in code table sex`,
	}
	if strings.Join(reasons, "\n") != strings.Join(want, "\n") {
		t.Errorf("reasons:\n%s\nwant:\n%s", strings.Join(reasons, "\n"), strings.Join(want, "\n"))
	}
}

func TestTapFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		conf map[string]any
		want string
	}{
		{"exit", map[string]any{"patients_path": "patients.csv", "fail": true}, "connection reset by peer"},
		{"garbage", map[string]any{"patients_path": "patients.csv", "garbage": true}, "is not a JSON message"},
		{"no-state", map[string]any{"patients_path": "patients.csv", "no_state": true}, "without a STATE message"},
		{"secret", map[string]any{"patients_path": "patients.csv", "token": "${HA_TEST_NO_SUCH_VAR}"}, "HA_TEST_NO_SUCH_VAR is not set"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spool := t.TempDir()
			c := open(t, spool, connectors.Options{"tap_config": tc.conf})
			_, err := c.Plan(context.Background(), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Plan: %v, want an error with %q", err, tc.want)
			}
			if left, _ := os.ReadDir(spool); len(left) != 0 {
				t.Errorf("a failed tap left %d files in the spool", len(left))
			}
		})
	}
}

func TestTimeoutAndLineBound(t *testing.T) {
	dir := t.TempDir()
	slow := filepath.Join(dir, "slow.sh")
	os.WriteFile(slow, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755)
	c := open(t, dir, connectors.Options{"command": []any{slow}, "timeout": "300ms"})
	if _, err := c.Plan(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "longer than timeout") {
		t.Errorf("slow tap: %v", err)
	}
	long := filepath.Join(dir, "long.sh")
	os.WriteFile(long, []byte("#!/bin/sh\nhead -c 5000 /dev/zero | tr '\\0' x\necho\n"), 0o755)
	c = open(t, dir, connectors.Options{"command": []any{long}, "max_line_bytes": 1024})
	if _, err := c.Plan(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "longer than max_line_bytes") {
		t.Errorf("long line: %v", err)
	}
}

func TestSpoolReplayAndCommit(t *testing.T) {
	spool := t.TempDir()
	c := open(t, spool, nil)
	ctx := context.Background()
	to, err := c.Plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(spool, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("spool holds %v, want one file", files)
	}
	// A changed spool is refused rather than read.
	orig, _ := os.ReadFile(files[0])
	os.WriteFile(files[0], []byte(strings.Replace(string(orig), "Lovelace", "Lovelacf", 1)), 0o600)
	if err := c.Read(ctx, nil, to, func(connectors.Record) error { return nil }); err == nil || !strings.Contains(err.Error(), "changed since it was written") {
		t.Errorf("a changed spool: %v", err)
	}
	os.WriteFile(files[0], orig, 0o600)
	var n int
	if err := c.Read(ctx, nil, to, func(connectors.Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	// A window planned by a release that recorded the spool's SHA-256
	// instead of its CRC-32C is checked against that digest.
	wm, err := parseWatermark(to)
	if err != nil || wm.CRC32C == "" {
		t.Fatalf("watermark %s: %v", to, err)
	}
	sum := sha256.Sum256(orig)
	wm.CRC32C, wm.SHA256 = "", hex.EncodeToString(sum[:])
	var m int
	if err := c.Read(ctx, nil, wm.encode(), func(connectors.Record) error { m++; return nil }); err != nil || m != n {
		t.Errorf("replay checked by SHA-256: %d records of %d, %v", m, n, err)
	}
	wm.SHA256 = strings.Repeat("0", 64)
	if err := c.Read(ctx, nil, wm.encode(), func(connectors.Record) error { return nil }); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("a spool whose SHA-256 is not the planned one: %v", err)
	}
	if err := c.(connectors.Committer).Committed(ctx, nil, to); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(spool); len(left) != 0 {
		t.Errorf("Committed left %d spool files", len(left))
	}
	if err := c.Read(ctx, nil, to, func(connectors.Record) error { return nil }); err == nil || !strings.Contains(err.Error(), "is gone") {
		t.Errorf("replaying a committed window: %v", err)
	}
}
