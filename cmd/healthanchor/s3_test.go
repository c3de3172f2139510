package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/healthanchor/healthanchor/internal/s3test"
	"github.com/healthanchor/healthanchor/internal/testtool"
)

// startS3 starts a SeaweedFS S3 server for the test (internal/s3test),
// failing in CI and skipping elsewhere when weed is not built.
func startS3(t *testing.T) *s3test.Server {
	t.Helper()
	return s3test.Run(t)
}

// s3Env holds the credentials the config's output names.
func s3Env(srv *s3test.Server) []string {
	return []string{"HA_S3_ACCESS=" + srv.AccessKey, "HA_S3_SECRET=" + srv.SecretKey}
}

// lake is where a test deployment publishes: a prefix in the S3 server's
// bucket, or a folder given as a file:// URL (the same publishing code
// without a server).
type lake struct {
	url  string // s3://BUCKET/PREFIX or file:///FOLDER
	srv  *s3test.Server
	env  []string
	list func(t *testing.T) []string // keys under the url, sorted
	get  func(t *testing.T, key string) []byte
	put  func(t *testing.T, key string, data []byte)
}

func s3Lake(srv *s3test.Server, bucket, prefix string) lake {
	ctx := context.Background()
	return lake{url: "s3://" + bucket + "/" + prefix, srv: srv, env: s3Env(srv),
		list: func(t *testing.T) []string { return objects(t, srv, prefix) },
		get: func(t *testing.T, key string) []byte {
			obj, err := srv.Client().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + "/" + key)})
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Body.Close()
			data, err := io.ReadAll(obj.Body)
			if err != nil {
				t.Fatal(err)
			}
			return data
		},
		put: func(t *testing.T, key string, data []byte) {
			if _, err := srv.Client().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(prefix + "/" + key), Body: bytes.NewReader(data)}); err != nil {
				t.Fatal(err)
			}
		},
	}
}

func fileLake(t *testing.T) lake {
	dir := filepath.Join(t.TempDir(), "lake")
	return lake{url: "file://" + dir, list: func(t *testing.T) []string {
		var keys []string
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				keys = append(keys, filepath.ToSlash(rel))
			}
			return nil
		})
		sort.Strings(keys)
		return keys
	},
		get: func(t *testing.T, key string) []byte {
			data, err := os.ReadFile(filepath.Join(dir, key))
			if err != nil {
				t.Fatal(err)
			}
			return data
		},
		put: func(t *testing.T, key string, data []byte) {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, key)), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, key), data, 0o600); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// useLake points the deployment's output at l.
