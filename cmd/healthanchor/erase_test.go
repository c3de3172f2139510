package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/internal/testtool"
	"github.com/healthanchor/healthanchor/lifecycle"
)

// widePatients returns up to n patient ids of the demo whose records sit
// in the most batches, read from the node's patient index.
func widePatients(t *testing.T, dir string, n int) []string {
	t.Helper()
	batches := map[string]map[string]bool{}
	for _, r := range indexedRows(t, filepath.Join(dir, "patients.db")) {
		if batches[r.patient] == nil {
			batches[r.patient] = map[string]bool{}
		}
		batches[r.patient][r.batch] = true
	}
	var out []string
	for p, bs := range batches {
		if len(bs) > 1 {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(len(batches[b]), len(batches[a])), strings.Compare(a, b))
	})
	if len(out) < n {
		t.Fatalf("the demo has %d patients in several batches, want %d", len(out), n)
	}
	return out[:n]
}

// chainHeight is the chain's height as verify chain reports it.
func chainHeight(t *testing.T, cfg string) int64 {
	t.Helper()
	r := ha(t, nil, "--config", cfg, "verify", "chain", "--json")
	mustCode(t, r, 0, "verify chain")
	var rep struct {
		Height int64 `json:"height"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("verify chain --json: %v\n%s", err, r.stdout)
	}
	return rep.Height
}

// dryRun runs erase --dry-run --json for patient and returns the
// files it would rewrite.
func dryRun(t *testing.T, cfg, patient string) []lifecycle.FileOutcome {
	t.Helper()
	r := ha(t, nil, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17", "--dry-run", "--json")
	mustCode(t, r, 0, "erase --dry-run")
	var out lifecycle.EraseOutcome
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("erase --json: %v\n%s", err, r.stdout)
	}
	return out.Files
}

// checkErased checks that nothing of patient is left: verify batch --all
// and verify chain pass, verify names the erasure, a rebuilt index finds
// no record of the patient, no temporary file is left, and erasing again
// anchors nothing.
func checkErased(t *testing.T, dir, cfg, patient string) {
	t.Helper()
	r := ha(t, nil, "--config", cfg, "verify", "batch", "--all")
	mustCode(t, r, 0, "verify batch --all after erase")
	if !strings.Contains(r.stdout, "root matches; ") || !strings.Contains(r.stdout, "erased by the entry in block") {
		t.Errorf("verify batch does not name the erasure:\n%s", r.stdout)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "index", "rebuild"), 0, "index rebuild")
	if files := dryRun(t, cfg, patient); len(files) != 0 {
		t.Errorf("after erasure the files still hold records of %s: %+v", patient, files)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "batches", "*", "*"+lifecycle.TempSuffix)); len(tmp) > 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	h := chainHeight(t, cfg)
	r = ha(t, nil, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17")
	mustCode(t, r, 0, "erase twice")
	if !strings.Contains(r.stdout, "nothing to erase") || chainHeight(t, cfg) != h {
		t.Errorf("erasing twice did something:\n%s", r.stdout)
	}
}

// TestErase erases one patient of the demo through the CLI: the dry run
// lists the files without changing them, the erasure anchors one entry
// and rewrites them, every batch and the chain still verify, the
// independent DuckDB reader computes the anchored roots, and the
// patient's records are gone.
func TestErase(t *testing.T) {
	dir, cfg := newDeployment(t)
	patient := widePatients(t, dir, 1)[0]
	h := chainHeight(t, cfg)
	files := dryRun(t, cfg, patient)
	if len(files) < 2 {
		t.Fatalf("dry run lists %d files for %s, want several", len(files), patient)
	}
	sums := map[string]string{}
	for _, f := range files {
		sums[f.Path] = fileSum(t, f.Path)
	}
	if chainHeight(t, cfg) != h {
		t.Fatal("the dry run anchored something")
	}
	r := ha(t, nil, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17", "--request", "DPO-2026-044")
	mustCode(t, r, 0, "erase")
	if !strings.Contains(r.stdout, fmt.Sprintf("erasure entry anchored in block %d", h+1)) {
		t.Errorf("erase does not name its block %d:\n%s", h+1, r.stdout)
	}
	for path, sum := range sums {
		if fileSum(t, path) == sum {
			t.Errorf("%s was not rewritten", path)
		}
	}
	checkErased(t, dir, cfg, patient)
	// The prover has nothing left to prove for the patient.
	r = ha(t, nil, "--config", cfg, "prove", "--patient", patient, "--out", filepath.Join(t.TempDir(), "p"))
	mustCode(t, r, 1, "prove --patient of an erased patient")
	verifyWithDuckDB(t, cfg)
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", raw[len(raw)-64:])
}

// verifyWithDuckDB recomputes every batch file's root with
// tools/verify-root.mjs and compares it with verify batch's.
func verifyWithDuckDB(t *testing.T, cfg string) {
	t.Helper()
	node, err := exec.LookPath("node")
	duck := filepath.Join("..", "..", "bench", "node_modules", "@duckdb", "node-api")
	if _, serr := os.Stat(duck); err != nil || serr != nil {
		testtool.Missing(t, "node or DuckDB's Node package", "run `npm install` in bench/ (.ci/run does)")
	}
	r := ha(t, nil, "--config", cfg, "verify", "batch", "--all", "--json")
	mustCode(t, r, 0, "verify batch --all --json")
	var reps []anchor.BatchReport
	if err := json.Unmarshal([]byte(r.stdout), &reps); err != nil {
		t.Fatal(err)
	}
	erased := 0
	for _, rep := range reps {
		got := duckRoot(t, node, rep.Path)
		if got.Root != rep.Root {
			t.Errorf("%s: DuckDB gives root %s, verify batch %s", rep.Path, got.Root, rep.Root)
		}
		if rep.Erasure != nil && got.Erased != rep.Erasure.Erased {
			t.Errorf("%s: DuckDB reads %d erased rows, verify batch %d", rep.Path, got.Erased, rep.Erasure.Erased)
		}
		erased += int(got.Erased)
	}
	if erased == 0 {
		t.Error("DuckDB read no erased row")
	}
}

// TestEraseUnknownPatient: nothing to erase, exit 0, nothing anchored.
func TestEraseUnknownPatient(t *testing.T) {
	_, cfg := newDeployment(t)
	h := chainHeight(t, cfg)
	r := ha(t, nil, "--config", cfg, "erase", "--patient", "NO-SUCH-PATIENT", "--reason", "gdpr-art17")
	mustCode(t, r, 0, "erase of an unknown patient")
	if !strings.Contains(r.stdout, "nothing to erase") {
		t.Errorf("erase of an unknown patient says:\n%s", r.stdout)
	}
	if chainHeight(t, cfg) != h {
		t.Error("erasing an unknown patient anchored something")
	}
	mustCode(t, ha(t, nil, "--config", cfg, "erase", "--patient", "X", "--reason", "no spaces"), 2, "erase with a bad reason")
	mustCode(t, ha(t, nil, "--config", cfg, "erase", "--patient", "X"), 2, "erase without a reason")
}

// TestEraseTampering: after an erasure, a flipped kept leaf hash and a
// row whose values were removed by hand (no erasure entry) each make
// verify batch exit 1, naming the fault.
func TestEraseTampering(t *testing.T) {
	dir, cfg := newDeployment(t)
	patient := widePatients(t, dir, 1)[0]
	mustCode(t, ha(t, nil, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17"), 0, "erase")
	var rep []anchor.BatchReport
	r := ha(t, nil, "--config", cfg, "verify", "batch", "--all", "--json")
	mustCode(t, r, 0, "verify batch --all")
	json.Unmarshal([]byte(r.stdout), &rep)
	var rewritten, other anchor.BatchReport
	for _, b := range rep {
		if b.Erasure != nil && rewritten.Path == "" {
			rewritten = b
		}
		if b.Erasure == nil && b.Rows > 3 && other.Path == "" {
			other = b
		}
	}
	if rewritten.Path == "" || other.Path == "" {
		t.Fatalf("no rewritten file or no untouched file among %d", len(rep))
	}

	// Flip one hex digit of a kept leaf hash, in place.
	orig, _ := os.ReadFile(rewritten.Path)
	var leaf string
	batchfile.Read(context.Background(), rewritten.Path, func(_ int64, c []byte, lh [32]byte) error {
		if c == nil && leaf == "" {
			leaf = hex.EncodeToString(lh[:])
		}
		return nil
	})
	i := bytes.Index(orig, []byte(leaf))
	if leaf == "" || i < 0 {
		t.Fatalf("no kept leaf hash found in %s", rewritten.Path)
	}
	flipped := bytes.Clone(orig)
	flipped[i] = map[bool]byte{true: '1', false: '0'}[flipped[i] == '0']
	os.WriteFile(rewritten.Path, flipped, 0o600)
	r = ha(t, nil, "--config", cfg, "verify", "batch", rewritten.BatchID)
	mustCode(t, r, 1, "verify batch with a flipped kept leaf hash")
	if !strings.Contains(r.stderr+r.stdout, "merkle root") {
		t.Errorf("the failure does not name the root:\n%s%s", r.stdout, r.stderr)
	}
	os.WriteFile(rewritten.Path, orig, 0o600)
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", rewritten.BatchID), 0, "verify batch once restored")

	// Remove a row's values by hand, as erase would but with no entry.
	tmp := other.Path + ".hand"
	if _, err := batchfile.Erase(context.Background(), other.Path, tmp, []int64{1}, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Rename(tmp, other.Path)
	r = ha(t, nil, "--config", cfg, "verify", "batch", other.BatchID)
	mustCode(t, r, 1, "verify batch with a row erased by hand")
	if !strings.Contains(r.stderr, "row 1") || !strings.Contains(r.stderr, "no anchored erasure entry") {
		t.Errorf("the failure does not name the row and the missing entry:\n%s", r.stderr)
	}
}

// TestEraseCrash kills erase at each named step, then at random moments,
// and runs it again: the re-run completes, every batch verifies, the
// patient is gone and a third run anchors nothing.
func TestEraseCrash(t *testing.T) {
	dir, cfg := newDeployment(t)
	steps := []string{"erase-anchored", "erase-written", "erase-renamed"}
	patients := widePatients(t, dir, len(steps)+3)
	for i, step := range steps {
		r := ha(t, []string{"HEALTHANCHOR_CRASH_AT=" + step}, "--config", cfg, "erase", "--patient", patients[i], "--reason", "gdpr-art17")
		if r.code != -1 {
			t.Fatalf("erase with a crash at %s: exit %d, want killed\n%s%s", step, r.code, r.stdout, r.stderr)
		}
		// Between the kill and the re-run the files verify: an anchored
		// entry may cover rows still holding values, never the reverse.
		mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", "--all"), 0, "verify after a crash at "+step)
		h := chainHeight(t, cfg)
		r = ha(t, nil, "--config", cfg, "erase", "--patient", patients[i], "--reason", "gdpr-art17")
		mustCode(t, r, 0, "erase after a crash at "+step)
		if chainHeight(t, cfg) != h {
			t.Errorf("the re-run after a crash at %s anchored a second entry:\n%s", step, r.stdout)
		}
		checkErased(t, dir, cfg, patients[i])
	}
	rng := rand.New(rand.NewSource(1))
	for _, patient := range patients[len(steps):] {
		for k := 0; k < 3; k++ {
			cmd := exec.Command(binary, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Duration(rng.Intn(250)) * time.Millisecond)
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			mustCode(t, ha(t, nil, "--config", cfg, "verify", "batch", "--all"), 0, "verify after a random kill")
		}
		mustCode(t, ha(t, nil, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17"), 0, "erase after random kills")
		checkErased(t, dir, cfg, patient)
	}
}
