package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// The input bounds hold wherever an oversized unit sits: a message,
// record or value of 100 MB in the middle of a source is one reject, the
// units after it are read, and the run's peak memory stays far below the
// oversized unit's size.
const (
	oversize = 100 << 20 // bytes of the oversized unit
	rssBound = 200 << 10 // KiB of peak resident memory allowed to a run
)

// runRSS runs the binary with args and returns its result and peak
// resident set size in KiB. Linux counts in a child's peak the peak of
// the process that started it, so tests keep their own memory small.
func runRSS(t *testing.T, args ...string) (result, int64) {
	t.Helper()
	cmd := exec.Command(binary, args...)
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
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Skip("no rusage on this platform")
	}
	return r, ru.Maxrss
}

// writeFile streams parts into path; a part of type repeat is written as
// n copies of its byte without holding them in memory.
func writeFile(t *testing.T, path string, parts ...any) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			_, err = w.WriteString(p)
		case []byte:
			_, err = w.Write(p)
		case repeat:
			chunk := bytes.Repeat([]byte{p.b}, 1<<20)
			for n := p.n; n > 0 && err == nil; n -= len(chunk) {
				_, err = w.Write(chunk[:min(n, len(chunk))])
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

type repeat struct {
	b byte
	n int
}

// jobTotals sums the rows and rejects of a job's batches not in before.
func jobTotals(t *testing.T, cfg, job string, before int) (rows, rejects int64, list []listed) {
	t.Helper()
	all := batches(t, cfg)
	for _, b := range all[before:] {
		if b.Job == job {
			rows += b.Rows
			rejects += b.Rejects
			list = append(list, b)
		}
	}
	return rows, rejects, list
}

// checkRejectsSmall checks that no rejects file holds the oversized unit.
func checkRejectsSmall(t *testing.T, list []listed) {
	t.Helper()
	for _, b := range list {
		if b.RejectsPath == "" {
			continue
		}
		st, err := os.Stat(b.RejectsPath)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() > 1<<20 {
			t.Errorf("rejects file %s is %d bytes: it holds the oversized input", b.RejectsPath, st.Size())
		}
	}
}

// TestHL7OversizedMessageBoundedMemory puts a 100 MB message between two
// copies of a generated feed.
func TestHL7OversizedMessageBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 100 MB input")
	}
	dir, cfg := newDeployment(t)
	feed := filepath.Join(t.TempDir(), "feed.hl7")
	mustCode(t, ha(t, nil, "gen", "--kind", "hl7", "--rows", "200", "--bad", "0", "--out", feed), 0, "gen")
	before := len(batches(t, cfg))
	inbox := filepath.Join(dir, "inbox/hl7")
	copyFile(t, feed, filepath.Join(inbox, "a.hl7"))
	mustCode(t, ha(t, nil, "--config", cfg, "run", "hl7-feed"), 0, "run on the feed")
	rowsA, rejA, _ := jobTotals(t, cfg, "hl7-feed", before)
	if rowsA == 0 {
		t.Fatal("the generated feed gave no rows")
	}
	raw, err := os.ReadFile(feed)
	if err != nil {
		t.Fatal(err)
	}
	before = len(batches(t, cfg))
	writeFile(t, filepath.Join(inbox, "b.hl7"), raw,
		"MSH|^~\\&|LAB|HOSP|HA|HOSP|20260101120000||ORU^R01|BIG0001|P|2.5\r",
		"PID|1||BIG1^^^HOSP^MR||Big^Message\r",
		"OBX|1|ED|PDF^Report||", repeat{'A', oversize}, "\r", raw)
	r, rss := runRSS(t, "--config", cfg, "run", "hl7-feed")
	mustCode(t, r, 0, "run on the feed with an oversized message")
	t.Logf("peak RSS %d MiB for a %d MiB message", rss>>10, oversize>>20)
	if rss > rssBound {
		t.Errorf("peak RSS %d KiB, want under %d KiB", rss, rssBound)
	}
	rows, rej, list := jobTotals(t, cfg, "hl7-feed", before)
	if rows != 2*rowsA || rej != 2*rejA+1 {
		t.Errorf("rows %d rejects %d, want %d and %d", rows, rej, 2*rowsA, 2*rejA+1)
	}
	checkRejectsSmall(t, list)
}

