// Package tsatest runs a real RFC 3161 timestamp authority for tests:
// OpenSSL's `openssl ts -reply` behind an HTTP handler, with its own test
// CA made by the openssl command. It is for tests only.
package tsatest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TSA is a real RFC 3161 authority for tests: OpenSSL's
// `openssl ts -reply` behind an HTTP handler, with its own test CA.
type TSA struct {
	URL    string
	CAFile string // the CA its certificate chains to
	dir    string
	mu     sync.Mutex
	// query, when set, rewrites each request before OpenSSL answers it.
	query func(t *testing.T, q []byte) []byte
	// garbage, when set, is answered instead of OpenSSL's reply.
	garbage []byte
}

// NeedOpenSSL fails the test in CI (CI set) and skips it elsewhere when
// the openssl command is missing.
func NeedOpenSSL(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("openssl is missing: apt-get install openssl")
		}
		t.Skip("openssl is missing (apt-get install openssl): test skipped outside CI")
	}
	return path
}

func openssl(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// MakeCA makes a self-signed test CA named name in dir.
func MakeCA(t *testing.T, dir, name string) {
	t.Helper()
	openssl(t, dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", name+".key", "-out", name+".pem", "-days", "3650",
		"-subj", "/CN=healthanchor test "+name, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
}

// New makes a test CA, a TSA certificate it signs (time-stamping
// extended key usage, critical), an OpenSSL TSA config, and serves it.
func New(t *testing.T) *TSA {
	t.Helper()
	NeedOpenSSL(t)
	dir := t.TempDir()
	MakeCA(t, dir, "ca")
	write(t, filepath.Join(dir, "ext.cnf"), "[tsa_ext]\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\n")
	openssl(t, dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=healthanchor test TSA")
	openssl(t, dir, "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "tsa.pem",
		"-days", "365", "-extfile", "ext.cnf", "-extensions", "tsa_ext")
	write(t, filepath.Join(dir, "tsaserial"), "01\n")
	write(t, filepath.Join(dir, "tsa.cnf"), `[ tsa ]
default_tsa = tsa_config1
[ tsa_config1 ]
dir = `+dir+`
serial = $dir/tsaserial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
`)
	tsa := &TSA{CAFile: filepath.Join(dir, "ca.pem"), dir: dir}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, _ := io.ReadAll(r.Body)
		tsa.mu.Lock()
		defer tsa.mu.Unlock()
		if tsa.garbage != nil {
			w.Write(tsa.garbage)
			return
		}
		if tsa.query != nil {
			q = tsa.query(t, q)
		}
		qf, rf := filepath.Join(dir, "q.tsq"), filepath.Join(dir, "r.tsr")
		os.WriteFile(qf, q, 0o600)
		cmd := exec.Command("openssl", "ts", "-reply", "-config", filepath.Join(dir, "tsa.cnf"), "-queryfile", qf, "-out", rf)
		if out, err := cmd.CombinedOutput(); err != nil {
			http.Error(w, string(out), http.StatusInternalServerError)
			return
		}
		reply, _ := os.ReadFile(rf)
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.Write(reply)
	}))
	t.Cleanup(srv.Close)
	tsa.URL = srv.URL
	return tsa
}

// OtherQuery is an OpenSSL query over other bytes than the client's.
func (tsa *TSA) OtherQuery(t *testing.T, _ []byte) []byte {
	data := filepath.Join(tsa.dir, "other.txt")
	write(t, data, "not the checkpoint\n")
	out := filepath.Join(tsa.dir, "other.tsq")
	openssl(t, tsa.dir, "ts", "-query", "-data", data, "-sha256", "-cert", "-out", out)
	q, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// SetGarbage makes the TSA answer b instead of a reply (nil: reply again).
func (tsa *TSA) SetGarbage(b []byte) {
	tsa.mu.Lock()
	defer tsa.mu.Unlock()
	tsa.garbage = b
}

// SetQuery makes the TSA rewrite each request with f before answering
// it (nil: answer the request as sent).
func (tsa *TSA) SetQuery(f func(t *testing.T, q []byte) []byte) {
	tsa.mu.Lock()
	defer tsa.mu.Unlock()
	tsa.query = f
}