func useLake(t *testing.T, cfg string, l lake) {
	t.Helper()
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fmt.Fprintf(f, "output:\n  url: %s\n", l.url)
	if l.srv != nil {
		fmt.Fprintf(f, "  endpoint: %s\n  access_key_env: HA_S3_ACCESS\n  secret_key_env: HA_S3_SECRET\n", l.srv.Endpoint)
	}
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

// checkLakeExactlyOnce is checkExactlyOnce for a job publishing to a
// lake: the chain and every batch verify (from the lake), the job's rows
// and rejects add up to want, and the objects in the lake are exactly
// each batch's rows file, rejects file and sidecar: none staged, none
// stray.
func checkLakeExactlyOnce(t *testing.T, cfg string, l lake, job string, want int64) {
	t.Helper()
	mustCode(t, ha(t, l.env, "--config", cfg, "verify", "chain"), 0, "verify chain")
	var got int64
	var expect []string
	for _, b := range batches(t, cfg) {
		if b.Job != job {
			continue
		}
		got += b.Rows + b.Rejects
		mustCode(t, ha(t, l.env, "--config", cfg, "verify", "batch", b.BatchID), 0, "verify batch "+b.BatchID)
		if !strings.HasPrefix(b.ParquetPath, l.url+"/") {
			continue // published to the folder before the switch
		}
		rows := strings.TrimPrefix(b.ParquetPath, l.url+"/")
		expect = append(expect, rows, path.Dir(rows)+"/_"+b.BatchID+".anchor.json")
		if b.RejectsPath != "" {
			expect = append(expect, strings.TrimPrefix(b.RejectsPath, l.url+"/"))
		}
	}
	if got != want {
		t.Errorf("job %s anchored %d records (rows + rejects), the source has %d", job, got, want)
	}
	sort.Strings(expect)
	if have := l.list(t); strings.Join(have, "\n") != strings.Join(expect, "\n") {
		t.Errorf("objects in the lake:\n%s\nwant:\n%s", strings.Join(have, "\n"), strings.Join(expect, "\n"))
	}
}

// crashMatrix kills `run` at each step of publishing to the lake l
// makes (pipeline/publish_bucket.go), then runs again: every record is
// anchored once, every object matches its anchor, and no staged or stray
// object, nor local temporary file, is left.
func crashMatrix(t *testing.T, newLake func(t *testing.T, step string) lake) {
	for _, step := range []string{"written", "staged", "anchored", "copied", "published", "unstaged", "recorded"} {
		t.Run(step, func(t *testing.T) {
			l := newLake(t, step)
			dir, cfg := newDeployment(t)
			useLake(t, cfg, l)
			base := demoRecords(t, cfg)
			dropGenerated(t, dir, "patients-crash.csv", 4000, 7)
			r := ha(t, append([]string{"HEALTHANCHOR_CRASH_AT=" + step}, l.env...), "--config", cfg, "run", "patients-csv")
			if r.code != -1 {
				t.Fatalf("run with a crash at %s: exit %d, want killed\n%s", step, r.code, r.stderr)
			}
			mustCode(t, ha(t, l.env, "--config", cfg, "run", "patients-csv"), 0, "run after the crash")
			checkLakeExactlyOnce(t, cfg, l, "patients-csv", base+4000)
			if left, _ := filepath.Glob(filepath.Join(dir, "batches", ".tmp", "*")); len(left) > 0 {
				t.Errorf("temporary files left after the re-run: %v", left)
			}
		})
	}
}

// TestLakeCrashMatrix runs the crash matrix against a file:// lake: the
// object-store publishing order without a server.
func TestLakeCrashMatrix(t *testing.T) {
	crashMatrix(t, func(t *testing.T, _ string) lake { return fileLake(t) })
}

// TestS3CrashMatrix runs the crash matrix against the real S3 server.
func TestS3CrashMatrix(t *testing.T) {
	srv := startS3(t)
	crashMatrix(t, func(t *testing.T, step string) lake { return s3Lake(srv, srv.Bucket, "crash-"+step) })
}

// TestS3PublishVerify runs a job into a real bucket: the data-lake layout
// holds the rows, rejects and sidecar; verify batch reads them back; a
// re-run finds nothing new; an object changed in the bucket fails verify
// with exit 1.
func TestS3PublishVerify(t *testing.T) {
	srv := startS3(t)
	env := s3Env(srv)
	l := s3Lake(srv, srv.Bucket, "lake/v1")
	dir, cfg := newDeployment(t)
	useLake(t, cfg, l)
	base := demoRecords(t, cfg)
	dropGenerated(t, dir, "patients-s3.csv", 3000, 11)
	r := ha(t, env, "--config", cfg, "run", "patients-csv")
	mustCode(t, r, 0, "run into the bucket")
	checkLakeExactlyOnce(t, cfg, l, "patients-csv", base+3000)
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
	checkDamage(t, cfg, l, id, strings.TrimPrefix(key, "lake/v1/"))
}

// checkDamage damages batch id's rows object (key, relative to the lake)
// two ways. Bytes appended: verify batch exits 1 on the size, from the
// object's attributes alone (no byte fetched). A byte flipped: the size
// and footer agree, so the object is read in full, and found damaged.
func checkDamage(t *testing.T, cfg string, l lake, id, key string) {
	t.Helper()
	orig := l.get(t, key)
	url := l.url + "/" + key
	l.put(t, key, append(append([]byte{}, orig...), "extra"...))
	r := ha(t, l.env, "--config", cfg, "-v", "verify", "batch", id)
	mustCode(t, r, 1, "verify batch of an object with bytes appended")
	if want := fmt.Sprintf("batch %s rows file %s: size: file has %d, anchor has %d", id, url, len(orig)+5, len(orig)); !strings.Contains(r.stdout+r.stderr, want) {
		t.Errorf("verify of a longer object does not say %q:\n%s%s", want, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, `"bytes_read":0`) {
		t.Errorf("verify fetched bytes of an object whose size differs from its anchor:\n%s", r.stderr)
	}
	flipped := append([]byte{}, orig...)
	flipped[len(flipped)/2] ^= 0x20
	l.put(t, key, flipped)
	r = ha(t, l.env, "--config", cfg, "-v", "verify", "batch", id)
	mustCode(t, r, 1, "verify batch of an object with a byte flipped")
	if want := fmt.Sprintf("batch %s rows file %s", id, url); !strings.Contains(r.stderr, "verification failed: "+want) {
		t.Errorf("verify of a changed object does not say %q:\n%s%s", want, r.stdout, r.stderr)
	}
	l.put(t, key, orig)
	mustCode(t, ha(t, l.env, "--config", cfg, "verify", "batch", id), 0, "verify batch of the restored object")
}

// TestLakeVerify publishes into a file:// lake and verifies from it,
// damaged and restored (checkDamage).
func TestLakeVerify(t *testing.T) {
	l := fileLake(t)
	dir, cfg := newDeployment(t)
	useLake(t, cfg, l)
	dropGenerated(t, dir, "patients-lake.csv", 2000, 5)
	mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run into the lake")
	for _, b := range batches(t, cfg) {
		if strings.HasPrefix(b.ParquetPath, l.url+"/") {
			checkDamage(t, cfg, l, b.BatchID, strings.TrimPrefix(b.ParquetPath, l.url+"/"))
			return
		}
	}
	t.Fatal("no batch was published to the lake")
}

// TestS3WrongCredentials: a wrong secret key fails the run with an error
// naming the bucket and the variables, never the secret itself.
func TestS3WrongCredentials(t *testing.T) {
	srv := startS3(t)
	dir, cfg := newDeployment(t)
	useLake(t, cfg, s3Lake(srv, srv.Bucket, "lake"))
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
	useLake(t, cfg, s3Lake(srv, "no-such-bucket", "lake"))
	dropGenerated(t, dir, "patients-s3.csv", 200, 3)
	r := ha(t, s3Env(srv), "--config", cfg, "run", "patients-csv")
	if r.code == 0 {
		t.Fatalf("run into a missing bucket succeeded:\n%s", r.stdout)
	}
	if out := r.stdout + r.stderr; !strings.Contains(out, `bucket "no-such-bucket": the bucket does not exist`) {
		t.Errorf("the error does not name the missing bucket:\n%s", out)
	}
}

// TestLakeDuckDB reads a published lake with DuckDB as docs/storage.md
// shows (hive partitions, rows joined to their anchor sidecars): every
// batch's rows are there under its anchoring day, with its root and block.
func TestLakeDuckDB(t *testing.T) {
	node, err := exec.LookPath("node")
	duck := filepath.Join("..", "..", "bench", "node_modules", "@duckdb", "node-api")
	if _, serr := os.Stat(duck); err != nil || serr != nil {
		testtool.Missing(t, "node or DuckDB's Node package", "run `npm install` in bench/ (.ci/run does)")
	}
	l := fileLake(t)
	dir, cfg := newDeployment(t)
	useLake(t, cfg, l)
	for i, n := range []int{1500, 700} {
		dropGenerated(t, dir, fmt.Sprintf("patients-lake-%d.csv", i), n, 20+i)
		mustCode(t, ha(t, nil, "--config", cfg, "run", "patients-csv"), 0, "run into the lake")
	}
	out, err := exec.Command(node, filepath.Join("..", "..", "tools", "read-lake.mjs"), strings.TrimPrefix(l.url, "file://")).Output()
	if err != nil {
		t.Fatalf("tools/read-lake.mjs: %v", err)
	}
	var got struct {
		ByDate []struct {
			Schema, Date string
			N            int64
		} `json:"by_date"`
		ByBatch []struct {
			BatchID     string `json:"batch_id"`
			BlockHeight int64  `json:"block_height"`
			MerkleRoot  string `json:"merkle_root"`
			N           int64
		} `json:"by_batch"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]listed{}
	days := map[string]int64{}
	for _, b := range batches(t, cfg) {
		if strings.HasPrefix(b.ParquetPath, l.url+"/") {
			want[b.BatchID] = b
			day := strings.TrimPrefix(path.Base(path.Dir(b.ParquetPath)), "date=")
			days[day] += b.Rows
		}
	}
	if len(want) != 2 || len(got.ByBatch) != len(want) {
		t.Fatalf("DuckDB saw %d batches, the node published %d to the lake (want 2)", len(got.ByBatch), len(want))
	}
	for _, g := range got.ByBatch {
		b := want[g.BatchID]
		if g.N != b.Rows || g.MerkleRoot != b.MerkleRoot || g.BlockHeight != b.BlockHeight {
			t.Errorf("batch %s: DuckDB reads %d rows, root %s, block %d; anchored %d rows, root %s, block %d",
				g.BatchID, g.N, g.MerkleRoot, g.BlockHeight, b.Rows, b.MerkleRoot, b.BlockHeight)
		}
	}
	for _, g := range got.ByDate {
		if g.Schema != "patient_1" || g.N != days[g.Date] {
			t.Errorf("partition schema=%s/date=%s: %d rows, want %d", g.Schema, g.Date, g.N, days[g.Date])
		}
		delete(days, g.Date)
	}
	if len(days) > 0 {
		t.Errorf("days DuckDB did not see: %v", days)
	}
}
