package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/internal/tsatest"
)

// TestChainTimestamp stamps the demo chain's checkpoint with a real TSA
// (OpenSSL) through the CLI, and checks that verify chain says when the
// chain's state is proven to have existed; a TSA answering garbage and
// one whose certificate does not chain to the configured ca_file give no
// token (exit 1, with the reason, nothing stored); a stored token that
// was altered fails verify chain.
func TestChainTimestamp(t *testing.T) {
	good, bad := tsatest.New(t), tsatest.New(t)
	dir, cfg := newDeployment(t)
	mustCode(t, ha(t, nil, "--config", cfg, "chain", "timestamp"), 2, "chain timestamp without a timestamp: section")
	withTSA := func(ca string) {
		data, err := os.ReadFile(cfg)
		if err != nil {
			t.Fatal(err)
		}
		base, _, _ := strings.Cut(string(data), "\ntimestamp:\n")
		section := fmt.Sprintf("\ntimestamp:\n  every: 24h\n  tsa:\n    - url: %s\n      ca_file: %s\n", good.URL, good.CAFile)
		if ca != "" {
			section += fmt.Sprintf("    - url: %s\n      ca_file: %s\n", bad.URL, ca)
		}
		if err := os.WriteFile(cfg, []byte(base+section), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	withTSA("")
	r := ha(t, nil, "--config", cfg, "chain", "timestamp")
	mustCode(t, r, 0, "chain timestamp")
	if !strings.Contains(r.stdout, "stamped at") {
		t.Errorf("chain timestamp says: %s", r.stdout)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "chain", "timestamp"), 0, "chain timestamp again")
	r = ha(t, nil, "--config", cfg, "verify", "chain")
	mustCode(t, r, 0, "verify chain")
	if !strings.Contains(r.stdout, "1 timestamp token(s) verified") || !strings.Contains(r.stdout, "existed by") {
		t.Errorf("verify chain does not say what the token proves:\n%s", r.stdout)
	}

	t.Run("untrusted certificate", func(t *testing.T) {
		withTSA(good.CAFile) // bad's tokens chain to its own CA, not good's
		defer withTSA("")
		r := ha(t, nil, "--config", cfg, "chain", "timestamp")
		mustCode(t, r, 1, "chain timestamp with an untrusted TSA")
		if !strings.Contains(r.stdout, "NO TOKEN: "+bad.URL) || !strings.Contains(r.stdout, "certificate") {
			t.Errorf("the refusal does not say why:\n%s", r.stdout)
		}
		if n := tokens(t, dir); n != 1 {
			t.Errorf("%d tokens stored, want 1 (the refused one is not kept)", n)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		withTSA(bad.CAFile)
		defer withTSA("")
		bad.SetGarbage([]byte("garbage"))
		defer bad.SetGarbage(nil)
		r := ha(t, nil, "--config", cfg, "chain", "timestamp")
		mustCode(t, r, 1, "chain timestamp with a TSA answering garbage")
		if !strings.Contains(r.stdout, "no valid timestamp response") {
			t.Errorf("the refusal does not say why:\n%s", r.stdout)
		}
		if n := tokens(t, dir); n != 1 {
			t.Errorf("%d tokens stored, want 1", n)
		}
	})
	t.Run("altered token", func(t *testing.T) {
		db, err := sql.Open("sqlite", filepath.Join(dir, "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var token []byte
		db.QueryRow(`SELECT token FROM tsa_tokens`).Scan(&token)
		bad := append([]byte(nil), token...)
		bad[len(bad)-10] ^= 1
		db.Exec(`UPDATE tsa_tokens SET token = ?`, bad)
		defer db.Exec(`UPDATE tsa_tokens SET token = ?`, token)
		r := ha(t, nil, "--config", cfg, "verify", "chain")
		mustCode(t, r, 1, "verify chain with an altered token")
		if !strings.Contains(r.stderr, "timestamp token of "+good.URL) {
			t.Errorf("verify chain does not name the token:\n%s", r.stderr)
		}
	})
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain with the token restored")
}

func tokens(t *testing.T, dir string) int {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT COUNT(*) FROM tsa_tokens`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
