package anchor_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/schemas"
)

var update = flag.Bool("update", false, "rewrite golden files")

// formatExample is the worked example of docs/format.md, computed.
type formatExample struct {
	SaltKeyHex   string   `json:"salt_key_hex"`
	SigningSeed  string   `json:"signing_seed_hex"`
	PublicKey    string   `json:"public_key"`
	WatermarkKey string   `json:"watermark_key"`
	WindowFrom   string   `json:"window_from"`
	WindowTo     string   `json:"window_to"`
	BatchID      string   `json:"batch_id"`
	Salts        []string `json:"salts"`
	Canonical    []string `json:"canonical"`
	LeafHashes   []string `json:"leaf_hashes"`
	Root         string   `json:"root"`
	ManifestJCS  string   `json:"manifest_jcs"`
	ManifestSig  string   `json:"manifest_signature"`
	ManifestLeaf string   `json:"manifest_leaf_hash"`
	GenesisHash  string   `json:"genesis_hash"`
	BlockJCS     string   `json:"block_unsigned_jcs"`
	BlockHash    string   `json:"block_hash"`
	BlockLogRoot string   `json:"block_log_root"`
	BlockSig     string   `json:"block_signature"`
}

func exampleRows() []schemas.Row {
	s := schemas.Patient
	mk := func(ref, id, family, given, birth, sex, city, updated string) schemas.Row {
		r := s.NewRow()
		r[schemas.IdxSource] = schemas.TextValue("his-export")
		r[schemas.IdxSourceRef] = schemas.TextValue(ref)
		r[s.Index("patient_id")] = schemas.TextValue(id)
		r[s.Index("family_name")] = schemas.TextValue(family)
		r[s.Index("given_name")] = schemas.TextValue(given)
		b, _ := time.Parse("2006-01-02", birth)
		r[s.Index("birth_date")] = schemas.DateValue(b)
		r[s.Index("sex")] = schemas.TextValue(sex)
		r[s.Index("city")] = schemas.OptText(city)
		u, _ := time.Parse(time.RFC3339Nano, updated)
		r[s.Index("updated_at")] = schemas.TimestampValue(u)
		return r
	}
	return []schemas.Row{
		mk("inbox/csv/patients.csv:2", "P001", "Dupont", "Zoé", "1980-02-03", "F", "Lyon", "2026-11-20T10:00:00Z"),
		mk("inbox/csv/patients.csv:3", "P002", "O\"Brien", "Seán\tPádraig", "1975-12-01", "M", "", "2026-11-20T10:00:00.25Z"),
	}
}

// TestFormatExample recomputes the worked example of docs/format.md from
// fixed keys and rows, compares it with testdata/format-example.json, and
// checks that every value appears in the document.
func TestFormatExample(t *testing.T) {
	ctx := context.Background()
	saltKey := make([]byte, 32)
	seed := make([]byte, 32)
	for i := range saltKey {
		saltKey[i] = byte(i)
		seed[i] = byte(0x80 + i)
	}
	key := ed25519.NewKeyFromSeed(seed)
	var ex formatExample
	ex.SaltKeyHex, ex.SigningSeed = hex.EncodeToString(saltKey), hex.EncodeToString(seed)
	ex.PublicKey = anchor.EncodePublicKey(key.Public().(ed25519.PublicKey))
	to := []byte(`{"files":{"inbox/csv/patients.csv":"` + strings.Repeat("0", 64) + `"}}`)
	wk := anchor.NewWatermarkKey(saltKey)
	ex.WatermarkKey, ex.WindowFrom, ex.WindowTo = hex.EncodeToString(wk), wk.Digest(nil), wk.Digest(to)
	ex.BatchID = wk.BatchID("patients-csv", "his-export", "patient/1", false, nil, to)

	dir := t.TempDir()
	w, err := batchfile.Create(filepath.Join(dir, "b.parquet"), schemas.Patient, ex.BatchID, saltKey, batchfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range exampleRows() {
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	res, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	salter := batchfile.NewSalter(saltKey, ex.BatchID)
	if _, err := batchfile.Read(ctx, res.Path, func(row int64, canonical []byte, lh [32]byte) error {
		ex.Salts = append(ex.Salts, hex.EncodeToString(salter.Salt(uint64(row))))
		ex.Canonical = append(ex.Canonical, string(canonical))
		ex.LeafHashes = append(ex.LeafHashes, hex.EncodeToString(lh[:]))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ex.Root = hex.EncodeToString(res.Root)

	m := anchor.Manifest{
		Version: anchor.ManifestVersion, ChainID: "example-chain", BatchID: ex.BatchID, Agency: "agency-a", ProducerSeq: 1,
		Job: "patients-csv", Source: "his-export", WindowFrom: ex.WindowFrom, WindowTo: ex.WindowTo,
		Schema: "patient/1", Fingerprint: schemas.Patient.Fingerprint(), Rows: 2, Rejects: 0, MerkleRoot: ex.Root,
		RejectsRoot:   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		ParquetSHA256: strings.Repeat("ab", 32), ParquetSize: 4242, CreatedAt: "2026-11-26T02:30:00Z",
	}
	unsigned, err := anchor.Canonical(m)
	if err != nil {
		t.Fatal(err)
	}
	ex.ManifestJCS = string(unsigned)
	if err := m.Sign(key); err != nil {
		t.Fatal(err)
	}
	ex.ManifestSig = m.Signature
	lh, _ := m.LeafHash()
	ex.ManifestLeaf = hex.EncodeToString(lh)

	g, err := anchor.NewGenesis("example-chain", []anchor.Member{{ID: "agency-a", Name: "Agency A", PublicKey: ex.PublicKey}}, "agency-a", key, time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	ex.GenesisHash, _ = g.Hash()
	chainPath := filepath.Join(dir, "chain.db")
	if err := anchor.CreateChain(chainPath, g); err != nil {
		t.Fatal(err)
	}
	c, err := anchor.OpenChain(chainPath)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b, err := c.Propose(ctx, []anchor.Manifest{m}, "agency-a", key, time.Date(2026, 11, 26, 2, 31, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sig := b.Signature
	b.Signature = ""
	bj, _ := anchor.Canonical(b)
	ex.BlockJCS = string(bj)
	ex.BlockHash, _ = b.Hash()
	ex.BlockLogRoot = b.LogRoot
	ex.BlockSig = sig

	golden := "../testdata/format-example.json"
	got, _ := json.MarshalIndent(ex, "", "  ")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./anchor -run TestFormatExample -update)", err)
	}
	if strings.TrimSpace(string(want)) != strings.TrimSpace(string(got)) {
		t.Errorf("worked example changed; if intended, run with -update and update docs/format.md:\n%s", got)
	}
	doc, err := os.ReadFile("../docs/format.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range append(append(append([]string{ex.WatermarkKey, ex.WindowFrom, ex.WindowTo, ex.BatchID, ex.Root, ex.ManifestSig, ex.ManifestLeaf, ex.BlockHash, ex.BlockLogRoot, ex.PublicKey, ex.GenesisHash}, ex.Salts...), ex.Canonical...), ex.LeafHashes...) {
		if !strings.Contains(string(doc), v) {
			t.Errorf("docs/format.md does not show %q", v)
		}
	}
	if !strings.Contains(string(doc), ex.ManifestJCS) {
		t.Errorf("docs/format.md does not show the manifest's JCS form")
	}
}
