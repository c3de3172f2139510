package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestChainHoldsNoPlainWatermarkDigest plays someone who guessed an export
// exactly (so knows the watermark the agency derived from it) and has only
// the chain store: the plain SHA-256 of the watermark must appear nowhere in
// it. Each manifest's window_to is instead the keyed digest of
// docs/format.md section 5, recomputed here from the agency's salt key.
func TestChainHoldsNoPlainWatermarkDigest(t *testing.T) {
	dir, cfg := newDeployment(t)
	if err := os.WriteFile(filepath.Join(dir, "inbox/csv/patients-extra.csv"), []byte(extraCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCode(t, ha(t, nil, "--config", cfg, "run"), 0, "run")

	watermarks := map[string][]byte{}
	state := openSQLite(t, filepath.Join(dir, "state.db"))
	rows, err := state.Query(`SELECT job, watermark FROM watermarks`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var job string
		var w []byte
		if err := rows.Scan(&job, &w); err != nil {
			t.Fatal(err)
		}
		watermarks[job] = w
	}
	rows.Close()
	if len(watermarks) < 3 {
		t.Fatalf("state holds %d watermarks, want one per demo job", len(watermarks))
	}

	chainBytes, err := os.ReadFile(filepath.Join(dir, "chain.db"))
	if err != nil {
		t.Fatal(err)
	}
	chain := openSQLite(t, filepath.Join(dir, "chain.db"))
	var bodies [][]byte
	if rows, err = chain.Query(`SELECT body FROM blocks`); err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	rows.Close()
	onChain := bytes.Join(append(bodies, chainBytes), nil)
	for job, w := range watermarks {
		plain := sha256.Sum256(w)
		if bytes.Contains(onChain, []byte(hex.EncodeToString(plain[:]))) {
			t.Errorf("job %s: the chain holds the plain SHA-256 of its watermark", job)
		}
	}

	key := watermarkKey(t, filepath.Join(dir, "keys/salt.key"))
	latest := map[string]string{} // job -> window_to of its last manifest
	for _, body := range bodies {
		var b struct {
			Manifests []struct {
				Job      string `json:"job"`
				WindowTo string `json:"window_to"`
			} `json:"manifests"`
		}
		if err := json.Unmarshal(body, &b); err != nil {
			t.Fatal(err)
		}
		for _, m := range b.Manifests {
			latest[m.Job] = m.WindowTo
		}
	}
	for job, w := range watermarks {
		mac := hmac.New(sha256.New, key)
		mac.Write(w)
		if got, want := latest[job], hex.EncodeToString(mac.Sum(nil)); got != want {
			t.Errorf("job %s: window_to %s, want HMAC-SHA256(watermark_key, watermark) = %s", job, got, want)
		}
	}
}

// watermarkKey reads a salt key file and derives the watermark key as
// docs/format.md says: HMAC-SHA256(salt_key, "healthanchor/watermark/v1").
func watermarkKey(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	salt, err := base64.StdEncoding.DecodeString(string(bytes.TrimPrefix(bytes.TrimSpace(raw), []byte("healthanchor-salt-key "))))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, salt)
	mac.Write([]byte("healthanchor/watermark/v1"))
	return mac.Sum(nil)
}

func openSQLite(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
