// Package s3test runs a real SeaweedFS S3 server on loopback for tests:
// the weed binary that tools/s3server/build.sh builds and caches, started
// in a temporary folder on free ports with its own credentials, one
// bucket created, and killed (by its pid) when the test ends. It takes
// about 140 MB of memory and a few seconds to start.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"golang.org/x/mod/modfile"
)

// Server is a running SeaweedFS S3 server.
type Server struct {
	Endpoint  string // http://127.0.0.1:PORT
	Bucket    string // created at start
	AccessKey string
	SecretKey string
	Dir       string // its data folder
	bin       string
	args      []string
	cmd       *exec.Cmd // nil once killed
	exited    <-chan error
	log       string
}

// Install says how to get the weed binary, for a test's skip message.
const Install = "build it with tools/s3server/build.sh and export HEALTHANCHOR_WEED=<the path it prints>"

// Binary finds the weed binary: $HEALTHANCHOR_WEED, else the path
// tools/s3server/build.sh caches it at for the version pinned in
// tools/s3server/go.mod.
func Binary() (string, error) {
	if p := os.Getenv("HEALTHANCHOR_WEED"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("s3test: HEALTHANCHOR_WEED: %w", err)
		}
		return p, nil
	}
	version, err := pinnedVersion()
	if err != nil {
		return "", err
	}
	cache := os.Getenv("HEALTHANCHOR_CACHE")
	if cache == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("s3test: %w", err)
			}
			base = filepath.Join(home, ".cache")
		}
		cache = filepath.Join(base, "healthanchor")
	}
	p := filepath.Join(cache, "weed-"+version, "weed")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("s3test: no weed binary at %s", p)
	}
	return p, nil
}

// pinnedVersion reads the SeaweedFS version from tools/s3server/go.mod.
func pinnedVersion() (string, error) {
	_, here, _, _ := runtime.Caller(0)
	gomod := filepath.Join(filepath.Dir(here), "..", "..", "tools", "s3server", "go.mod")
	data, err := os.ReadFile(gomod)
	if err != nil {
		return "", fmt.Errorf("s3test: %w", err)
	}
	f, err := modfile.ParseLax(gomod, data, nil)
	if err != nil {
		return "", fmt.Errorf("s3test: %w", err)
	}
	for _, r := range f.Require {
		if r.Mod.Path == "github.com/seaweedfs/seaweedfs" {
			return r.Mod.Version, nil
		}
	}
	return "", fmt.Errorf("s3test: %s does not require github.com/seaweedfs/seaweedfs", gomod)
}

// Run starts a server for the test (Start) with the binary Binary finds.
// Without one the test fails when CI is set (CI must test the store) and
// is skipped elsewhere, saying how to build it.
func Run(t testing.TB) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the SeaweedFS server (weed) is missing: %s: %v", Install, err)
		}
		t.Skipf("the SeaweedFS server (weed) is missing (%s: %v): test skipped outside CI", Install, err)
	}
	return Start(t, bin)
}

// Start starts weed (bin) and waits until its S3 API answers and bucket
// "healthanchor-test" exists. The server is killed at the test's cleanup.
func Start(t testing.TB, bin string) *Server {
	t.Helper()
	dir := t.TempDir()
	s := &Server{Bucket: "healthanchor-test", AccessKey: "HA" + randHex(9), SecretKey: randHex(20), Dir: dir, log: filepath.Join(dir, "weed.log")}
	cfg := map[string]any{"identities": []any{map[string]any{
		"name":        "healthanchor",
		"credentials": []any{map[string]string{"accessKey": s.AccessKey, "secretKey": s.SecretKey}},
		"actions":     []string{"Admin", "Read", "List", "Tagging", "Write"},
	}}}
	data, _ := json.Marshal(cfg)
	s3cfg := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(s3cfg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ports := freePorts(t, 8)
	s.Endpoint = "http://127.0.0.1:" + strconv.Itoa(ports[6])
	s.bin = bin
	s.args = []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + filepath.Join(dir, "data"),
		"-master.port=" + strconv.Itoa(ports[0]), "-master.port.grpc=" + strconv.Itoa(ports[1]),
		"-volume.port=" + strconv.Itoa(ports[2]), "-volume.port.grpc=" + strconv.Itoa(ports[3]),
		"-filer", "-filer.port=" + strconv.Itoa(ports[4]), "-filer.port.grpc=" + strconv.Itoa(ports[5]),
		"-s3", "-s3.port=" + strconv.Itoa(ports[6]), "-s3.port.grpc=" + strconv.Itoa(ports[7]),
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.config=" + s3cfg, "-s3.autoCreateBucket=false",
		"-master.volumeSizeLimitMB=64", "-volume.max=16", "-master.telemetry=false",
	}
	if err := os.MkdirAll(filepath.Join(dir, "data"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	s.launch(t)
	return s
}

// launch starts the process with s's arguments and waits until the S3 API
// answers with the bucket there (creating it on the first launch).
func (s *Server) launch(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("s3test: start %s: %v", s.bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logf.Close() }()
	s.cmd, s.exited = cmd, exited
	started := time.Now()
	if err := s.waitReady(exited); err != nil {
		tail, _ := os.ReadFile(s.log)
		if len(tail) > 4000 {
			tail = tail[len(tail)-4000:]
		}
		t.Fatalf("s3test: weed did not serve S3 at %s: %v\n%s", s.Endpoint, err, tail)
	}
	t.Logf("s3test: SeaweedFS S3 at %s (pid %d) ready in %s", s.Endpoint, cmd.Process.Pid, time.Since(started).Round(time.Millisecond))
}

// Kill SIGKILLs the server (by its pid) and waits for it to exit, as a
// crash of the store would stop it. Killing a stopped server does
// nothing.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Restart starts the killed server again on the same data folder, ports
// and credentials, and waits until it serves the bucket.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Kill()
	s.launch(t)
}

// waitReady waits until the S3 API serves the bucket, creating it when
// it is not there yet (a restarted server already has it).
func (s *Server) waitReady(exited <-chan error) error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	client := s.Client()
	var last error
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("weed exited: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("not ready after %s: %v", startTimeout, last)
		case <-time.After(200 * time.Millisecond):
		}
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := client.HeadBucket(cctx, &s3.HeadBucketInput{Bucket: aws.String(s.Bucket)})
		if err != nil {
			_, err = client.CreateBucket(cctx, &s3.CreateBucketInput{Bucket: aws.String(s.Bucket)})
		}
		ccancel()
		if err == nil {
			return nil
		}
		last = err
	}
}

// startTimeout bounds how long Start waits for the server.
const startTimeout = 90 * time.Second

// Client is an S3 client for the server with its credentials.
func (s *Server) Client() *s3.Client {
	return s3.NewFromConfig(aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	}, func(o *s3.Options) {
		o.UsePathStyle = true
		o.BaseEndpoint = aws.String(s.Endpoint)
	})
}

// Pid is the running server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

func freePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
