package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// freeAddrs returns n distinct free loopback addresses.
func freeAddrs(t *testing.T, n int) []string {
	t.Helper()
	seen := map[int]bool{}
	var out []string
	for len(out) < n {
		p := freePort(t)
		if !seen[p] {
			seen[p] = true
			out = append(out, fmt.Sprintf("127.0.0.1:%d", p))
		}
	}
	return out
}

var publicKeyLine = regexp.MustCompile(`public key: (\S+)`)

// TestDeployThreeAgencies follows docs/deploy.md through the binary:
// a consortium CA, keygen at each of three agencies, the CA signing their
// requests, one agency writing the genesis and every agency checking it,
// init, serve; a CSV dropped at one agency is anchored and replicated to
// all three. Then a backup of a running node, restored after its data is
// wiped, gives back the same head and a chain that verifies.
func TestDeployThreeAgencies(t *testing.T) {
	dir := t.TempDir()
	ids := []string{"ministry", "hospital-group", "registry"}
	addrs := freeAddrs(t, 3*len(ids))

	// The CA holder creates the consortium CA.
	r := ha(t, nil, "ca", "create", "--cert", filepath.Join(dir, "ca/ca.crt"), "--key", filepath.Join(dir, "ca/ca.key"))
	mustCode(t, r, 0, "ca create")

	// Each agency makes its keys; the CA signs each request.
	var members []string
	for i, id := range ids {
		keys := filepath.Join(dir, id, "keys")
		r := ha(t, nil, "keygen", "--agency", id, "--dir", keys, "--tls-host", "127.0.0.1")
		mustCode(t, r, 0, id+": keygen")
		m := publicKeyLine.FindStringSubmatch(r.stdout)
		if m == nil {
			t.Fatalf("keygen printed no public key:\n%s", r.stdout)
		}
		for _, f := range []string{"agency.key", "salt.key", "tls.key", "tls.csr"} {
			st, err := os.Stat(filepath.Join(keys, f))
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("%s/%s: %v, mode %v; want 0600", keys, f, err, st.Mode().Perm())
			}
		}
		if st, _ := os.Stat(keys); st.Mode().Perm() != 0o700 {
			t.Fatalf("%s: mode %v, want 0700", keys, st.Mode().Perm())
		}
		r = ha(t, nil, "ca", "sign", "--ca-cert", filepath.Join(dir, "ca/ca.crt"), "--ca-key", filepath.Join(dir, "ca/ca.key"),
			"--csr", filepath.Join(keys, "tls.csr"), "--out", filepath.Join(keys, "tls.crt"), "--id", id)
		mustCode(t, r, 0, id+": ca sign")
		copyTo(t, filepath.Join(dir, "ca/ca.crt"), filepath.Join(keys, "ca.crt"))
		members = append(members, "--member", fmt.Sprintf("id=%s,name=Agency %d,public-key=%s,address=%s,raft-addr=%s",
			id, i+1, m[1], addrs[3*i+1], addrs[3*i]))
	}

	// keygen never overwrites a key.
	r = ha(t, nil, "keygen", "--agency", ids[0], "--dir", filepath.Join(dir, ids[0], "keys"))
	mustCode(t, r, 2, "keygen over existing keys")
	if !strings.Contains(r.stderr, "agency.key") {
		t.Fatalf("keygen refusal does not name the file: %s", r.stderr)
	}

	// The first agency writes and signs the genesis; every agency checks it.
	genesis := filepath.Join(dir, ids[0], "genesis.json")
	args := append([]string{"genesis", "create", "--chain-id", "deploy-test"}, members...)
	r = ha(t, nil, append(args, "--key", filepath.Join(dir, ids[0], "keys/agency.key"), "--out", genesis)...)
	mustCode(t, r, 0, "genesis create")
	hash := regexp.MustCompile(`genesis hash ([0-9a-f]{64})`).FindStringSubmatch(r.stdout)
	if hash == nil {
		t.Fatalf("genesis create printed no hash:\n%s", r.stdout)
	}
	for _, id := range ids {
		g := filepath.Join(dir, id, "genesis.json")
		if id != ids[0] {
			copyTo(t, genesis, g)
		}
		r := ha(t, nil, "genesis", "check", g, "--agency", id, "--key-dir", filepath.Join(dir, id, "keys"))
		mustCode(t, r, 0, id+": genesis check")
		if !strings.Contains(r.stdout, hash[1]) {
			t.Fatalf("%s: genesis check shows another hash:\n%s", id, r.stdout)
		}
	}
	r = ha(t, nil, "genesis", "check", genesis, "--agency", ids[1], "--key-dir", filepath.Join(dir, ids[0], "keys"))
	mustCode(t, r, 1, "genesis check with another agency's key")

	// Each agency writes its config; it passes config check.
	for i, id := range ids {
		cfg := filepath.Join(dir, id, "healthanchor.yaml")
		r := ha(t, nil, "init", "--genesis", filepath.Join(dir, id, "genesis.json"), "--agency", id,
			"--key-dir", filepath.Join(dir, id, "keys"), "--out", cfg, "--listen", addrs[3*i+2])
		mustCode(t, r, 0, id+": init")
		mustCode(t, ha(t, nil, "--config", cfg, "config", "check"), 0, id+": config check")
		mustCode(t, ha(t, nil, "init", "--genesis", filepath.Join(dir, id, "genesis.json"), "--agency", id,
			"--key-dir", filepath.Join(dir, id, "keys"), "--out", cfg), 2, id+": init over an existing config")
		// Test speed-up: the CSV job's schedule from a minute to a second.
		raw, _ := os.ReadFile(cfg)
		os.WriteFile(cfg, []byte(strings.Replace(string(raw), `"@every 1m"`, `"@every 1s"`, 1)), 0o644)
	}

	// serve at each agency; a CSV dropped at one is anchored on all three.
	tc := &testCluster{t: t, dir: dir}
	t.Cleanup(func() {
		for _, nd := range tc.nodes {
			tc.kill(nd)
		}
	})
	for _, id := range ids {
		tc.add(id)
	}
	tc.leader(tc.nodes)
	body := fmt.Sprintf(clusterCSV, "HG", "HG")
	if err := os.WriteFile(filepath.Join(dir, ids[1], "inbox/csv/export-1.csv"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	head := tc.sameHeads(tc.nodes, 1)
	for _, nd := range tc.nodes {
		st, _ := tc.status(nd)
		if st.LogSize != 1 {
			t.Fatalf("%s: log size %d, want the one batch", nd.id, st.LogSize)
		}
	}
	if b := batches(t, tc.nodes[1].config); len(b) != 1 || b[0].Rows != 2 {
		t.Fatalf("batches at %s: %+v, want one of 2 rows", ids[1], b)
	}

	// Back up a running node, stop it, wipe its data, restore, restart.
	nd := tc.nodes[2]
	bk := filepath.Join(dir, "backup-"+nd.id)
	r = ha(t, nil, "--config", nd.config, "backup", "--out", bk)
	mustCode(t, r, 0, "backup")
	if !strings.Contains(r.stdout, head) || !strings.Contains(r.stdout, "raft/raft.db") {
		t.Fatalf("backup output lacks the head %s or the Raft store:\n%s", head, r.stdout)
	}
	tc.kill(nd)
	mustCode(t, ha(t, nil, "--config", nd.config, "restore", "--from", bk), 2, "restore over live stores")
	for _, p := range []string{"state.db", "state.db-wal", "state.db-shm", "chain.db", "chain.db-wal", "chain.db-shm", "raft"} {
		if err := os.RemoveAll(filepath.Join(nd.dir, p)); err != nil {
			t.Fatal(err)
		}
	}
	r = ha(t, nil, "--config", nd.config, "restore", "--from", bk)
	mustCode(t, r, 0, "restore")
	tc.start(nd)
	mustCode(t, ha(t, nil, "--config", nd.config, "verify", "chain"), 0, "verify chain after restore")
	if got := tc.sameHeads(tc.nodes, 1); got != head {
		t.Fatalf("head after restore %s, want %s", got, head)
	}
	// The restored node goes on replicating.
	h := tc.anchor(tc.nodes[0], "after-restore", 1)
	tc.sameHeads(tc.nodes, h)
	mustCode(t, ha(t, nil, "--config", nd.config, "verify", "chain"), 0, "verify chain after new blocks")
}

func copyTo(t *testing.T, src, dst string) {
	t.Helper()
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}
