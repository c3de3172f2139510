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
// (OpenSSL) through the CLI, anchors a timestamp entry naming the token,
// and checks that verify chain says when the chain's state is proven to
// have existed; a TSA answering garbage and one whose certificate does
// not chain to the configured ca_file give no token (exit 1, with the
// reason, nothing stored); a stored token that was altered (its digest
// is no longer the entry's), or that an entry names and the state DB no
// longer holds, fails verify chain.
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
	if !strings.Contains(r.stdout, "stamped at") || !strings.Contains(r.stdout, "ANCHORED: timestamp entry naming 1 token(s)") {
		t.Errorf("chain timestamp says: %s", r.stdout)
	}
	if n := timestampEntries(t, dir); n != 1 {
		t.Errorf("%d timestamp entries on the chain, want 1", n)
	}
	r = ha(t, nil, "--config", cfg, "verify", "chain")
	mustCode(t, r, 0, "verify chain")
	if !strings.Contains(r.stdout, "1 timestamp token(s) verified, 1 named by timestamp entries on the chain") || !strings.Contains(r.stdout, "existed by") {
		t.Errorf("verify chain does not say what the token proves:\n%s", r.stdout)
	}
	// The entry's block made a newer checkpoint: the next round stamps
	// it, and anchors its token in turn.
	r = ha(t, nil, "--config", cfg, "chain", "timestamp")
	mustCode(t, r, 0, "chain timestamp again")
	if !strings.Contains(r.stdout, "ANCHORED: timestamp entry naming 1 token(s)") || tokens(t, dir) != 2 || timestampEntries(t, dir) != 2 {
		t.Errorf("chain timestamp again: %d tokens, %d entries:\n%s", tokens(t, dir), timestampEntries(t, dir), r.stdout)
	}

	t.Run("untrusted certificate", func(t *testing.T) {
		withTSA(good.CAFile) // bad's tokens chain to its own CA, not good's
		defer withTSA("")
		r := ha(t, nil, "--config", cfg, "chain", "timestamp")
		mustCode(t, r, 1, "chain timestamp with an untrusted TSA")
		if !strings.Contains(r.stdout, "NO TOKEN: "+bad.URL) || !strings.Contains(r.stdout, "certificate") {
			t.Errorf("the refusal does not say why:\n%s", r.stdout)
		}
		if n := tokensOf(t, dir, bad.URL); n != 0 {
			t.Errorf("%d tokens of the untrusted TSA stored, want none", n)
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
		if n := tokensOf(t, dir, bad.URL); n != 0 {
			t.Errorf("%d tokens of the TSA answering garbage stored, want none", n)
		}
	})
	t.Run("altered token", func(t *testing.T) {
		db, err := sql.Open("sqlite", filepath.Join(dir, "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var size int64
		var token []byte
		if err := db.QueryRow(`SELECT checkpoint_size, token FROM tsa_tokens ORDER BY checkpoint_size LIMIT 1`).Scan(&size, &token); err != nil {
			t.Fatal(err)
		}
		bad := append([]byte(nil), token...)
		bad[len(bad)-10] ^= 1
		db.Exec(`UPDATE tsa_tokens SET token = ? WHERE checkpoint_size = ?`, bad, size)
		defer db.Exec(`UPDATE tsa_tokens SET token = ? WHERE checkpoint_size = ?`, token, size)
		r := ha(t, nil, "--config", cfg, "verify", "chain")
		mustCode(t, r, 1, "verify chain with an altered token")
		if !strings.Contains(r.stderr, "timestamp token of "+good.URL) || !strings.Contains(r.stderr, "names a token of "+good.URL) ||
			!strings.Contains(r.stderr, "but the stored token's is") {
			t.Errorf("verify chain does not name the token, and the entry it no longer matches:\n%s", r.stderr)
		}
	})
	t.Run("token named by an entry, not stored", func(t *testing.T) {
		db, err := sql.Open("sqlite", filepath.Join(dir, "state.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var size int64
		var token []byte
		var rest [4]string
		if err := db.QueryRow(`SELECT checkpoint_size, token, checkpoint, imprint, gen_time, stored_at FROM tsa_tokens WHERE tsa_url = ? ORDER BY checkpoint_size LIMIT 1`, good.URL).
			Scan(&size, &token, &rest[0], &rest[1], &rest[2], &rest[3]); err != nil {
			t.Fatal(err)
		}
		db.Exec(`DELETE FROM tsa_tokens WHERE tsa_url = ? AND checkpoint_size = ?`, good.URL, size)
		defer db.Exec(`INSERT INTO tsa_tokens (tsa_url, checkpoint_size, token, checkpoint, imprint, gen_time, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			good.URL, size, token, rest[0], rest[1], rest[2], rest[3])
		r := ha(t, nil, "--config", cfg, "verify", "chain")
		mustCode(t, r, 1, "verify chain without a token an entry names")
		if want := fmt.Sprintf("names a token of %s for log size %d that the state DB does not hold", good.URL, size); !strings.Contains(r.stderr, want) {
			t.Errorf("verify chain does not say %q:\n%s", want, r.stderr)
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

func tokensOf(t *testing.T, dir, tsa string) int {
	t.Helper()
	return sqlCount(t, filepath.Join(dir, "state.db"), `SELECT COUNT(*) FROM tsa_tokens WHERE tsa_url = ?`, tsa)
}

func timestampEntries(t *testing.T, dir string) int {
	t.Helper()
	return sqlCount(t, filepath.Join(dir, "chain.db"), `SELECT COUNT(*) FROM entries WHERE kind = 'timestamp'`)
}
