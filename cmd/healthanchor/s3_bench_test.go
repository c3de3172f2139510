package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestS3Benchmark measures `run` of one generated patient CSV published to
// a folder and to the SeaweedFS bucket, alternating, and `verify batch` of
// the bucket's batch (time and bytes fetched). It only reports; it runs
// when HEALTHANCHOR_BENCH_S3_ROWS is set (README, Performance):
//
//	HEALTHANCHOR_BENCH_S3_ROWS=1000000 HEALTHANCHOR_BENCH_S3_ROUNDS=3 \
//	  go test -run TestS3Benchmark -v -timeout 60m ./cmd/healthanchor/
func TestS3Benchmark(t *testing.T) {
	rows, rounds := s3BenchSize(t, "HEALTHANCHOR_BENCH_S3_ROWS", "the object-storage benchmark")
	srv := startS3(t)
	src := filepath.Join(t.TempDir(), "patients-bench.csv")
	mustCode(t, ha(t, nil, "gen", "--kind", "csv", "--rows", fmt.Sprint(rows), "--seed", "1", "--bad", "0", "--out", src), 0, "gen")
	fetched := regexp.MustCompile(`"bytes_read":(\d+),"size":(\d+)`)
	var folder, bucket, verify, ratios []float64
	var read, size int64
	for round := 0; round < rounds; round++ {
		for _, toBucket := range []bool{round%2 == 0, round%2 != 0} {
			dir, cfg := newDeployment(t)
			if toBucket {
				useLake(t, cfg, s3Lake(srv, srv.Bucket, fmt.Sprintf("bench-%d", round)))
			}
			if err := os.Link(src, filepath.Join(dir, "inbox/csv/patients-bench.csv")); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			r := ha(t, s3Env(srv), "--config", cfg, "run", "patients-csv")
			mustCode(t, r, 0, "run")
			took := time.Since(start).Seconds()
			t.Logf("run to the %s: %s, ended +%.2fs", map[bool]string{false: "folder", true: "bucket"}[toBucket], phases(r.stderr, start), took)
			if !toBucket {
				folder = append(folder, took)
				continue
			}
			bucket = append(bucket, took)
			for _, b := range batches(t, cfg) {
				if !strings.HasPrefix(b.ParquetPath, "s3://") {
					continue
				}
				start = time.Now()
				r = ha(t, s3Env(srv), "--config", cfg, "-v", "verify", "batch", b.BatchID)
				mustCode(t, r, 0, "verify batch")
				verify = append(verify, time.Since(start).Seconds())
				m := fetched.FindStringSubmatch(r.stderr)
				if m != nil {
					read, _ = strconv.ParseInt(m[1], 10, 64)
					size, _ = strconv.ParseInt(m[2], 10, 64)
				}
			}
		}
		ratios = append(ratios, folder[len(folder)-1]/bucket[len(bucket)-1])
		t.Logf("round %d: folder %.2fs, bucket %.2fs, ratio %.2f", round+1, folder[len(folder)-1], bucket[len(bucket)-1], ratios[len(ratios)-1])
	}
	t.Logf("%d rows, %d rounds: run to a folder median %.2fs, to the bucket median %.2fs, folder/bucket ratio median %.2f (%.2f to %.2f)",
		rows, rounds, median(folder), median(bucket), median(ratios), minOf(ratios), maxOf(ratios))
	t.Logf("verify batch from the bucket: median %.2fs; rows file %d bytes, %d bytes fetched (%.2fx)", median(verify), size, read, float64(read)/float64(max(size, 1)))
}

// phases says when, after start, a run's log reports the steps of a run
// (written, anchored, indexed), to show where a run to the bucket spends
// its extra time.
func phases(stderr string, start time.Time) string {
	var out []string
	for _, line := range strings.Split(stderr, "\n") {
		var l struct {
			Time time.Time `json:"time"`
			Msg  string    `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &l) != nil {
			continue
		}
		switch l.Msg {
		case "extracted", "anchored", "patient index updated":
			out = append(out, fmt.Sprintf("%s +%.2fs", l.Msg, l.Time.Sub(start).Seconds()))
		}
	}
	return strings.Join(out, ", ")
}

func median(xs []float64) float64 {
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func minOf(xs []float64) float64 { s := append([]float64{}, xs...); sort.Float64s(s); return s[0] }
func maxOf(xs []float64) float64 {
	s := append([]float64{}, xs...)
	sort.Float64s(s)
	return s[len(s)-1]
}

// s3BenchSize reads a bucket benchmark's size: its rows from rowsVar (the
// test is skipped when it is unset, naming what it would run) and its
// rounds from HEALTHANCHOR_BENCH_S3_ROUNDS (3 when unset).
func s3BenchSize(t *testing.T, rowsVar, what string) (rows, rounds int) {
	t.Helper()
	rows, _ = strconv.Atoi(os.Getenv(rowsVar))
	if rows <= 0 {
		t.Skipf("set %s to run %s", rowsVar, what)
	}
	rounds, _ = strconv.Atoi(os.Getenv("HEALTHANCHOR_BENCH_S3_ROUNDS"))
	if rounds <= 0 {
		rounds = 3
	}
	return rows, rounds
}
