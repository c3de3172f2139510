package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// appendJob adds a job to a deployment's config and returns the line
// number its first line has in the file.
func appendJob(t *testing.T, cfg, job string) int {
	t.Helper()
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, append(raw, job...), 0o644); err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(raw), "\n") + 2 // job starts with a newline
}

// jobCounts sums the rows and rejects of a job's anchored batches.
func jobCounts(t *testing.T, cfg, job string) (rows, rejects int64) {
	t.Helper()
	for _, b := range batches(t, cfg) {
		if b.Job == job {
			rows, rejects = rows+b.Rows, rejects+b.Rejects
		}
	}
	return rows, rejects
}

// rejectReasons lists a job's reject reasons with their values shown.
func rejectReasons(t *testing.T, cfg, job string) string {
	t.Helper()
	r := ha(t, nil, "--config", cfg, "rejects", "--job", job, "--show-values")
	mustCode(t, r, 0, "rejects --show-values")
	return r.stdout
}

// TestSQLMappingThroughCLI maps a PostgreSQL and a MariaDB table with
// mapping expressions and a code table through the binary: config check
// names the line and column of a bad expression, preview --job shows the
// mapped rows, and a code not in the table is a reject naming the value
// and the table.
func TestSQLMappingThroughCLI(t *testing.T) {
	for _, srv := range sqlServers {
		t.Run(srv.name, func(t *testing.T) {
			db := srv.open(t)
			table := fmt.Sprintf("ha_map_%d", time.Now().UnixNano()%1e9)
			if _, err := db.Exec(fmt.Sprintf("CREATE TABLE %s (id integer PRIMARY KEY, nom varchar(80), prenom varchar(80), sexe integer, numero integer, rue varchar(80), maj %s)", table, srv.ts)); err != nil {
				t.Fatal(err)
			}
			defer db.Exec("DROP TABLE " + table)
			at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
			for _, v := range []string{"1, 'Durand', 'Anne', 2, 12, 'rue des Lilas'", "2, 'Martin', NULL, 1, NULL, NULL", "3, 'Petit', 'Luc', 7, 3, 'place Bellecour'"} {
				if _, err := db.Exec(fmt.Sprintf("INSERT INTO %s VALUES (%s, '%s')", table, v, at.Format("2006-01-02 15:04:05"))); err != nil {
					t.Fatal(err)
				}
			}
			_, cfg := newDeployment(t)
			raw, _ := os.ReadFile(cfg)
			const jobFmt = `
  - name: map-sql
    connector: sql
    options:
      driver: %s
      dsn: ${HA_CLI_DSN}
      table: %s
      watermark: maj
      key: id
      mapping:
        patient_id: 'concat("P-", id)'
        family_name: upper(nom)
        given_name: default(prenom, "?")
        sex: %s
        address: 'concat(numero, " ", rue)'
      codes:
        sex: {"1": M, "2": F}
`
			line := appendJob(t, cfg, fmt.Sprintf(jobFmt, srv.driver, table, "code(sexe, sexes)"))
			r := ha(t, nil, "--config", cfg, "config", "check")
			mustCode(t, r, 2, "config check with an unknown code table")
			want := fmt.Sprintf("healthanchor.yaml:%d:14:", line+12)
			if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, `mapping.sex: code table "sexes" is not in codes`) {
				t.Errorf("config check does not name %s and the code table:\n%s", want, r.stderr)
			}
			os.WriteFile(cfg, raw, 0o644)
			appendJob(t, cfg, fmt.Sprintf(jobFmt, srv.driver, table, "code(sexe, sex)"))
			env := []string{"HA_CLI_DSN=" + srv.dsn}
			mustCode(t, ha(t, env, "--config", cfg, "config", "check"), 0, "config check")

			r = ha(t, env, "--config", cfg, "preview", "--job", "map-sql")
			mustCode(t, r, 0, "preview")
			for _, w := range []string{
				`"address":"12 rue des Lilas","birth_date":null,"city":null,"country":null,"death_date":null,"family_name":"DURAND","given_name":"Anne","patient_id":"P-1"`,
				`"address":null,"birth_date":null,"city":null,"country":null,"death_date":null,"family_name":"MARTIN","given_name":"?","patient_id":"P-2","phone":null,"postal_code":null,"sex":"M"`,
			} {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("preview does not show %s:\n%s", w, r.stdout)
				}
			}
			if n := strings.Count(r.stdout, "\n"); n != 2 {
				t.Errorf("preview printed %d rows, want 2:\n%s", n, r.stdout)
			}

			mustCode(t, ha(t, env, "--config", cfg, "run", "map-sql"), 0, "run")
			if rows, rejects := jobCounts(t, cfg, "map-sql"); rows != 2 || rejects != 1 {
				t.Fatalf("anchored %d rows and %d rejects, want 2 and 1", rows, rejects)
			}
			wantReason := fmt.Sprintf(`%s id=3 sex (code(sexe, sex)): "7" is not in code table sex`, table)
			if got := rejectReasons(t, cfg, "map-sql"); !strings.Contains(got, wantReason) {
				t.Errorf("rejects do not show %q:\n%s", wantReason, got)
			}
		})
	}
}

