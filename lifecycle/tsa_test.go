package lifecycle

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/internal/tsatest"
)

// TestTSAThroughOpenSSL asks a real TSA (OpenSSL) for a token and checks
// it; then every bad case is refused with its reason: a TSA answering
// garbage, one stamping another imprint, a certificate that does not
// chain to the ca_file, a token checked against another digest.
func TestTSAThroughOpenSSL(t *testing.T) {
	tsa := tsatest.New(t)
	ctx := context.Background()
	digest := digestOf("healthanchor-test\n3\nroot\n")
	roots, err := LoadCAFile(tsa.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	token, err := RequestToken(ctx, http.DefaultClient, tsa.URL, digest)
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	at, err := VerifyToken(token, roots, digest)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if d := time.Since(at); d < -time.Minute || d > time.Minute {
		t.Errorf("token time %v is not now", at)
	}

	t.Run("wrong imprint at verification", func(t *testing.T) {
		_, err := VerifyToken(token, roots, digestOf("another checkpoint"))
		wantRefused(t, err, "imprint")
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		dir := t.TempDir()
		tsatest.MakeCA(t, dir, "other")
		other, err := LoadCAFile(filepath.Join(dir, "other.pem"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = VerifyToken(token, other, digest)
		wantRefused(t, err, "certificate")
	})
	t.Run("flipped byte", func(t *testing.T) {
		bad := append([]byte(nil), token...)
		bad[len(bad)-10] ^= 1 // in the signature
		_, err := VerifyToken(bad, roots, digest)
		wantRefused(t, err, "")
	})
	t.Run("garbage answer", func(t *testing.T) {
		tsa.SetGarbage([]byte("<html>502 bad gateway</html>"))
		defer tsa.SetGarbage(nil)
		_, err := RequestToken(ctx, http.DefaultClient, tsa.URL, digest)
		wantRefused(t, err, "no valid timestamp response")
	})
	t.Run("TSA stamps another imprint", func(t *testing.T) {
		tsa.SetQuery(tsa.OtherQuery)
		defer tsa.SetQuery(nil)
		_, err := RequestToken(ctx, http.DefaultClient, tsa.URL, digest)
		wantRefused(t, err, "imprint")
	})
	t.Run("TSA down", func(t *testing.T) {
		_, err := RequestToken(ctx, http.DefaultClient, "http://127.0.0.1:1/", digest)
		if err == nil || errors.Is(err, ErrTokenRefused) {
			t.Fatalf("unreachable TSA: %v, want a plain error (retry later)", err)
		}
	})
}

func wantRefused(t *testing.T, err error, reason string) {
	t.Helper()
	if !errors.Is(err, ErrTokenRefused) {
		t.Fatalf("got %v, want ErrTokenRefused", err)
	}
	if !strings.Contains(err.Error(), reason) {
		t.Errorf("reason %q does not say %q", err, reason)
	}
}

func digestOf(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}
