package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/lifecycle"
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
	if n := sqlCount(t, filepath.Join(dir, "patients.db"), `SELECT rows FROM batches WHERE batch_id = ?`, b.BatchID); int64(n) != b.Rows {
		t.Errorf("the rebuilt index holds %d rows of batch %s, want %d", n, b.BatchID, b.Rows)
	}

	// verify batch reads a good object once, plus its footer.
	r := ha(t, l.env, "--config", cfg, "-v", "verify", "batch", b.BatchID)
	mustCode(t, r, 0, "verify batch")
	checkReadOnce(t, r.stderr)
	r = ha(t, l.env, "--config", cfg, "verify", "batch", b.ParquetPath)
	mustCode(t, r, 0, "verify batch URL")
	if !strings.Contains(r.stdout, b.ParquetPath+": batch "+b.BatchID) {
		t.Errorf("verify batch %s does not report the object:\n%s", b.ParquetPath, r.stdout)
	}

	// erase the patient: the object is rewritten in place; a kill after
	// the entry is anchored leaves the old object, and a re-run finishes.
	h := chainHeight(t, cfg)
	r = ha(t, append([]string{"HEALTHANCHOR_CRASH_AT=erase-written"}, l.env...), "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17")
	if r.code != -1 {
		t.Fatalf("erase with a crash after the rewrite: exit %d, want killed\n%s", r.code, r.stderr)
	}
	mustCode(t, ha(t, l.env, "--config", cfg, "verify", "batch", "--all"), 0, "verify batch --all after the kill")
	mustCode(t, ha(t, l.env, "--config", cfg, "erase", "--patient", patient, "--reason", "gdpr-art17"), 0, "erase from the lake")
	r = ha(t, l.env, "--config", cfg, "verify", "batch", b.BatchID)
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
	if tmp, _ := filepath.Glob(filepath.Join(dir, "batches", ".tmp", "*"+lifecycle.TempSuffix)); len(tmp) > 0 {
		t.Errorf("erase left temporary files: %v", tmp)
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

// checkReadOnce checks, in the log of verify -v, that each object was
// fetched once and its footer (8 bytes and the footer itself) besides.
func checkReadOnce(t *testing.T, log string) {
	t.Helper()
	seen := 0
	for _, m := range regexp.MustCompile(`"bytes_read":(\d+),"size":(\d+)`).FindAllStringSubmatch(log, -1) {
		read, _ := strconv.ParseInt(m[1], 10, 64)
		size, _ := strconv.ParseInt(m[2], 10, 64)
		if read < size || read >= 2*size {
			t.Errorf("verify fetched %d bytes of an object of %d, want it once and its footer", read, size)
		}
		seen++
	}
	if seen == 0 {
		t.Errorf("verify -v logs no bytes_read:\n%s", log)
	}
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

// TestS3ClusterExchange: node1 of a three-node cluster publishes to the
// S3 server, and node2's fetch of a patient is served from the object
// (the exchange's serving side reads it by ranges); the fetched record's
// bundle passes verify proof; so does the batch bundle of a whole-batch
// fetch, whose file the source streams from the object as stored.
func TestS3ClusterExchange(t *testing.T) {
	srv := startS3(t)
	for _, kv := range s3Env(srv) { // the node processes inherit them
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	tc := newTestCluster(t, 3)
	tc.leader(tc.nodes)
	n1, n2 := tc.nodes[0], tc.nodes[1]
	tc.kill(n1)
	f, err := os.OpenFile(n1.config, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "sharing:\n  grants:\n    - to: node2\n      schemas: [patient/1]\n      purposes: [TREAT]\n")
	f.Close()
	useLake(t, n1.config, s3Lake(srv, srv.Bucket, "cluster"))
	mustCode(t, ha(t, nil, "--config", n1.config, "config", "check"), 0, "config check with grants and a bucket")
	tc.start(n1)
	if err := os.WriteFile(filepath.Join(n1.dir, "inbox/csv/export-s3.csv"), []byte(fmt.Sprintf(clusterCSV, "SP", "SP")), 0o644); err != nil {
		t.Fatal(err)
	}
	var batchID string
	tc.waitFor("the inbox batch published to the bucket", 60*time.Second, func() bool {
		for _, b := range batches(t, n1.config) {
			if b.Job == "inbox" && strings.HasPrefix(b.ParquetPath, "s3://") {
				batchID = b.BatchID
				return true
			}
		}
		return false
	})
	out := filepath.Join(t.TempDir(), "out")
	r := ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--patient", "SP1", "--purpose", "TREAT", "--out", out)
	mustCode(t, r, 0, "node2's fetch of a patient held in node1's bucket")
	proofs, _ := filepath.Glob(filepath.Join(out, "proofs", "*.json"))
	if len(proofs) != 1 {
		t.Fatalf("patient fetch wrote %d proofs, want 1:\n%s%s", len(proofs), r.stdout, r.stderr)
	}
	mustCode(t, ha(t, nil, "verify", "proof", proofs[0], "--genesis", filepath.Join(tc.dir, "node3", "genesis.json")), 0, "verify proof of the fetched record")

	whole := filepath.Join(t.TempDir(), "batch")
	r = ha(t, nil, "--config", n2.config, "fetch", "--from", "node1", "--batch", batchID, "--purpose", "TREAT", "--out", whole)
	mustCode(t, r, 0, "node2's fetch of the whole batch held in node1's bucket")
	mustCode(t, ha(t, nil, "verify", "proof", whole, "--genesis", filepath.Join(tc.dir, "node3", "genesis.json")), 0, "verify proof of the fetched batch")
}
