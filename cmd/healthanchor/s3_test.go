package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/healthanchor/healthanchor/internal/s3test"
)

// startS3 starts a SeaweedFS S3 server for the test (internal/s3test),
// failing in CI and skipping elsewhere when weed is not built.
func startS3(t *testing.T) *s3test.Server {
	t.Helper()
	bin, err := s3test.Binary()
	if err != nil {
		missingTool(t, "the SeaweedFS server (weed)", s3test.Install+": "+err.Error())
	}
	return s3test.Start(t, bin)
}

// s3Env holds the credentials the config's output names.
func s3Env(srv *s3test.Server) []string {
	return []string{"HA_S3_ACCESS=" + srv.AccessKey, "HA_S3_SECRET=" + srv.SecretKey}
}

// useBucket points the deployment's output at bucket/prefix on srv.
func useBucket(t *testing.T, cfg string, srv *s3test.Server, bucket, prefix string) {
	t.Helper()
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "output:\n  url: s3://%s/%s\n  endpoint: %s\n  access_key_env: HA_S3_ACCESS\n  secret_key_env: HA_S3_SECRET\n", bucket, prefix, srv.Endpoint)
}

// objects lists the keys under prefix in the server's bucket.
func objects(t *testing.T, srv *s3test.Server, prefix string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(srv.Client(), &s3.ListObjectsV2Input{Bucket: aws.String(srv.Bucket), Prefix: aws.String(prefix + "/")})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, strings.TrimPrefix(*o.Key, prefix+"/"))
		}
	}
	sort.Strings(keys)
	return keys
}

// checkBucketExactlyOnce is checkExactlyOnce for a job publishing to
// the bucket: the chain and every batch verify (from the bucket), the
// job's rows and rejects add up to want, and the objects under prefix are
// exactly each bucket batch's rows file, rejects file and sidecar: none
// staged, none stray.
func checkBucketExactlyOnce(t *testing.T, env []string, cfg string, srv *s3test.Server, prefix, job string, want int64) {
	t.Helper()
	mustCode(t, ha(t, env, "--config", cfg, "verify", "chain"), 0, "verify chain")
	var got int64
	var expect []string
	for _, b := range batches(t, cfg) {
		if b.Job != job {
			continue
		}
		got += b.Rows + b.Rejects
		mustCode(t, ha(t, env, "--config", cfg, "verify", "batch", b.BatchID), 0, "verify batch "+b.BatchID)
		if !strings.HasPrefix(b.ParquetPath, "s3://") {
			continue // published to the folder before the switch
		}
		base := "s3://" + srv.Bucket + "/" + prefix + "/"
		rows := strings.TrimPrefix(b.ParquetPath, base)
		expect = append(expect, rows, filepath.Dir(rows)+"/_"+b.BatchID+".anchor.json")
		if b.RejectsPath != "" {
			expect = append(expect, strings.TrimPrefix(b.RejectsPath, base))
		}
	}
	if got != want {
		t.Errorf("job %s anchored %d records (rows + rejects), the source has %d", job, got, want)
	}
	sort.Strings(expect)
	if have := objects(t, srv, prefix); strings.Join(have, "\n") != strings.Join(expect, "\n") {
		t.Errorf("objects in the bucket:\n%s\nwant:\n%s", strings.Join(have, "\n"), strings.Join(expect, "\n"))
	}
}

