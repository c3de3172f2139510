package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// binary is the healthanchor binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "healthanchor-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "healthanchor")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building healthanchor:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// ha runs the binary with args and returns its output and exit code.
func ha(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("healthanchor %v: %v", args, err)
	}
	return r
}

func mustCode(t *testing.T, r result, want int, what string) {
	t.Helper()
	if r.code != want {
		t.Fatalf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", what, r.code, want, r.stdout, r.stderr)
	}
}

type listed struct {
	BatchID       string `json:"batch_id"`
	Job           string `json:"job"`
	Agency        string `json:"agency"`
	Schema        string `json:"schema"`
	Rows          int64  `json:"rows"`
	Rejects       int64  `json:"rejects"`
	MerkleRoot    string `json:"merkle_root"`
	ParquetPath   string `json:"parquet_path"`
	ParquetSHA256 string `json:"parquet_sha256"`
	RejectsPath   string `json:"rejects_path"`
	BlockHeight   int64  `json:"block_height"`
}

func batches(t *testing.T, cfg string) []listed {
	t.Helper()
	r := ha(t, nil, "--config", cfg, "batches", "--json")
	mustCode(t, r, 0, "batches --json")
	var out []listed
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("batches --json: %v\n%s", err, r.stdout)
	}
	return out
}

const extraCSV = "patient_id,family_name,given_name,birth_date,sex,updated_at\n" +
	"X1,Nguyễn,Thị,1984-05-06,F,2026-11-25T08:00:00Z\n" +
	"X2,\"D'Arcy, \"\"Jr\"\"\",Renée,1950-02-30,F,2026-11-25T08:00:00Z\n" +
	"X3,Øster,Søren,1962-12-24,M,2026-11-25T09:30:00Z\n"

