package anchor_test

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/schemas"
)

const proofDoc = "../docs/proof.md"

// proofExampleBlock finds the JSON block after "<!-- proof-example: name -->".
func proofExampleBlock(name string) *regexp.Regexp {
	return regexp.MustCompile("(?s)(<!-- proof-example: " + name + " -->\n```json\n)(.*?)(```)")
}

// TestProofExample checks that the worked example of docs/proof.md (a
// genesis of three members and a bundle ending at a checkpoint signed by
// two of them) verifies as the page says. With -update it builds the
// example again from fixed keys and rewrites the page.
func TestProofExample(t *testing.T) {
	doc, err := os.ReadFile(proofDoc)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		g, p := buildProofExample(t)
		for name, v := range map[string]any{"genesis": g, "bundle": p} {
			b, _ := json.MarshalIndent(v, "", "  ")
			doc = proofExampleBlock(name).ReplaceAll(doc, []byte("${1}"+strings.ReplaceAll(string(b), "$", "$$")+"\n${3}"))
		}
		if err := os.WriteFile(proofDoc, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	blocks := map[string][]byte{}
	for _, name := range []string{"genesis", "bundle"} {
		m := proofExampleBlock(name).FindSubmatch(doc)
		if m == nil {
			t.Fatalf("%s has no proof-example %s block", proofDoc, name)
		}
		blocks[name] = m[2]
	}
	g, err := anchor.ParseGenesis(blocks["genesis"])
	if err != nil {
		t.Fatal(err)
	}
	p, err := anchor.ParseProof(blocks["bundle"])
	if err != nil {
		t.Fatal(err)
	}
	rep, err := anchor.VerifyProof(p, g)
	if err != nil {
		t.Fatalf("the example of %s does not verify: %v", proofDoc, err)
	}
	got := fmt.Sprintf("row %d, block %d, log %d, checkpoint %d, signers %v, quorum %d of %d, consistency %d",
		rep.Row, rep.BlockHeight, rep.LogSize, rep.CheckpointSize, rep.Signers, rep.Quorum, rep.Members, len(p.Checkpoint.Consistency))
	if want := "row 1, block 1, log 1, checkpoint 2, signers [hospital registry], quorum 2 of 3, consistency 1"; got != want {
		t.Errorf("example: %s\nwant:    %s", got, want)
	}
	if !strings.Contains(string(doc), "keyhash "+exampleKeyHash(t, g, "registry", 4)) {
		t.Errorf("%s does not give registry's cosignature key hash %s", proofDoc, exampleKeyHash(t, g, "registry", 4))
	}
}

// exampleKeyHash is the note key hash of member id for algorithm alg.
func exampleKeyHash(t *testing.T, g anchor.Block, id string, alg byte) string {
	for _, m := range g.Genesis.Members {
		if m.ID == id {
			pub, _ := anchor.DecodePublicKey(m.PublicKey)
			v, err := note.NewVerifier(anchor.NoteVerifierKey(id, pub))
			if err != nil {
				t.Fatal(err)
			}
			if alg == 1 {
				return fmt.Sprintf("%08x", v.KeyHash())
			}
			cv, _ := fnote.NewVerifierForCosignatureV1(anchor.NoteVerifierKey(id, pub))
			return fmt.Sprintf("%08x", cv.KeyHash())
		}
	}
	t.Fatalf("no member %s", id)
	return ""
}

func exampleKey(i byte) ed25519.PrivateKey {
	seed := make([]byte, 32)
	for j := range seed {
		seed[j] = i
	}
	return ed25519.NewKeyFromSeed(seed)
}

// buildProofExample anchors a batch of two patients by hospital (block 1)
// and one by registry (block 2) on a chain of ministry, hospital and
// registry, and proves row 1 of the first against the checkpoint of
// both, signed by hospital and cosigned by registry.
func buildProofExample(t *testing.T) (anchor.Block, anchor.Proof) {
	ctx := context.Background()
	ids := []string{"ministry", "hospital", "registry"}
	keys := map[string]ed25519.PrivateKey{}
	var members []anchor.Member
	for i, id := range ids {
		keys[id] = exampleKey(byte(i + 1))
		members = append(members, anchor.Member{ID: id, Name: strings.ToUpper(id[:1]) + id[1:], PublicKey: anchor.EncodePublicKey(keys[id].Public().(ed25519.PublicKey))})
	}
	g, err := anchor.NewGenesis("example-consortium", members, "ministry", keys["ministry"], time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := anchor.CreateChain(filepath.Join(dir, "chain.db"), g); err != nil {
		t.Fatal(err)
	}
	c, err := anchor.OpenChain(filepath.Join(dir, "chain.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var first string
	for i, agency := range []string{"hospital", "registry"} {
		rows := exampleRows()[:2-i]
		to := []byte(fmt.Sprintf(`{"files":{"inbox/csv/patients-%d.csv":"%s"}}`, i, strings.Repeat("0", 64)))
		wk := anchor.NewWatermarkKey([]byte("example salt key, 32 bytes long!"))
		batchID := wk.BatchID("patients-csv", "his-export", "patient/1", false, nil, to)
		path := filepath.Join(dir, agency+".parquet")
		w, err := batchfile.Create(path, schemas.Patient, batchID, []byte("example salt key, 32 bytes long!"), batchfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := w.Append(r); err != nil {
				t.Fatal(err)
			}
		}
		res, err := w.Close()
		if err != nil {
			t.Fatal(err)
		}
		m := anchor.Manifest{
			Version: anchor.ManifestVersion, ChainID: g.ChainID, BatchID: batchID, Agency: agency, ProducerSeq: 1,
			Job: "patients-csv", Source: "his-export", WindowFrom: wk.Digest(nil), WindowTo: wk.Digest(to),
			Schema: "patient/1", Fingerprint: schemas.Patient.Fingerprint(), Rows: res.Rows, MerkleRoot: hex.EncodeToString(res.Root),
			RejectsRoot:   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
			ParquetSHA256: strings.Repeat("ab", 32), ParquetSize: 4242, CreatedAt: "2026-11-26T02:30:00Z",
		}
		if err := m.Sign(keys[agency]); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Propose(ctx, []anchor.Manifest{m}, "ministry", keys["ministry"], time.Date(2026, 11, 26, 2, 31+i, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		if first == "" {
			first = path
		}
	}
	head, _ := c.Head(ctx)
	body, err := anchor.CheckpointBody(g.ChainID, head.LogSize, head.LogRoot)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := anchor.SignCheckpointNote(body, "hospital", keys["hospital"])
	if err != nil {
		t.Fatal(err)
	}
	vkey := anchor.NoteVerifierKey("registry", keys["registry"].Public().(ed25519.PublicKey))
	hash := vkey[len("registry+") : len("registry+")+8]
	cs, err := fnote.NewSignerForCosignatureV1("PRIVATE+KEY+registry+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, keys["registry"].Seed()...)))
	if err != nil {
		t.Fatal(err)
	}
	co, err := note.Sign(&note.Note{Text: body}, cs)
	if err != nil {
		t.Fatal(err)
	}
	_, line, _ := strings.Cut(string(co), "\n\n")
	p, err := c.Prove(ctx, first, func(r int64, _ []byte) bool { return r == 1 }, signed+line)
	if err != nil {
		t.Fatal(err)
	}
	return g, p
}
