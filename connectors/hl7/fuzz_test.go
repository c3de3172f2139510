package hl7

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// addSeeds seeds a fuzz target with the sample files and their messages.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(sampleDir, "*.hl7"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		fr := NewFramer(bytes.NewReader(b), 0)
		for {
			u, err := fr.Next()
			if err != nil {
				break
			}
			f.Add(bytes.Clone(u.Raw))
		}
	}
}

var fuzzPaths = []Path{
	MustParsePath("MSH-1"), MustParsePath("MSH-2"), MustParsePath("MSH-9.2"), MustParsePath("MSH-18"),
	MustParsePath("PID-3[2].4.2"), MustParsePath("PID-5"), MustParsePath("OBX@2-5"), MustParsePath("ZPI-2"),
}

// FuzzParse checks that any bytes parse or fail with a reason, that every
// value decodes to valid UTF-8 without inventing U+FFFD, and that mapping
// never panics.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var p Parser
		var m Message
		if err := p.ParseInto(&m, raw); err != nil {
			if Reason(err) == "" {
				t.Fatal("error without a reason")
			}
			return
		}
		hadFFFD := bytes.Contains(raw, []byte("\uFFFD"))
		check := func(v Value) {
			s := v.String()
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 %q", s)
			}
			if !hadFFFD && strings.ContainsRune(s, utf8.RuneError) {
				t.Fatalf("U+FFFD in %q", s)
			}
		}
		for i := 0; i < m.NumSegments(); i++ {
			s := m.Segment(i)
			for n := 1; n <= s.NumFields()+1; n++ {
				fv := s.Field(n)
				check(fv)
				for r := 1; r <= fv.NumReps(); r++ {
					rep := fv.Rep(r)
					for c := 1; c <= rep.NumComps()+1; c++ {
						check(rep.Comp(c))
						check(rep.Comp(c).Sub(2))
					}
				}
			}
		}
		for _, path := range fuzzPaths {
			check(m.Get(path))
		}
		var mp Mapper
		recs, err := mp.Map(&m, "f#1")
		if err != nil && Reason(err) == "" {
			t.Fatal("mapping error without a reason")
		}
		for _, r := range recs {
			if err := r.Schema.Check(r.Row); err != nil {
				t.Fatalf("incomplete row: %v", err)
			}
		}
	})
}

// FuzzFramer checks that the framer cuts any stream into frames that lie
// in order within it, with bounded frames, and never fails on its own.
func FuzzFramer(f *testing.F) {
	addSeeds(f)
	f.Add([]byte("\x0bMSH|^~\\&|A\r\x1c\r\x0b\x1c"))
	f.Fuzz(func(t *testing.T, in []byte) {
		const max = 1024
		// A hang becomes a failure with its input kept.
		watchdog := time.AfterFunc(5*time.Second, func() { panic(fmt.Sprintf("framer hung on %q", in)) })
		defer watchdog.Stop()
		fr := NewFramer(bytes.NewReader(in), max)
		var last int64
		for {
			u, err := fr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if u.Offset < last || u.Offset+u.Size > int64(len(in)) {
				t.Fatalf("frame at %d+%d outside the stream or out of order (last end %d, len %d)", u.Offset, u.Size, last, len(in))
			}
			if !u.Truncated() && !bytes.Equal(u.Raw, in[u.Offset:u.Offset+u.Size]) {
				t.Fatalf("frame bytes %q differ from the stream's %q", u.Raw, in[u.Offset:u.Offset+u.Size])
			}
			if len(u.Raw) == 0 {
				t.Fatal("empty frame")
			}
			last = u.Offset + u.Size
		}
	})
}
