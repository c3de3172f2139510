package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// finalDiffers: a run killed once a batch's files are at their final keys
// leaves them there; one of them replaced by other bytes, the next run
// fails naming it and leaves it as it is (never overwritten); put back, the
// run after completes exactly once.
func finalDiffers(t *testing.T, l lake) {
	dir, cfg := newDeployment(t)
	useLake(t, cfg, l)
	base := demoRecords(t, cfg)
	dropGenerated(t, dir, "patients-final.csv", 1500, 9)
	r := ha(t, append([]string{"HEALTHANCHOR_CRASH_AT=copied"}, l.env...), "--config", cfg, "run", "patients-csv")
	if r.code != -1 {
		t.Fatalf("run with a crash at copied: exit %d, want killed\n%s", r.code, r.stderr)
	}
	var key string
	for _, k := range l.list(t) {
		if strings.HasPrefix(k, "schema=patient_1/") && strings.HasSuffix(k, ".parquet") {
			key = k
		}
	}
	if key == "" {
		t.Fatalf("no rows object at its final key after a crash at copied: %v", l.list(t))
	}
	orig := l.get(t, key)
	other := append([]byte("PAR1 not the anchored bytes"), orig[27:]...)
	l.put(t, key, other)
	r = ha(t, l.env, "--config", cfg, "run", "patients-csv")
	if r.code == 0 {
		t.Fatalf("a run over a final object with other bytes succeeded:\n%s", r.stdout)
	}
	if want := l.url + "/" + key + " exists but differs from its anchor"; !strings.Contains(r.stdout+r.stderr, want) {
		t.Errorf("the run does not say %q:\n%s%s", want, r.stdout, r.stderr)
	}
	if got := l.get(t, key); !bytes.Equal(got, other) {
		t.Errorf("the run replaced the differing object at %s", key)
	}
	l.put(t, key, orig)
	mustCode(t, ha(t, l.env, "--config", cfg, "run", "patients-csv"), 0, "run with the object put back")
	checkLakeExactlyOnce(t, cfg, l, "patients-csv", base+1500)
}

func TestLakeFinalDiffers(t *testing.T) { finalDiffers(t, fileLake(t)) }

func TestS3FinalDiffers(t *testing.T) {
	srv := startS3(t)
	finalDiffers(t, s3Lake(srv, srv.Bucket, "final"))
}

// staleStaging: staged objects a run left behind are kept while younger
// than a day (an interrupted run may still resume them) and deleted, and
// reported by key, by the first run with something new after that. The
// node's clock is moved forward (HEALTHANCHOR_NOW) rather than the
// objects' times back.
func staleStaging(t *testing.T, l lake) {
	dir, cfg := newDeployment(t)
	useLake(t, cfg, l)
	base := demoRecords(t, cfg)
	left := []string{"_staging/0123456789abcdef0123456789abcdef.parquet.part", "_staging/0123456789abcdef0123456789abcdef.rejects.parquet.part"}
	for _, k := range left {
		l.put(t, k, []byte("left by a run that never anchored"))
	}
	now := time.Now().UTC()
	dropGenerated(t, dir, "patients-stale-1.csv", 300, 12)
	r := ha(t, append([]string{"HEALTHANCHOR_NOW=" + now.Add(20*time.Hour).Format(time.RFC3339)}, l.env...), "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 0, "run 20 hours later")
	if strings.Contains(r.stderr, "removed staged objects") {
		t.Errorf("a run removed staged objects younger than a day:\n%s", r.stderr)
	}
	have := strings.Join(l.list(t), "\n")
	for _, k := range left {
		if !strings.Contains(have, k) {
			t.Errorf("staged object %s, younger than a day, was removed", k)
		}
	}
	dropGenerated(t, dir, "patients-stale-2.csv", 300, 13)
	r = ha(t, append([]string{"HEALTHANCHOR_NOW=" + now.Add(25*time.Hour).Format(time.RFC3339)}, l.env...), "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 0, "run 25 hours later")
	if !strings.Contains(r.stderr, "removed staged objects older than a day") {
		t.Errorf("the run does not report the staged objects it removed:\n%s", r.stderr)
	}
	for _, k := range left {
		if !strings.Contains(r.stderr, l.url+"/"+k) {
			t.Errorf("the report does not name %s:\n%s", l.url+"/"+k, r.stderr)
		}
	}
	checkLakeExactlyOnce(t, cfg, l, "patients-csv", base+600)
}

func TestLakeStaleStaging(t *testing.T) { staleStaging(t, fileLake(t)) }

func TestS3StaleStaging(t *testing.T) {
	srv := startS3(t)
	staleStaging(t, s3Lake(srv, srv.Bucket, "stale"))
}

// TestS3ServerKilledMidUpload SIGKILLs the S3 server while a run uploads
// its batch to the staging key: the run fails naming the bucket and
// anchors nothing; with the server restarted on the same data folder the
// next run publishes the window exactly once, with no staged object and
// no unfinished upload left.
func TestS3ServerKilledMidUpload(t *testing.T) {
	srv := startS3(t)
	l := s3Lake(srv, srv.Bucket, "killed")
	dir, cfg := newDeployment(t)
	useLake(t, cfg, l)
	base := demoRecords(t, cfg)
	const rows = 400000 // a rows file of about 23 MB: a multipart upload of several parts
	dropGenerated(t, dir, "patients-killed.csv", rows, 14)
	done := make(chan result, 1)
	go func() { done <- ha(t, l.env, "--config", cfg, "run", "patients-csv") }()
	if !waitUpload(t, srv.Client(), srv.Bucket, "killed/_staging/", done) {
		t.Fatal("the run ended before its upload could be interrupted (no multipart upload seen)")
	}
	srv.Kill()
	r := <-done
	if r.code == 0 {
		t.Fatalf("a run whose server was killed mid-upload succeeded:\n%s", r.stdout)
	}
	t.Logf("the run with its server killed: exit %d\n%s", r.code, lastLines(r.stdout+r.stderr, 3))
	if out := r.stdout + r.stderr; !strings.Contains(out, `bucket "`+srv.Bucket+`"`) || !strings.Contains(out, "s3://"+srv.Bucket+"/killed/_staging/") {
		t.Errorf("the failed run does not name the bucket and the object:\n%s", out)
	}
	if got := demoRecords(t, cfg); got != base {
		t.Errorf("the failed run anchored %d records", got-base)
	}
	srv.Restart(t)
	r = ha(t, l.env, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 0, "run with the server restarted")
	checkLakeExactlyOnce(t, cfg, l, "patients-csv", base+rows)
	if n := unfinishedUploads(t, srv.Client(), srv.Bucket, "killed/"); n > 0 {
		t.Errorf("%d unfinished uploads left after the recovery run:\n%s", n, r.stderr)
	}
}

// waitUpload polls the bucket until a multipart upload under prefix is in
// progress (true), or the run ends first (false; its result is put back).
func waitUpload(t *testing.T, c *s3.Client, bucket, prefix string, done chan result) bool {
	t.Helper()
	for {
		select {
		case r := <-done:
			done <- r
			return false
		case <-time.After(5 * time.Millisecond):
		}
		if unfinishedUploads(t, c, bucket, prefix) > 0 {
			return true
		}
	}
}

// unfinishedUploads counts the multipart uploads in progress under prefix.
func unfinishedUploads(t *testing.T, c *s3.Client, bucket, prefix string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(fmt.Errorf("list multipart uploads: %w", err))
	}
	return len(out.Uploads)
}

// lastLines is the last n lines of out, for a test's log.
func lastLines(out string, n int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
