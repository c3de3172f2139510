package csv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/healthanchor/healthanchor/connectors"
)

// demoJobs are the demo's two csv jobs, as in docs/csv.md; the demo
// copies testdata/demo/csv into inbox/csv/ next to its config.
const demoJobs = `
jobs:
  - name: patients
    connector: csv
    options:
      input: inbox/csv/patients-*.csv
      source: demo-his
  - name: patients-legacy
    connector: csv
    options:
      input: inbox/csv/legacy/*.csv
      source: demo-legacy-registry
      encoding: windows-1252
      delimiter: ";"
      date_formats: ["02/01/2006"]
      time_formats: ["02/01/2006 15:04:05"]
      mapping:
        patient_id: NUM_PATIENT
        family_name: NOM
        given_name: PRENOM
        birth_date: DATE_NAISSANCE
        sex: SEXE
        address: ADRESSE
        city: VILLE
        postal_code: CODE_POSTAL
        country: PAYS
        phone: TELEPHONE
        death_date: DATE_DECES
        updated_at: DATE_MAJ
`

// TestDemoSample reads the demo sample with the demo's job options and
// checks the rows and the deliberately bad records.
func TestDemoSample(t *testing.T) {
	var cfg struct {
		Jobs []struct {
			Name      string             `yaml:"name"`
			Connector string             `yaml:"connector"`
			Options   connectors.Options `yaml:"options"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(demoJobs), &cfg); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	copyTree(t, "../../testdata/demo/csv", filepath.Join(dir, "inbox", "csv"))
	want := map[string]struct {
		rows    int
		rejects []string
	}{
		"patients": {300, []string{
			`birth_date: "1981-02-30" is not a date`,
			"record has 7 fields, want 12",
			`birth_date: "12.03.1990" is not a date`,
			"patient_id is required",
			`sex: "K" is not a known sex`,
			`field 3: "N" after the closing quote`,
		}},
		"patients-legacy": {146, []string{
			`birth_date (column "DATE_NAISSANCE"): "31/04/1977" is not a date`,
			`birth_date (column "DATE_NAISSANCE"): "1975-05-12" is not a date`,
			`sex (column "SEXE"): "?!" is not a known sex`,
			"record has 9 fields, want 12",
		}},
	}
	paris := mustLoc(t, "Europe/Paris")
	for _, job := range cfg.Jobs {
		c, err := connectors.Open(job.Connector, job.Options, connectors.Env{BaseDir: dir, Location: paris})
		if err != nil {
			t.Fatalf("%s: %v", job.Name, err)
		}
		recs, _ := readAll(t, c, nil)
		rows, multiline := 0, 0
		var rejects []string
		for _, r := range recs {
			if r.Reject != nil {
				rejects = append(rejects, r.Reject.Reason)
				continue
			}
			rows++
			if strings.Contains(r.Row[c.Schemas()[0].Index("address")].Str, "\n") {
				multiline++
			}
		}
		w := want[job.Name]
		if rows != w.rows || len(rejects) != len(w.rejects) {
			t.Errorf("%s: %d rows, %d rejects %q; want %d and %d", job.Name, rows, len(rejects), rejects, w.rows, len(w.rejects))
			continue
		}
		for i, r := range rejects {
			if !strings.Contains(r, w.rejects[i]) {
				t.Errorf("%s: reject %d %q, want %q", job.Name, i, r, w.rejects[i])
			}
		}
		if multiline == 0 {
			t.Errorf("%s: no address with an embedded line break", job.Name)
		}
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
