package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
)

// TestS3ReadPaths runs every command that reads published files against
// a deployment publishing to the S3 server (beside the demo's batches in
// its folder): prove (a record, and a patient) with verify proof, audit,
// index rebuild after losing the index, erase (the object rewritten, its
// sidecar updated, verify naming the entry), and retention apply (the
// objects and sidecars deleted, verify naming the retention entry).
func TestS3ReadPaths(t *testing.T) {
	srv := startS3(t)
	l := s3Lake(srv, srv.Bucket, "reads")
	readPaths(t, l)
}

// TestLakeReadPaths is TestS3ReadPaths on a file:// lake.
func TestLakeReadPaths(t *testing.T) {
	readPaths(t, fileLake(t))
}

func readPaths(t *testing.T, l lake) {
	dir, cfg := newDeployment(t)
	useLake(t, cfg, l)
	dropGenerated(t, dir, "patients-reads.csv", 1500, 13)
	mustCode(t, ha(t, l.env, "--config", cfg, "run", "patients-csv"), 0, "run into the lake")
	var b listed
	for _, x := range batches(t, cfg) {
		if strings.HasPrefix(x.ParquetPath, l.url+"/") {
			b = x
		}
	}
	if b.BatchID == "" {
		t.Fatal("no batch was published to the lake")
	}
	rowsKey := strings.TrimPrefix(b.ParquetPath, l.url+"/")
	genesis := filepath.Join(dir, "genesis.json")

	// prove one record, then every record of a patient of that batch.
	proof := filepath.Join(t.TempDir(), "proof.json")
	mustCode(t, ha(t, l.env, "--config", cfg, "prove", b.BatchID, "--row", "7", "--out", proof), 0, "prove --row from the lake")
	mustCode(t, ha(t, nil, "verify", "proof", proof, "--genesis", genesis), 0, "verify proof")
	patient := patientOf(t, l.get(t, rowsKey), 7)
	proofs := filepath.Join(t.TempDir(), "patient")
	mustCode(t, ha(t, l.env, "--config", cfg, "prove", "--patient", patient, "--out", proofs), 0, "prove --patient from the lake")
	if got, _ := filepath.Glob(filepath.Join(proofs, b.BatchID+"-rows-*.json")); len(got) == 0 {
		t.Errorf("prove --patient %s wrote no proof from batch %s in the lake", patient, b.BatchID)
	}
	mustCode(t, ha(t, nil, "verify", "proof", proofs, "--genesis", genesis), 0, "verify proof of the patient's bundles")

	// audit re-verifies the objects.
	report := filepath.Join(t.TempDir(), "audit.json")
	mustCode(t, ha(t, l.env, "--config", cfg, "audit", "--format", "json", "--out", report), 0, "audit")
	checkAudited(t, report, b.ParquetPath)

	// index rebuild reads the lake.
	if err := os.Remove(filepath.Join(dir, "patients.db")); err != nil {
		t.Fatal(err)
	}
	mustCode(t, ha(t, l.env, "--config", cfg, "index", "rebuild"), 0, "index rebuild")
	if n := sqlCount(t, filepath.Join(dir, "patients.db"), `SELECT COUNT(*) FROM patient_rows WHERE batch_id = ?`, b.BatchID); int64(n) != b.Rows {
		t.Errorf("the rebuilt index holds %d rows of batch %s, want %d", n, b.BatchID, b.Rows)
	}

	// erase the patient: the object is rewritten in place.
	h := chainHeight(t, cfg)
	mustCode(t, ha(t, l.env, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17"), 0, "erase from the lake")
	r := ha(t, l.env, "--config", cfg, "verify", "batch", b.BatchID)
	mustCode(t, r, 0, "verify batch of the rewritten object")
	if !strings.Contains(r.stdout, fmt.Sprintf("erased by the entry in block %d", h+1)) {
		t.Errorf("verify batch does not name the erasure entry in block %d:\n%s", h+1, r.stdout)
	}
	if got := patientRows(t, l.get(t, rowsKey), patient); got != 0 {
		t.Errorf("the rewritten object still holds %d records of %s", got, patient)
	}
	var sc struct {
		ErasedRows int64 `json:"erased_rows"`
	}
	sidecar := filepath.Dir(rowsKey) + "/_" + b.BatchID + ".anchor.json"
	if err := json.Unmarshal(l.get(t, sidecar), &sc); err != nil || sc.ErasedRows == 0 {
		t.Errorf("the sidecar does not count the erased rows (%v):\n%s", err, l.get(t, sidecar))
	}
	for _, k := range l.list(t) {
		if strings.HasPrefix(k, "_staging/") {
			t.Errorf("erase left a staged object: %s", k)
		}
	}
	r = ha(t, l.env, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17")
	mustCode(t, r, 0, "erase twice")
	if !strings.Contains(r.stdout, "nothing to erase") || chainHeight(t, cfg) != h+1 {
		t.Errorf("erasing twice did something:\n%s", r.stdout)
	}

	// retention apply deletes the objects and their sidecars.
	setRetention(t, cfg, "patients-csv", "10y")
	in11y := []string{clockEnv + "=" + time.Now().Add(11*366*24*time.Hour).UTC().Format(time.RFC3339)}
	mustCode(t, ha(t, append(in11y, l.env...), "--config", cfg, "retention", "apply"), 0, "retention apply")
	if left := l.list(t); len(left) > 0 {
		t.Errorf("objects left after retention apply:\n%s", strings.Join(left, "\n"))
	}
	r = ha(t, l.env, "--config", cfg, "verify", "batch", b.BatchID)
	mustCode(t, r, 0, "verify batch of a batch removed under retention")
	if !strings.Contains(r.stdout, "removed under retention") {
		t.Errorf("verify batch does not say the objects were removed under retention:\n%s", r.stdout)
	}
	mustCode(t, ha(t, l.env, "--config", cfg, "verify", "batch", "--all"), 0, "verify batch --all")
}

// checkAudited checks that the audit report at path re-verified the
// object at url, and that it held.
func checkAudited(t *testing.T, path, url string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Verification struct {
			OK     bool `json:"ok"`
			Checks []struct {
				What     string   `json:"what"`
				OK       bool     `json:"ok"`
				Problems []string `json:"problems"`
			} `json:"checks"`
		} `json:"verification"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range rep.Verification.Checks {
		if c.What == url {
			found = true
			if !c.OK {
				t.Errorf("audit: %s did not verify: %v", url, c.Problems)
			}
		}
	}
	if !found || !rep.Verification.OK {
		t.Errorf("audit did not re-verify %s (ok %v):\n%s", url, rep.Verification.OK, data)
	}
}

// patientOf is the patient_id of row of the batch file data.
func patientOf(t *testing.T, data []byte, row int64) string {
	t.Helper()
	var id string
	readRecords(t, data, func(r int64, canonical []byte) {
		if r == row {
			var rec struct {
				PatientID string `json:"patient_id"`
			}
			json.Unmarshal(canonical, &rec)
			id = rec.PatientID
		}
	})
	if id == "" {
		t.Fatalf("row %d has no patient_id", row)
	}
	return id
}

// patientRows counts the records of the batch file data naming patient.
func patientRows(t *testing.T, data []byte, patient string) int {
	t.Helper()
	n := 0
	readRecords(t, data, func(_ int64, canonical []byte) {
		if strings.Contains(string(canonical), `"patient_id":"`+patient+`"`) {
			n++
		}
	})
	return n
}

// readRecords reads the batch file data and calls fn for each record
// that holds values.
func readRecords(t *testing.T, data []byte, fn func(row int64, canonical []byte)) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "batch.parquet")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := batchfile.Read(t.Context(), path, func(row int64, canonical []byte, _ [32]byte) error {
		if canonical != nil {
			fn(row, canonical)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
