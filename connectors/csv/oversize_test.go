package csv

import (
	"strconv"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
)

// TestOversizedRecordKeepsHead checks that a record over max_record_bytes
// in the middle of a file is rejected with its head only, and that the
// records after it are read.
func TestOversizedRecordKeepsHead(t *testing.T) {
	const limit = 200 << 10
	in := "a,b\n1,2\n" + "3," + strings.Repeat("x", 3*limit) + "\n5,6\n"
	r := newReader(strings.NewReader(in), ',', '"', limit)
	var got []string
	for {
		rec, err := r.next()
		if err != nil {
			break
		}
		if rec.err != nil {
			if len(rec.raw) != connectors.OversizeHead {
				t.Errorf("oversized record keeps %d bytes, want %d", len(rec.raw), connectors.OversizeHead)
			}
			got = append(got, "reject@"+strconv.Itoa(rec.line))
			continue
		}
		got = append(got, strings.Join(rec.fields, "|"))
	}
	if want := "a|b 1|2 reject@3 5|6"; strings.Join(got, " ") != want {
		t.Errorf("records %q, want %q", got, want)
	}
}
