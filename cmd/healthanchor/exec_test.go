package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/internal/testtool"
)

// execJobs are two jobs over the Singer test tap (testdata/taps): one per
// stream, with a code table, a secret from the environment and a log of
// the tap's runs.
const execJobs = `
  - name: exec-patients
    connector: exec
    options:
      command: [python3, taps/tap_registry.py]
      stream: patients
      schema: patient/1
      source: registry-tap
      mapping: {patient_id: mrn, given_name: first, family_name: last, birth_date: dob,
                sex: "code(sex_code, sex)", city: "upper(city)"}
      code_tables: {sex: {"1": M, "2": F}}
      tap_config: {patients_path: taps/patients.csv, runs_log: taps/patients.runs, token: "${HA_TAP_TOKEN}"%s}
  - name: exec-visits
    connector: exec
    options:
      command: [python3, taps/tap_registry.py]
      stream: visits
      schema: encounter/1
      source: registry-tap
      mapping: {encounter_id: visit, patient_id: mrn, class: kind, admit_time: admitted}
      tap_config: {patients_path: taps/patients.csv, visits_path: taps/visits.csv}
`

// execDeployment is a demo deployment with the test tap copied in and the
// exec jobs appended to its config (extra is added to the patients job's
// tap_config).
func execDeployment(t *testing.T, extra string) (dir, cfg string) {
	t.Helper()
	testtool.Python3(t)
	dir, cfg = newDeployment(t)
	os.MkdirAll(filepath.Join(dir, "taps"), 0o755)
	for _, f := range []string{"tap_registry.py", "patients.csv", "visits.csv"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/taps", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "taps", f), b, 0o755)
	}
	writeExecJobs(t, cfg, extra)
	return dir, cfg
}

func writeExecJobs(t *testing.T, cfg, extra string) {
	t.Helper()
	raw, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	conf := string(raw)
	if i := strings.Index(conf, "\n  - name: exec-patients"); i >= 0 {
		conf = conf[:i+1]
	}
	os.WriteFile(cfg, []byte(conf+fmt.Sprintf(execJobs, extra)), 0o644)
}

var tapEnv = []string{"HA_TAP_TOKEN=s3cret"}

// tapRuns counts how many times the patients job ran the tap.
func tapRuns(t *testing.T, dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, "taps/patients.runs"))
	return strings.Count(string(b), "\n")
}

func addPatients(t *testing.T, dir string, from, n int) {
	f, err := os.OpenFile(filepath.Join(dir, "taps/patients.csv"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i := from; i < from+n; i++ {
		fmt.Fprintf(f, "%d,MRN%03d,Given%d,Family%d,1980-01-%02d,%d,Lyon\n", i, i, i, i, 1+i%28, 1+i%2)
	}
}

// TestExecTapExactlyOnce runs the patients tap through every crash point:
// each time new records arrive, the run is killed, and the next run
// anchors them once, replaying the spool instead of running the tap again
// when the tap had finished; the tap's STATE moves only with the commit.
func TestExecTapExactlyOnce(t *testing.T) {
	dir, cfg := execDeployment(t, "")
	mustCode(t, ha(t, tapEnv, "--config", cfg, "run", "exec-patients"), 0, "first run")
	checkExactlyOnce(t, dir, cfg, "exec-patients", 5)
	total, next := int64(5), 6
	for _, step := range []string{"reading", "written", "anchored", "published"} {
		addPatients(t, dir, next, 3)
		next += 3
		total += 3
		before := tapRuns(t, dir)
		r := ha(t, append([]string{"HEALTHANCHOR_CRASH_AT=" + step}, tapEnv...), "--config", cfg, "run", "exec-patients")
		if r.code != -1 {
			t.Fatalf("run with a crash at %s: exit %d, want killed\n%s", step, r.code, r.stderr)
		}
		mustCode(t, ha(t, tapEnv, "--config", cfg, "run", "exec-patients"), 0, "run after a crash at "+step)
		if got := tapRuns(t, dir) - before; got != 1 {
			t.Errorf("crash at %s: the tap ran %d times, want once (the spool replayed)", step, got)
		}
		checkExactlyOnce(t, dir, cfg, "exec-patients", total)
	}
	r := ha(t, tapEnv, "--config", cfg, "run", "exec-patients")
	mustCode(t, r, 0, "run with nothing new")
	if !strings.Contains(r.stdout, "nothing new") {
		t.Errorf("a run after the tap's last record found something new:\n%s", r.stdout)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "taps/patients.runs"))
	if !strings.Contains(string(log), `"id": 17}`) {
		t.Errorf("the last run did not get the committed STATE:\n%s", log)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "spool/*")); len(left) > 0 {
		t.Errorf("spool files left after the commit: %v", left)
	}
	// The second stream of the same tap, into encounter/1.
	mustCode(t, ha(t, tapEnv, "--config", cfg, "run", "exec-visits"), 0, "visits")
	checkExactlyOnce(t, dir, cfg, "exec-visits", 2)
}

