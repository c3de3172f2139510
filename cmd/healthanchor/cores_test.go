package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestSameRootsOnOneOrTwoCoresCSVHL7SQL runs the same jobs over the same
// input in two copies of one deployment (same keys, same chain), one
// with GOMAXPROCS=1 and one with GOMAXPROCS=2, and checks that they
// publish the same batches: ids, row and reject counts, Merkle roots
// (the roots cover the salts) and the batch files' digests. The CSV file
// spans several row groups and three batches of one window, the HL7 feed gives one batch per schema, and the SQL job reads
// a PostgreSQL table in several pages: the stages that run in their own
// goroutines must not let the number of cores change a single leaf.
func TestSameRootsOnOneOrTwoCoresCSVHL7SQL(t *testing.T) {
	srv := sqlServers[0]
	db := srv.open(t)
	table := fmt.Sprintf("ha_cores_%d", time.Now().UnixNano()%1e9)
	if _, err := db.Exec(fmt.Sprintf(`CREATE TABLE %s AS
SELECT g AS id, 'M' || lpad(g::text, 7, '0') AS mrn, 'Nom é ' || g AS nom,
       (DATE '1950-01-01' + g %% 20000)::text AS dob,
       TIMESTAMP '2026-11-20 08:00:00' + g * INTERVAL '1 second' AS maj
FROM generate_series(1, 25000) AS g`, table)); err != nil {
		t.Fatal(err)
	}
	defer db.Exec("DROP TABLE " + table)

	one, cfg1 := newDeployment(t)
	raw, err := os.ReadFile(cfg1)
	if err != nil {
		t.Fatal(err)
	}
	job := fmt.Sprintf(`
  - name: cores-sql
    connector: sql
    options:
      driver: postgres
      dsn: ${HA_CORES_DSN}
      table: %s
      schema: patient/1
      watermark: maj
      key: id
      chunk_size: 4000
      mapping: {patient_id: mrn, family_name: nom, birth_date: dob, updated_at: maj}
`, table)
	if err := os.WriteFile(cfg1, append(raw, job...), 0o644); err != nil {
		t.Fatal(err)
	}
	setJobSizes(t, cfg1, 4096, 25000) // several row groups and batches in one window
	dropGenerated(t, one, "patients-cores.csv", 70000, 7)
	feed := filepath.Join(one, "inbox/hl7/feed-cores.hl7")
	mustCode(t, ha(t, nil, "gen", "--kind", "hl7", "--rows", "3000", "--seed", "7", "--bad", "0.02", "--out", feed), 0, "gen hl7")

	two := filepath.Join(t.TempDir(), "d2")
	if out, err := exec.Command("cp", "-a", one, two).CombinedOutput(); err != nil {
		t.Fatalf("copying the deployment: %v\n%s", err, out)
	}
	cfg2 := filepath.Join(two, "healthanchor.yaml")
	before := len(batches(t, cfg1))

	published := func(cfg, procs string) []listed {
		env := []string{"GOMAXPROCS=" + procs, "HA_CORES_DSN=" + srv.dsn}
		for _, j := range []string{"patients-csv", "hl7-feed", "cores-sql"} {
			mustCode(t, ha(t, env, "--config", cfg, "run", j), 0, "run "+j+" with GOMAXPROCS="+procs)
		}
		return batches(t, cfg)[before:]
	}
	a, b := published(cfg1, "1"), published(cfg2, "2")
	if len(a) != len(b) || len(a) < 4 {
		t.Fatalf("GOMAXPROCS=1 published %d batches, GOMAXPROCS=2 %d; want the same, at least 4", len(a), len(b))
	}
	jobs := map[string]bool{}
	for i := range a {
		x, y := a[i], b[i]
		jobs[x.Job] = true
		if x.BatchID != y.BatchID || x.Job != y.Job || x.Schema != y.Schema || x.Rows != y.Rows ||
			x.Rejects != y.Rejects || x.MerkleRoot != y.MerkleRoot || x.ParquetSHA256 != y.ParquetSHA256 {
			t.Errorf("batch %d differs:\n GOMAXPROCS=1 %+v\n GOMAXPROCS=2 %+v", i, x, y)
		}
	}
	for _, j := range []string{"patients-csv", "hl7-feed", "cores-sql"} {
		if !jobs[j] {
			t.Errorf("job %s published no batch", j)
		}
	}
	checkExactlyOnce(t, two, cfg2, "cores-sql", 25000)
}
