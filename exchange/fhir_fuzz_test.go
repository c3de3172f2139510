package exchange

import (
	"encoding/json"
	"testing"
)

// FuzzRenderFHIR feeds arbitrary canonical records of each mapped schema
// to the rendering: it never panics, a record that is not a JSON object
// of strings and nulls is an error naming it, and every resource of a
// record that renders marshals to JSON whose id is BATCH-ROW.
func FuzzRenderFHIR(f *testing.F) {
	for _, p := range goldenFetch().Proofs {
		f.Add(p.Manifest.Schema, p.Record.Canonical)
	}
	f.Add("observation/1", `{"value":"<=","value_type":"SN"}`)
	f.Add("encounter/1", `{"class":null}`)
	f.Fuzz(func(t *testing.T, schema, canonical string) {
		got := goldenFetch()
		got.Proofs = got.Proofs[:1]
		got.Proofs[0].Manifest.Schema = schema
		got.Proofs[0].Record.Canonical = canonical
		out, err := RenderFHIR(got)
		var obj map[string]*string
		if json.Unmarshal([]byte(canonical), &obj) != nil {
			if err == nil {
				t.Fatalf("record %q is not an object of strings, but rendered", canonical)
			}
			return
		}
		if err != nil {
			t.Fatalf("record %q: %v", canonical, err)
		}
		for typ, rs := range out.Resources {
			for _, r := range rs {
				b, err := json.Marshal(r)
				if err != nil {
					t.Fatalf("%s of %q: %v", typ, canonical, err)
				}
				var back struct{ ID string }
				json.Unmarshal(b, &back)
				if want := resourceID(got.Proofs[0]); typ != "Provenance" && back.ID != want {
					t.Fatalf("%s id %q, want %q", typ, back.ID, want)
				}
			}
		}
	})
}
