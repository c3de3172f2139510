package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestS3VerifyBenchmark publishes one generated patient CSV to the
// SeaweedFS bucket, then times `verify batch` of its rows object, round
// after round, alternating this binary with a baseline one when
// HEALTHANCHOR_BENCH_S3_BASELINE names it (a healthanchor binary built
// from an earlier commit), and reports the bytes each fetched. It only
// reports; it runs when HEALTHANCHOR_BENCH_S3_VERIFY_ROWS is set (README,
// Performance):
//
//	HEALTHANCHOR_BENCH_S3_VERIFY_ROWS=1000000 HEALTHANCHOR_BENCH_S3_ROUNDS=5 \
//	HEALTHANCHOR_BENCH_S3_BASELINE=/path/to/healthanchor-before \
//	  go test -run TestS3VerifyBenchmark -v -timeout 60m ./cmd/healthanchor/
func TestS3VerifyBenchmark(t *testing.T) {
	rows, rounds := s3BenchSize(t, "HEALTHANCHOR_BENCH_S3_VERIFY_ROWS", "the verify-from-the-bucket benchmark")
	bins := map[string]string{"current": binary}
	if b := os.Getenv("HEALTHANCHOR_BENCH_S3_BASELINE"); b != "" {
		bins["baseline"] = b
	}
	srv := startS3(t)
	dir, cfg := newDeployment(t)
	useLake(t, cfg, s3Lake(srv, srv.Bucket, "verify-bench"))
	src := filepath.Join(dir, "inbox/csv/patients-bench.csv")
	mustCode(t, ha(t, nil, "gen", "--kind", "csv", "--rows", fmt.Sprint(rows), "--seed", "1", "--bad", "0", "--out", src), 0, "gen")
	mustCode(t, ha(t, s3Env(srv), "--config", cfg, "run", "patients-csv"), 0, "run")
	var id string
	for _, b := range batches(t, cfg) {
		if strings.HasPrefix(b.ParquetPath, "s3://") {
			id = b.BatchID
		}
	}
	if id == "" {
		t.Fatal("no batch was published to the bucket")
	}
	fetched := regexp.MustCompile(`"object":"[^"]*/schema=patient_1/[^"]*","bytes_read":(\d+),"size":(\d+)`)
	took := map[string][]float64{}
	read := map[string]int64{}
	var size int64
	var ratios []float64
	order := []string{"current", "baseline"}
	for round := 0; round < rounds; round++ {
		if round%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, name := range order {
			bin, ok := bins[name]
			if !ok {
				continue
			}
			cmd := exec.Command(bin, "--config", cfg, "-v", "verify", "batch", id)
			cmd.Env = append(os.Environ(), s3Env(srv)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			start := time.Now()
			if err := cmd.Run(); err != nil {
				t.Fatalf("%s verify batch: %v\n%s", name, err, stderr.String())
			}
			took[name] = append(took[name], time.Since(start).Seconds())
			if m := fetched.FindStringSubmatch(stderr.String()); m != nil {
				read[name], _ = strconv.ParseInt(m[1], 10, 64)
				size, _ = strconv.ParseInt(m[2], 10, 64)
			}
		}
		if len(took["baseline"]) > round {
			ratios = append(ratios, took["baseline"][round]/took["current"][round])
			t.Logf("round %d: current %.2fs, baseline %.2fs, baseline/current %.2f", round+1, took["current"][round], took["baseline"][round], ratios[round])
		}
	}
	for _, name := range []string{"current", "baseline"} {
		if xs := took[name]; len(xs) > 0 {
			t.Logf("%s: verify batch median %.2fs (%.2f to %.2f); rows object %d bytes, %d fetched (%.2fx)",
				name, median(xs), minOf(xs), maxOf(xs), size, read[name], float64(read[name])/float64(max(size, 1)))
		}
	}
	if len(ratios) > 0 {
		t.Logf("baseline/current time ratio median %.2f (%.2f to %.2f) over %d rounds", median(ratios), minOf(ratios), maxOf(ratios), len(ratios))
	}
}
