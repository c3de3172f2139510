package anchor

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"

	"github.com/healthanchor/healthanchor/anchor/batchfile"
	"github.com/healthanchor/healthanchor/schemas"
)

// proofChain is a chain store of some members, with their keys, for
// proof tests.
type proofChain struct {
	*Chain
	keys map[string]ed25519.PrivateKey
	seqs map[string]int64
}

func testKey(id string) ed25519.PrivateKey {
	seed := make([]byte, 32)
	copy(seed, "proof-test-key-"+id)
	return ed25519.NewKeyFromSeed(seed)
}

func testMember(id string) Member {
	return Member{ID: id, Name: "Agency " + id, PublicKey: EncodePublicKey(testKey(id).Public().(ed25519.PublicKey))}
}

// newGenesis signs, as ids[0], the genesis of chain "proof-chain" with
// members ids and the given quorum (0 for the default).
func newGenesis(t testing.TB, quorum int, ids ...string) Block {
	t.Helper()
	var members []Member
	for _, id := range ids {
		members = append(members, testMember(id))
	}
	g := Block{Version: BlockVersion, ChainID: "proof-chain", PrevHash: ZeroHash, Time: "2026-11-26T02:00:00Z",
		Proposer: ids[0], Manifests: []Manifest{}, LogRoot: hex.EncodeToString(emptyRoot()),
		Genesis: &Genesis{Members: members, Quorum: quorum}}
	if err := g.Sign(testKey(ids[0])); err != nil {
		t.Fatal(err)
	}
	return g
}