// TestDemoEndToEnd runs the demo, re-runs it, drops a new export into the
// inbox, and checks batches, counts and verification through the binary.
func TestDemoEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	r := ha(t, nil, "demo", "--dir", dir)
	mustCode(t, r, 0, "demo")
	if !strings.Contains(r.stdout, "Verified: chain") {
		t.Fatalf("demo did not report verification:\n%s", r.stdout)
	}
	cfg := filepath.Join(dir, "healthanchor.yaml")
	first := batches(t, cfg)

	r = ha(t, nil, "demo", "--dir", dir)
	mustCode(t, r, 0, "demo again")
	if again := batches(t, cfg); len(again) != len(first) {
		t.Fatalf("second demo run anchored %d new batches, want 0", len(again)-len(first))
	}

	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/patients-extra.csv"), []byte(extraCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	r = ha(t, nil, "--config", cfg, "run", "--json")
	mustCode(t, r, 0, "run after dropping a file")
	after := batches(t, cfg)
	if len(after) != len(first)+1 {
		t.Fatalf("dropping one file gave %d new batches, want 1", len(after)-len(first))
	}
	b := after[len(after)-1]
	if b.Job != "patients-csv" || b.Rows != 2 || b.Rejects != 1 || !filepath.IsAbs(b.ParquetPath) || b.BlockHeight < 1 {
		t.Errorf("new batch %+v: want job patients-csv, 2 rows, 1 reject (30 February), an absolute path", b)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), 0, "verify batch by id")
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", b.ParquetPath), 0, "verify batch by file")
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain")

	r = ha(t, nil, "--config", cfg, "runs", "--json")
	mustCode(t, r, 0, "runs")
	var runs []struct {
		Job                                 string
		Status                              string
		RowsRead, RowsWritten, RowsRejected int64 `json:"-"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &runs); err != nil || len(runs) == 0 {
		t.Fatalf("runs --json: %v\n%s", err, r.stdout)
	}
}

// TestTamperDetected flips one byte of a published file, and changes one
// value in each chain table: verify must exit 1 and say what differs.
func TestTamperDetected(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	mustCode(t, ha(t, nil, "demo", "--dir", dir), 0, "demo")
	cfg := filepath.Join(dir, "healthanchor.yaml")
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/patients-extra.csv"), []byte(extraCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run"), 0, "run")
	list := batches(t, cfg)
	b := list[len(list)-1]

	t.Run("flipped byte in a published file", func(t *testing.T) {
		data, err := os.ReadFile(b.ParquetPath)
		if err != nil {
			t.Fatal(err)
		}
		orig := append([]byte(nil), data...)
		data[len(data)/2] ^= 0x01
		if err := os.WriteFile(b.ParquetPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(b.ParquetPath, orig, 0o644)
		r := ha(t, nil, "--config", cfg, "verify", "batch", b.ParquetPath)
		mustCode(t, r, 1, "verify a tampered file")
		if !strings.Contains(r.stderr, "sha256") && !strings.Contains(r.stderr, "decode") {
			t.Errorf("message does not say what differs: %s", r.stderr)
		}
	})
	t.Run("truncated file", func(t *testing.T) {
		data, _ := os.ReadFile(b.ParquetPath)
		defer os.WriteFile(b.ParquetPath, data, 0o644)
		os.WriteFile(b.ParquetPath, data[:len(data)-20], 0o644)
		mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), 1, "verify a truncated file")
	})
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", b.BatchID), 0, "verify the restored file")

	edits := []string{
		`UPDATE manifests SET rows = rows + 1 WHERE batch_id = '` + b.BatchID + `'`,
		`UPDATE manifests SET merkle_root = (CASE WHEN substr(merkle_root, 1, 2) = 'ab' THEN 'ee' ELSE 'ab' END) || substr(merkle_root, 3) WHERE batch_id = '` + b.BatchID + `'`,
		`UPDATE blocks SET body = replace(body, '"rows":2', '"rows":3') WHERE height = ` + fmt.Sprint(b.BlockHeight),
		`UPDATE blocks SET hash = (CASE WHEN substr(hash, 1, 2) = '00' THEN 'ee' ELSE '00' END) || substr(hash, 3) WHERE height = ` + fmt.Sprint(b.BlockHeight),
		`UPDATE blocks SET prev_hash = (CASE WHEN substr(prev_hash, 1, 2) = '00' THEN 'ee' ELSE '00' END) || substr(prev_hash, 3) WHERE height = ` + fmt.Sprint(b.BlockHeight),
	}
	chainPath := filepath.Join(dir, "chain.db")
	orig, err := os.ReadFile(chainPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, edit := range edits {
		t.Run(edit, func(t *testing.T) {
			db, err := sql.Open("sqlite", chainPath)
			if err != nil {
				t.Fatal(err)
			}
			res, err := db.Exec(edit)
			if err != nil {
				t.Fatal(err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				t.Fatalf("edit changed %d rows", n)
			}
			db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
			db.Close()
			defer os.WriteFile(chainPath, orig, 0o644)
			mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 1, "verify chain after "+edit)
		})
	}
}

// TestUsageAndConfigErrors checks exit code 2 and messages that name the
// file and line.
func TestUsageAndConfigErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(cfg, []byte("agency:\n  id: a\n  key_file: k\n  salt_key_file: s\nchain:\n  path: c.db\njobs:\n  - name: j\n    conector: csv\n"), 0o644)
	r := ha(t, nil, "--config", cfg, "config", "check")
	mustCode(t, r, 2, "config check with a typo")
	if !strings.Contains(r.stderr, "bad.yaml:9") || !strings.Contains(r.stderr, "conector") {
		t.Errorf("config error does not name file, line and key: %s", r.stderr)
	}
	mustCode(t, ha(t, nil, "verify", "frobnicate"), 2, "unknown subcommand")
	mustCode(t, ha(t, nil, "run", "--nope"), 2, "unknown flag")
	mustCode(t, ha(t, nil, "--config", filepath.Join(dir, "missing.yaml"), "run"), 2, "missing config")
	notDemo := filepath.Join(dir, "notdemo")
	os.MkdirAll(notDemo, 0o755)
	os.WriteFile(filepath.Join(notDemo, "precious.txt"), []byte("x"), 0o644)
	mustCode(t, ha(t, nil, "demo", "--dir", notDemo), 2, "demo into a non-empty folder")
}

// TestProveThroughCLI proves one demo record by its source_ref and checks
// the bundle with nothing but the genesis; a changed bundle fails.
func TestProveThroughCLI(t *testing.T) {
	dir, cfg := newDeployment(t)
	var id string
	for _, b := range batches(t, cfg) {
		if b.Job == "patients-csv" {
			id = b.BatchID
		}
	}
	proof := filepath.Join(dir, "proof.json")
	mustCode(t, ha(t, nil, "--config", cfg, "prove", id, "--source-ref", "inbox/csv/patients-2026-11-24.csv:17", "--out", proof), 0, "prove")
	genesis := filepath.Join(dir, "genesis.json")
	r := ha(t, nil, "verify", "proof", proof, "--genesis", genesis)
	mustCode(t, r, 0, "verify proof")
	data, _ := os.ReadFile(proof)
	changed := strings.Replace(string(data), `"index": `, `"index": 1`, 1)
	os.WriteFile(proof, []byte(changed), 0o644)
	mustCode(t, ha(t, nil, "verify", "proof", proof, "--genesis", genesis), 1, "verify a changed proof")
	mustCode(t, ha(t, nil, "--config", cfg, "prove", id, "--source-ref", "no-such-ref"), 1, "prove a record that is not there")
	mustCode(t, ha(t, nil, "--config", cfg, "prove", id), 2, "prove without choosing a record")
}

func TestConnectorsList(t *testing.T) {
	r := ha(t, nil, "connectors", "list", "--json")
	mustCode(t, r, 0, "connectors list")
	var list []connectorListing
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, c := range list {
		for _, o := range c.Options {
			if o.Name == "input" || o.Name == "dsn" {
				found[c.Name] = true
			}
		}
	}
	for _, name := range []string{"csv", "hl7", "sql"} {
		if !found[name] {
			t.Errorf("connector %s missing or without its main option in %s", name, r.stdout)
		}
	}
}

// TestDemoDefaultFolder runs `demo` as the README does, without --dir,
// from a working directory: it creates ./healthanchor-demo.
func TestDemoDefaultFolder(t *testing.T) {
	wd := t.TempDir()
	cmd := exec.Command(binary, "demo")
	cmd.Dir = wd
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("demo in %s: %v\n%s", wd, err, out)
	}
	if _, err := os.Stat(filepath.Join(wd, "healthanchor-demo", "healthanchor.yaml")); err != nil {
		t.Fatalf("no ./healthanchor-demo/healthanchor.yaml: %v", err)
	}
	run := exec.Command(binary, "--config", "healthanchor-demo/healthanchor.yaml", "verify", "chain")
	run.Dir = wd
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("verify chain with a relative --config: %v\n%s", err, out)
	}
}
