package anchor_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// entryExample is the worked example of docs/format.md, "Entries": one
// disclosure entry signed by the key whose seed is 32 bytes of 0x01.
type entryExample struct {
	Seed         string          `json:"seed_hex"`
	PublicKey    string          `json:"public_key"`
	Entry        json.RawMessage `json:"entry"`
	SigningInput string          `json:"signing_input"`
	ID           string          `json:"id"`
}

// TestEntryExample pins the entry format: canonical JSON, the signing
// input with its domain, the signature and the leaf hash (the id).
func TestEntryExample(t *testing.T) {
	key := exampleKey(1)
	body := map[string]any{"recipient": "registry", "purpose": "TREAT", "records": 2,
		"records_root": "5f1ec7b1e2c4f1f3a3d0c8c3bf6b5b9b0f6f8f9e6a3b6c1e4e5d5a8c7b1f2e3d"}
	e, err := anchor.NewEntry("example-chain", anchor.KindDisclosure, "hospital", body, key, time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	full, err := anchor.Canonical(e)
	if err != nil {
		t.Fatal(err)
	}
	unsigned := e
	unsigned.Signature = ""
	uc, _ := anchor.Canonical(unsigned)
	id, _ := e.ID()
	got, err := json.MarshalIndent(entryExample{
		Seed: hex.EncodeToString(key.Seed()), PublicKey: base64.StdEncoding.EncodeToString([]byte(key.Public().(ed25519.PublicKey))),
		Entry: full, SigningInput: anchor.EntryDomain(e.Kind) + "\n" + string(uc), ID: id,
	}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := "../testdata/entry-example.json"
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./anchor -run TestEntryExample -update)", err)
	}
	if string(want) != string(got)+"\n" {
		t.Errorf("entry example changed; if intended, run with -update and update docs/format.md:\n%s", got)
	}
}