// TestS3PublishVerify runs a job into a real bucket: the data-lake layout
// holds the rows, rejects and sidecar; verify batch reads them back; a
// re-run finds nothing new; an object changed in the bucket fails verify
// with exit 1.
func TestS3PublishVerify(t *testing.T) {
	srv := startS3(t)
	env := s3Env(srv)
	dir, cfg := newDeployment(t)
	useBucket(t, cfg, srv, srv.Bucket, "lake/v1")
	base := demoRecords(t, cfg)
	dropGenerated(t, dir, "patients-s3.csv", 3000, 11)
	r := ha(t, env, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 0, "run into the bucket")
	checkBucketExactlyOnce(t, env, cfg, srv, "lake/v1", "patients-csv", base+3000)
	var id, key string
	for _, b := range batches(t, cfg) {
		if strings.HasPrefix(b.ParquetPath, "s3://") {
			id, key = b.BatchID, strings.TrimPrefix(b.ParquetPath, "s3://"+srv.Bucket+"/")
			if !strings.Contains(key, "lake/v1/schema=patient_1/date=") || b.RejectsPath == "" || !strings.Contains(b.RejectsPath, "/schema=reject_1/date=") {
				t.Errorf("batch %s published at %s (rejects %s), not in the data-lake layout", id, b.ParquetPath, b.RejectsPath)
			}
		}
	}
	if id == "" {
		t.Fatal("no batch was published to the bucket")
	}
	r = ha(t, env, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 0, "second run")
	if !strings.Contains(r.stdout, "nothing new") {
		t.Errorf("a second run found something new:\n%s", r.stdout)
	}
	// Change the object in place: verify must say so, naming the object.
	ctx := context.Background()
	obj, err := srv.Client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0x20
	if _, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(srv.Bucket), Key: aws.String(key), Body: bytes.NewReader(data)}); err != nil {
		t.Fatal(err)
	}
	r = ha(t, env, "--config", cfg, "verify", "batch", id)
	mustCode(t, r, 1, "verify batch of a changed object")
	if !strings.Contains(r.stdout+r.stderr, "s3://"+srv.Bucket+"/"+key) || !strings.Contains(r.stdout+r.stderr, "sha256") {
		t.Errorf("verify of a changed object does not name it and its digest:\n%s%s", r.stdout, r.stderr)
	}
}

// TestS3CrashMatrix kills `run` at each step of publishing to a bucket,
// then runs again: every record is anchored once, every object matches
// its anchor, and no staged or stray object is left.
func TestS3CrashMatrix(t *testing.T) {
	srv := startS3(t)
	env := s3Env(srv)
	for _, step := range []string{"written", "staged", "anchored", "published"} {
		t.Run(step, func(t *testing.T) {
			dir, cfg := newDeployment(t)
			prefix := "crash-" + step
			useBucket(t, cfg, srv, srv.Bucket, prefix)
			base := demoRecords(t, cfg)
			dropGenerated(t, dir, "patients-crash.csv", 4000, 7)
			r := ha(t, append([]string{"HEALTHANCHOR_CRASH_AT=" + step}, env...), "--config", cfg, "run", "patients-csv")
			if r.code != -1 {
				t.Fatalf("run with a crash at %s: exit %d, want killed\n%s", step, r.code, r.stderr)
			}
			mustCode(t, ha(t, env, "--config", cfg, "run", "patients-csv"), 0, "run after the crash")
			checkBucketExactlyOnce(t, env, cfg, srv, prefix, "patients-csv", base+4000)
		})
	}
}

// TestS3WrongCredentials: a wrong secret key fails the run with an error
// naming the bucket and the variables, never the secret itself.
func TestS3WrongCredentials(t *testing.T) {
	srv := startS3(t)
	dir, cfg := newDeployment(t)
	useBucket(t, cfg, srv, srv.Bucket, "lake")
	dropGenerated(t, dir, "patients-s3.csv", 200, 3)
	wrong := "Wrong" + srv.SecretKey[5:]
	r := ha(t, []string{"HA_S3_ACCESS=" + srv.AccessKey, "HA_S3_SECRET=" + wrong}, "--config", cfg, "run", "patients-csv")
	if r.code == 0 {
		t.Fatalf("run with a wrong secret key succeeded:\n%s", r.stdout)
	}
	out := r.stdout + r.stderr
	for _, want := range []string{`bucket "` + srv.Bucket + `"`, "refused the credentials", "HA_S3_SECRET"} {
		if !strings.Contains(out, want) {
			t.Errorf("the error does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, wrong) || strings.Contains(out, srv.SecretKey) {
		t.Errorf("the secret key appears in the output:\n%s", out)
	}
	// Nothing moved: with the right keys the same window publishes.
	mustCode(t, ha(t, s3Env(srv), "--config", cfg, "run", "patients-csv"), 0, "run with the right keys")
}

// TestS3NoSuchBucket: a bucket that does not exist is named as such.
func TestS3NoSuchBucket(t *testing.T) {
	srv := startS3(t)
	dir, cfg := newDeployment(t)
	useBucket(t, cfg, srv, "no-such-bucket", "lake")
	dropGenerated(t, dir, "patients-s3.csv", 200, 3)
	r := ha(t, s3Env(srv), "--config", cfg, "run", "patients-csv")
	if r.code == 0 {
		t.Fatalf("run into a missing bucket succeeded:\n%s", r.stdout)
	}
	if out := r.stdout + r.stderr; !strings.Contains(out, `bucket "no-such-bucket": the bucket does not exist`) {
		t.Errorf("the error does not name the missing bucket:\n%s", out)
	}
}
