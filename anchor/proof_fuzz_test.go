package anchor

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// FuzzVerifyProof feeds the bundle parser and verifier mutations of a
// real bundle of a three-member chain: they must never panic, and a
// mutation that still verifies must prove the same record of the same
// batch.
func FuzzVerifyProof(f *testing.F) {
	g := newGenesis(f, 0, "a", "b", "c")
	pc := openProofChain(f, g)
	path := pc.batch(f, "a", "a", 5)
	pc.batch(f, "b", "b", 2)
	pc.batch(f, "c", "a", 1)
	p, err := pc.prove(f, path, 3, pc.checkpoint(f, "b", "a", "c"))
	if err != nil {
		f.Fatal(err)
	}
	good, err := json.Marshal(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add(bytes.Replace(good, []byte(`"v":2`), []byte(`"v":1`), 1))
	f.Add([]byte(strings.Replace(string(good), `"index":3`, `"index":-1`, 1)))
	f.Add([]byte(`{"v":2,"block":{"height":1},"checkpoint":{"note":"proof-chain\n99999999999999999999\n\n"}}`))
	f.Add([]byte(`{"v":2,"log":{"index":9223372036854775807,"size":-9223372036854775808}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		q, err := ParseProof(raw)
		if err != nil {
			return
		}
		if _, err := VerifyProof(q, g); err != nil {
			return
		}
		if q.Record.Canonical != p.Record.Canonical || q.Record.Index != p.Record.Index || q.Manifest.BatchID != p.Manifest.BatchID {
			t.Fatalf("a changed bundle verified: record %d of %s: %q", q.Record.Index, q.Manifest.BatchID, q.Record.Canonical)
		}
	})
}