// TestFHIRMappingThroughCLI maps the example export's Patient.gender
// through a code table of local codes: "femme" is now F, a code not in
// the table is a reject naming the value and the table; a template
// ("{name[0].given[0]} ({id})") fills the given name.
func TestFHIRMappingThroughCLI(t *testing.T) {
	dir, cfg := newDeployment(t)
	inbox := filepath.Join(dir, "inbox/fhir")
	os.MkdirAll(inbox, 0o755)
	b, err := os.ReadFile("../../connectors/fhirndjson/testdata/export/Patient.000.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(inbox, "Patient.000.ndjson"), b, 0o644)
	raw, _ := os.ReadFile(cfg)
	const jobFmt = `
  - name: fhir-map
    connector: fhir-ndjson
    options:
      input: inbox/fhir/*.ndjson
      mapping:
        Patient:
          patient_id: identifier[1].value
          sex: code(gender, %s)
          country: '"FR"'
          given_name: "{name[0].given[0]} ({id})"
      codes:
        sex: {male: M, female: F, femme: F}
`
	line := appendJob(t, cfg, fmt.Sprintf(jobFmt, "sex, U, V"))
	r := ha(t, nil, "--config", cfg, "config", "check")
	mustCode(t, r, 2, "config check with a bad expression")
	want := fmt.Sprintf("healthanchor.yaml:%d:16:", line+7)
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "mapping.Patient.sex: expression") {
		t.Errorf("config check does not name %s and the expression:\n%s", want, r.stderr)
	}
	os.WriteFile(cfg, raw, 0o644)
	appendJob(t, cfg, fmt.Sprintf(jobFmt, "sex"))

	r = ha(t, nil, "--config", cfg, "preview", "--job", "fhir-map")
	mustCode(t, r, 0, "preview")
	if !strings.Contains(r.stdout, `"patient_id":"MRN-0004","phone":"555-810-7203","postal_code":"66801","sex":"F"`) {
		t.Errorf("preview does not show the femme patient as F:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, `"given_name":"Sumiko254 (p1)"`) {
		t.Errorf("preview does not show the given name filled by its template:\n%s", r.stdout)
	}
	if n := strings.Count(r.stdout, `"country":"FR"`); n != 3 {
		t.Errorf("preview shows %d rows with the constant country, want 3:\n%s", n, r.stdout)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run", "fhir-map"), 0, "run")
	// p1, p2, p4 (femme) map; p3 (unknown), the cut line and the partial birth date are rejects.
	if rows, rejects := jobCounts(t, cfg, "fhir-map"); rows != 3 || rejects != 3 {
		t.Fatalf("anchored %d rows and %d rejects, want 3 and 3", rows, rejects)
	}
	wantReason := `Patient.000.ndjson:3: sex (code(gender, sex)): "unknown" is not in code table sex`
	if got := rejectReasons(t, cfg, "fhir-map"); !strings.Contains(got, wantReason) {
		t.Errorf("rejects do not show %q:\n%s", wantReason, got)
	}
}