// TestExecSpoolCutShort: the spool is fsynced by the replay, not before
// the window naming it is recorded, so a machine crash may leave a
// recorded window whose spool lost its tail. The next run fails on the
// spool's checksum with nothing anchored and forgets the window; the one
// after runs the tap again and anchors every record once.
func TestExecSpoolCutShort(t *testing.T) {
	dir, cfg := execDeployment(t, "")
	mustCode(t, ha(t, tapEnv, "--config", cfg, "run", "exec-patients"), 0, "first run")
	addPatients(t, dir, 6, 3)
	r := ha(t, append([]string{"HEALTHANCHOR_CRASH_AT=reading"}, tapEnv...), "--config", cfg, "run", "exec-patients")
	if r.code != -1 {
		t.Fatalf("run with a crash at reading: exit %d, want killed\n%s", r.code, r.stderr)
	}
	spools, _ := filepath.Glob(filepath.Join(dir, "spool/*.jsonl"))
	if len(spools) != 1 {
		t.Fatalf("spool files after the crash: %v, want one", spools)
	}
	fi, err := os.Stat(spools[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(spools[0], fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	before := tapRuns(t, dir)
	r = ha(t, tapEnv, "--config", cfg, "run", "exec-patients")
	if r.code == 0 || !strings.Contains(r.stderr, "cut it short") {
		t.Fatalf("run over a cut spool: exit %d, want a failure naming the spool\n%s", r.code, r.stderr)
	}
	checkExactlyOnce(t, dir, cfg, "exec-patients", 5)
	mustCode(t, ha(t, tapEnv, "--config", cfg, "run", "exec-patients"), 0, "run after the failed replay")
	if got := tapRuns(t, dir) - before; got != 1 {
		t.Errorf("the tap ran %d times after the failed replay, want once (the window planned again)", got)
	}
	checkExactlyOnce(t, dir, cfg, "exec-patients", 8)
}

// TestExecTapFailures: a tap that exits non-zero, writes garbage, sends no
// STATE or lacks its secret fails the run with its stderr, anchors
// nothing and leaves the state where it was.
func TestExecTapFailures(t *testing.T) {
	dir, cfg := execDeployment(t, ", fail: true")
	for _, tc := range []struct{ extra, env, want string }{
		{", fail: true", "HA_TAP_TOKEN=s3cret", "connection reset by peer while reading visits"},
		{", garbage: true", "HA_TAP_TOKEN=s3cret", "is not a JSON message"},
		{", no_state: true", "HA_TAP_TOKEN=s3cret", "without a STATE message"},
		{"", "HA_TAP_TOKEN=wrong", "authentication failed: bad token"},
	} {
		writeExecJobs(t, cfg, tc.extra)
		r := ha(t, []string{tc.env}, "--config", cfg, "run", "exec-patients")
		mustCode(t, r, 1, "failing tap"+tc.extra)
		if !strings.Contains(r.stdout+r.stderr, tc.want) {
			t.Errorf("failing tap%s: output does not show %q:\n%s\n%s", tc.extra, tc.want, r.stdout, r.stderr)
		}
		checkExactlyOnce(t, dir, cfg, "exec-patients", 0)
	}
	writeExecJobs(t, cfg, "")
	mustCode(t, ha(t, tapEnv, "--config", cfg, "run", "exec-patients"), 0, "run once the tap is fixed")
	checkExactlyOnce(t, dir, cfg, "exec-patients", 5)
	log, _ := os.ReadFile(filepath.Join(dir, "taps/patients.runs"))
	if strings.Count(string(log), "run state={}") != 5 {
		t.Errorf("a failed run moved the tap's state:\n%s", log)
	}
}

// TestExecShellTap runs the example tap in sh of docs/exec.md through the
// binary: the first run anchors the file's records, a run after new lines
// anchors only those (the tap got the committed STATE), and a run with
// nothing new anchors nothing.
func TestExecShellTap(t *testing.T) {
	dir, cfg := newDeployment(t)
	os.MkdirAll(filepath.Join(dir, "taps"), 0o755)
	for _, f := range []string{"tap_patients.sh", "patients.txt"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/taps", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "taps", f), b, 0o644)
	}
	conf, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(cfg, append(conf, `
  - name: sh-patients
    connector: exec
    options:
      command: [sh, taps/tap_patients.sh, taps/patients.txt]
      stream: patients
      schema: patient/1
      source: registry-sh
      mapping: {patient_id: mrn, family_name: family, given_name: given, birth_date: dob}
`...), 0o644)
	mustCode(t, ha(t, nil, "--config", cfg, "run", "sh-patients"), 0, "first run")
	checkExactlyOnce(t, dir, cfg, "sh-patients", 3)

	f, err := os.OpenFile(filepath.Join(dir, "taps/patients.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(f, "MRN004;Roux;David;1990-05-06\nMRN005;Blanc;Emma;1969-11-30\n")
	f.Close()
	r := ha(t, nil, "--config", cfg, "run", "sh-patients")
	mustCode(t, r, 0, "run after two new lines")
	if !strings.Contains(r.stdout, "read 2 = written 2 + rejected 0") {
		t.Errorf("the second run did not read only the two new records:\n%s", r.stdout)
	}
	checkExactlyOnce(t, dir, cfg, "sh-patients", 5)

	r = ha(t, nil, "--config", cfg, "run", "sh-patients")
	mustCode(t, r, 0, "run with nothing new")
	if !strings.Contains(r.stdout, "nothing new") {
		t.Errorf("a run with no new line found something new:\n%s", r.stdout)
	}
}
