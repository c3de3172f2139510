package main

import (
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// TestBrokenStoresExitOne damages the stores rather than the config: a
// missing or replaced genesis, a chain.db or state.db that is not a
// database. Each is a failed check (exit 1), not a usage error (exit 2);
// a missing key file named by the config still exits 2.
func TestBrokenStoresExitOne(t *testing.T) {
	dir, cfg := newDeployment(t)
	chainPath, statePath := filepath.Join(dir, "chain.db"), filepath.Join(dir, "state.db")
	restore := func(path string) func() {
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return func() { os.WriteFile(path, orig, 0o644) }
	}
	other := anchor.GenerateSigningKey()
	g, err := anchor.NewGenesis("healthanchor-demo", []anchor.Member{{ID: "demo-hospital", Name: "Impostor",
		PublicKey: anchor.EncodePublicKey(other.Public().(ed25519.PublicKey))}}, "demo-hospital", other, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := g.Encode()
	hash, _ := g.Hash()
	cases := []struct {
		name, path string
		damage     func()
		word       string
	}{
		{"missing genesis", chainPath, func() { sqlExec(t, chainPath, `DELETE FROM blocks WHERE height = 0`) }, "genesis"},
		{"replaced genesis", chainPath, func() {
			sqlExec(t, chainPath, fmt.Sprintf(`UPDATE blocks SET body = X'%x', hash = '%s' WHERE height = 0`, body, hash))
		}, "genesis"},
		{"garbage chain.db", chainPath, func() { os.WriteFile(chainPath, []byte(strings.Repeat("not a database\n", 400)), 0o644) }, "chain.db"},
		{"garbage state.db", statePath, func() { os.WriteFile(statePath, []byte(strings.Repeat("not a database\n", 400)), 0o644) }, "state.db"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer restore(c.path)()
			c.damage()
			wantFail(t, ha(t, nil, "--config", cfg, "verify", "chain"), "verify chain, "+c.name, c.word)
			wantFail(t, ha(t, nil, "--config", cfg, "run"), "run, "+c.name, c.word)
		})
	}
	mustCode(t, ha(t, nil, "--config", cfg, "verify", "chain"), 0, "verify chain once restored")

	// The config's own inputs are still configuration errors.
	key := filepath.Join(dir, "keys/agency.key")
	if err := os.Rename(key, key+".away"); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(key+".away", key)
	r := ha(t, nil, "--config", cfg, "verify", "chain")
	mustCode(t, r, 2, "verify chain without the agency key")
	if !strings.Contains(r.stderr, "agency key") {
		t.Errorf("the message does not name the agency key: %s", r.stderr)
	}
}