func emptyRoot() []byte {
	b, _ := hex.DecodeString("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	return b
}

// openProofChain creates a chain store from genesis g.
func openProofChain(t testing.TB, g Block) *proofChain {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chain.db")
	if err := CreateChain(path, g); err != nil {
		t.Fatal(err)
	}
	c, err := OpenChain(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	pc := &proofChain{Chain: c, keys: map[string]ed25519.PrivateKey{}, seqs: map[string]int64{}}
	for _, m := range g.Genesis.Members {
		pc.keys[m.ID] = testKey(m.ID)
	}
	return pc
}

// batch writes a batch of n patients as agency's next batch, anchors it
// in a block proposed by proposer, and returns the file's path.
func (pc *proofChain) batch(t testing.TB, agency, proposer string, n int) string {
	t.Helper()
	seq := pc.seqs[agency] + 1
	id := fmt.Sprintf("%s-%d", agency, seq)
	path := filepath.Join(t.TempDir(), id+".parquet")
	w, err := batchfile.Create(path, schemas.Patient, id, []byte("0123456789abcdef"), batchfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		r := schemas.Patient.NewRow()
		r[schemas.IdxSource] = schemas.TextValue("his")
		r[schemas.IdxSourceRef] = schemas.TextValue(fmt.Sprintf("%s:%d", id, i))
		r[schemas.Patient.Index("patient_id")] = schemas.TextValue("P" + id)
		if err := w.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	res, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	m := Manifest{Version: ManifestVersion, ChainID: pc.ChainID(), BatchID: id, Agency: agency, ProducerSeq: seq,
		Job: "j", Schema: "patient/1", Rows: res.Rows, MerkleRoot: hex.EncodeToString(res.Root), ParquetSHA256: strings.Repeat("cd", 32)}
	if err := m.Sign(pc.keys[agency]); err != nil {
		t.Fatal(err)
	}
	if _, err := pc.Propose(context.Background(), []Manifest{m}, proposer, pc.keys[proposer], time.Unix(seq, 0)); err != nil {
		t.Fatal(err)
	}
	pc.seqs[agency] = seq
	return path
}

// checkpoint returns the head's checkpoint signed by signer and
// cosigned (tlog-cosignature v1) by each of cosigners.
func (pc *proofChain) checkpoint(t testing.TB, signer string, cosigners ...string) string {
	t.Helper()
	head, err := pc.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	body, err := CheckpointBody(pc.ChainID(), head.LogSize, head.LogRoot)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := SignCheckpointNote(body, signer, pc.keys[signer])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cosigners {
		signed = cosign(t, signed, c, pc.keys[c])
	}
	return signed
}

// cosign adds name's C2SP tlog-cosignature/v1 to a signed note.
func cosign(t testing.TB, signed, name string, key ed25519.PrivateKey) string {
	t.Helper()
	pub := append([]byte{noteAlgEd25519}, key.Public().(ed25519.PublicKey)...)
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, noteKeyHash(name, pub), base64.StdEncoding.EncodeToString(append([]byte{noteAlgEd25519}, key.Seed()...)))
	s, err := fnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		t.Fatal(err)
	}
	body, _, _ := strings.Cut(signed, "\n\n")
	out, err := note.Sign(&note.Note{Text: body + "\n"}, s)
	if err != nil {
		t.Fatal(err)
	}
	_, line, _ := strings.Cut(string(out), "\n\n")
	return signed + line
}

func (pc *proofChain) prove(t testing.TB, path string, row int64, checkpoint string) (Proof, error) {
	t.Helper()
	return pc.Prove(context.Background(), path, func(r int64, _ []byte) bool { return r == row }, checkpoint)
}

// TestProveAndVerify proves every row of a batch among several anchored
// batches of a single-member chain, against the checkpoint the chain
// signs itself (a quorum of one), and checks that any change to a
// bundle makes it fail.
func TestProveAndVerify(t *testing.T) {
	ctx := context.Background()
	g := newGenesis(t, 0, "agency-a")
	pc := openProofChain(t, g)
	pc.batch(t, "agency-a", "agency-a", 3)
	path := pc.batch(t, "agency-a", "agency-a", 11)
	pc.batch(t, "agency-a", "agency-a", 1)
	cp, err := pc.SignCheckpoint(ctx, "agency-a", pc.keys["agency-a"])
	if err != nil {
		t.Fatal(err)
	}
	if stored, err := pc.LatestCheckpoint(ctx); err != nil || stored != cp {
		t.Fatalf("stored checkpoint %q, %v; want %q", stored, err, cp)
	}
	for row := int64(0); row < 11; row++ {
		p, err := pc.prove(t, path, row, cp)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := VerifyProof(p, g)
		if err != nil {
			t.Fatalf("row %d: %v", row, err)
		}
		if rep.BatchID != "agency-a-2" || rep.Row != row || rep.LogSize != 2 || rep.BlockHeight != 2 ||
			rep.CheckpointSize != 3 || rep.Quorum != 1 || rep.Members != 1 || len(rep.Signers) != 1 {
			t.Errorf("row %d: report %+v", row, rep)
		}
	}
	p, err := pc.prove(t, path, 4, cp)
	if err != nil {
		t.Fatal(err)
	}
	tamper := map[string]func(p *Proof){
		"record text":        func(p *Proof) { p.Record.Canonical = strings.Replace(p.Record.Canonical, "Pagency", "Pxgency", 1) },
		"record index":       func(p *Proof) { p.Record.Index = 5 },
		"record path":        func(p *Proof) { p.Record.Inclusion[0] = strings.Repeat("0", 64) },
		"record path case":   func(p *Proof) { p.Record.Inclusion[0] = strings.ToUpper(p.Record.Inclusion[0]) },
		"manifest rows":      func(p *Proof) { p.Manifest.Rows = 12 },
		"manifest root":      func(p *Proof) { p.Manifest.MerkleRoot = strings.Repeat("1", 64) },
		"log index":          func(p *Proof) { p.Log.Index = 0 },
		"log size":           func(p *Proof) { p.Log.Size = 3 },
		"block log root":     func(p *Proof) { p.Block.LogRoot = strings.Repeat("2", 64) },
		"block proposer":     func(p *Proof) { p.Block.Proposer = "agency-z" },
		"block height 0":     func(p *Proof) { p.Block.Height = 0 },
		"block manifest":     func(p *Proof) { p.Block.Manifests[0].Rows = 12 },
		"another chain id":   func(p *Proof) { p.ChainID = "other" },
		"version 1":          func(p *Proof) { p.Version = 1 },
		"no checkpoint":      func(p *Proof) { p.Checkpoint.Note = "" },
		"consistency":        func(p *Proof) { p.Checkpoint.Consistency[0] = strings.Repeat("3", 64) },
		"no consistency":     func(p *Proof) { p.Checkpoint.Consistency = nil },
		"checkpoint size":    func(p *Proof) { p.Checkpoint.Note = strings.Replace(p.Checkpoint.Note, "\n3\n", "\n4\n", 1) },
		"membership invents": func(p *Proof) { p.Membership = []Block{p.Block} },
	}
	for name, f := range tamper {
		t.Run(name, func(t *testing.T) {
			cp := p
			cp.Record.Inclusion = append([]string(nil), p.Record.Inclusion...)
			cp.Checkpoint.Consistency = append([]string(nil), p.Checkpoint.Consistency...)
			cp.Block.Manifests = append([]Manifest(nil), p.Block.Manifests...)
			f(&cp)
			if _, err := VerifyProof(cp, g); err == nil {
				t.Fatal("a tampered proof verified")
			}
		})
	}
	if _, err := pc.prove(t, path, 99, cp); err == nil {
		t.Error("Prove with no matching record succeeded")
	}
}

// TestProveAll proves every record a selector picks from one file.
func TestProveAll(t *testing.T) {
	g := newGenesis(t, 0, "agency-a")
	pc := openProofChain(t, g)
	path := pc.batch(t, "agency-a", "agency-a", 6)
	cp, err := pc.SignCheckpoint(context.Background(), "agency-a", pc.keys["agency-a"])
	if err != nil {
		t.Fatal(err)
	}
	ps, err := pc.ProveAll(context.Background(), path, func(r int64, _ []byte) bool { return r%2 == 1 }, cp)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 {
		t.Fatalf("%d proofs, want 3", len(ps))
	}
	for i, p := range ps {
		if rep, err := VerifyProof(p, g); err != nil || rep.Row != int64(2*i+1) {
			t.Errorf("proof %d: row %d, %v", i, rep.Row, err)
		}
	}
}