// TestCSVOversizedRecordBoundedMemory puts a 100 MB record between the
// records of a generated export.
func TestCSVOversizedRecordBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 100 MB input")
	}
	dir, cfg := newDeployment(t)
	gen := filepath.Join(t.TempDir(), "gen.csv")
	const n = 2000
	mustCode(t, ha(t, nil, "gen", "--kind", "csv", "--rows", "2000", "--seed", "3", "--bad", "0", "--out", gen), 0, "gen")
	raw, err := os.ReadFile(gen)
	if err != nil {
		t.Fatal(err)
	}
	nl := bytes.IndexByte(raw, '\n') + 1
	before := len(batches(t, cfg))
	writeFile(t, filepath.Join(dir, "inbox/csv/patients-big.csv"), raw,
		"BIG1,", repeat{'A', oversize}, ",X,1980-01-01,F,2026-01-01T00:00:00Z\n", raw[nl:])
	r, rss := runRSS(t, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 0, "run on an export with an oversized record")
	t.Logf("peak RSS %d MiB for a %d MiB record", rss>>10, oversize>>20)
	if rss > rssBound {
		t.Errorf("peak RSS %d KiB, want under %d KiB", rss, rssBound)
	}
	rows, rej, list := jobTotals(t, cfg, "patients-csv", before)
	if rows+rej != 2*n+1 || rej < 1 {
		t.Errorf("rows %d + rejects %d, want %d records with the oversized one rejected", rows, rej, 2*n+1)
	}
	checkRejectsSmall(t, list)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestSQLOversizedValueBoundedMemory puts a row holding a 100 MB value
// between two rows of the demo's legacy database.
func TestSQLOversizedValueBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 100 MB value")
	}
	dir, cfg := newDeployment(t)
	// The rows are written by a child process: SQLite needs a few times
	// the value's size to make it, and a child started while this
	// process's peak was high would report that peak as its own.
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperBigRow$")
	cmd.Env = append(os.Environ(), "HEALTHANCHOR_BIG_ROW_DB="+filepath.Join(dir, "sources/legacy.db"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("writing the rows: %v\n%s", err, out)
	}
	before := len(batches(t, cfg))
	r, rss := runRSS(t, "--config", cfg, "run", "legacy-patients")
	mustCode(t, r, 0, "run on a table with an oversized value")
	t.Logf("peak RSS %d MiB for a %d MiB value", rss>>10, oversize>>20)
	if rss > rssBound {
		t.Errorf("peak RSS %d KiB, want under %d KiB", rss, rssBound)
	}
	rows, rej, list := jobTotals(t, cfg, "legacy-patients", before)
	if rows != 2 || rej != 1 {
		t.Errorf("rows %d rejects %d, want 2 and 1", rows, rej)
	}
	checkRejectsSmall(t, list)
}

// TestHelperBigRow writes the rows of TestSQLOversizedValueBoundedMemory
// when run as its child process.
func TestHelperBigRow(t *testing.T) {
	path := os.Getenv("HEALTHANCHOR_BIG_ROW_DB")
	if path == "" {
		t.Skip("a helper process of TestSQLOversizedValueBoundedMemory")
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// SQLite makes the value itself: hex of N zero bytes is 2N characters.
	_, err = db.Exec(`INSERT INTO patients (id, mrn, nom, prenom, date_naissance, sexe, maj) VALUES
		(900001, 'BIG900001', 'Before', 'A', '1970-01-01', 'F', '2099-01-01 00:00:00'),
		(900002, 'BIG900002', hex(zeroblob(?)), 'B', '1970-01-01', 'F', '2099-01-01 00:00:01'),
		(900003, 'BIG900003', 'After', 'C', '1970-01-01', 'M', '2099-01-01 00:00:02')`, oversize/2)
	if err != nil {
		t.Fatal(err)
	}
}

// TestControlCharacters: a CSV value holding a NUL byte is a reject by
// default; with control_chars: strip the row is anchored.
func TestControlCharacters(t *testing.T) {
	dir, cfg := newDeployment(t)
	const rows = "patient_id,family_name,given_name,birth_date,sex,updated_at\n" +
		"C1,Do\x00e,Jane,1980-01-01,F,2026-11-25T08:00:00Z\n" +
		"C2,Smith,Jo\x1bhn,1980-01-01,M,2026-11-25T08:00:00Z\n" +
		"C3,Tab\tOk,Ann,1980-01-01,F,2026-11-25T08:00:00Z\n"
	before := len(batches(t, cfg))
	writeFile(t, filepath.Join(dir, "inbox/csv/patients-ctl1.csv"), rows)
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run")
	if n, rej, _ := jobTotals(t, cfg, "patients-csv", before); n != 1 || rej != 2 {
		t.Errorf("default rule: rows %d rejects %d, want 1 and 2", n, rej)
	}
	raw, _ := os.ReadFile(cfg)
	conf := bytes.Replace(raw, []byte("  - name: patients-csv\n    connector: csv\n"), []byte("  - name: patients-csv\n    connector: csv\n    control_chars: strip\n"), 1)
	if bytes.Equal(conf, raw) {
		t.Fatal("could not set control_chars in the demo config")
	}
	os.WriteFile(cfg, conf, 0o644)
	before = len(batches(t, cfg))
	writeFile(t, filepath.Join(dir, "inbox/csv/patients-ctl2.csv"), rows)
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run with control_chars: strip")
	if n, rej, _ := jobTotals(t, cfg, "patients-csv", before); n != 3 || rej != 0 {
		t.Errorf("strip rule: rows %d rejects %d, want 3 and 0", n, rej)
	}
}
