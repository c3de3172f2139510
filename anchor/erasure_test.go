package anchor

import (
	"strings"
	"testing"
)

// TestErasureBodyValidate: the body's rules, each broken once.
func TestErasureBodyValidate(t *testing.T) {
	good := func() ErasureBody {
		return ErasureBody{Reason: "gdpr-art17", Request: "DPO-2026-044",
			Files: []ErasedRows{{BatchID: "b1", File: FileRows, Rows: []int64{0, 3}}}}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("a good body: %v", err)
	}
	for name, c := range map[string]struct {
		edit func(*ErasureBody)
		want string
	}{
		"empty reason":    {func(b *ErasureBody) { b.Reason = "" }, "not a code"},
		"reason spaces":   {func(b *ErasureBody) { b.Reason = "art 17" }, "not a code"},
		"long request":    {func(b *ErasureBody) { b.Request = strings.Repeat("x", 201) }, "at most 200"},
		"control char":    {func(b *ErasureBody) { b.Request = "a\nb" }, "not printable"},
		"no files":        {func(b *ErasureBody) { b.Files = nil }, "no file"},
		"bad kind":        {func(b *ErasureBody) { b.Files[0].File = "other" }, "rows or rejects"},
		"rows not sorted": {func(b *ErasureBody) { b.Files[0].Rows = []int64{3, 0} }, "ascending"},
		"rows repeated":   {func(b *ErasureBody) { b.Files[0].Rows = []int64{3, 3} }, "ascending"},
		"negative row":    {func(b *ErasureBody) { b.Files[0].Rows = []int64{-1} }, "ascending"},
		"no batch id":     {func(b *ErasureBody) { b.Files[0].BatchID = "" }, "batch id"},
	} {
		b := good()
		c.edit(&b)
		if err := b.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error with %q", name, err, c.want)
		}
	}
}
