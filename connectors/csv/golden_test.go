package csv

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/csv")

// TestGolden reads every sample of testdata/csv with the options of its
// .yaml file and compares the records, one JSON object a line, with its
// .golden.ndjson file.
func TestGolden(t *testing.T) {
	inputs, err := filepath.Glob(filepath.Join(samples, "*.[ct]sv"))
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no samples: %v", err)
	}
	for _, in := range inputs {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			recs, _ := readAll(t, openSample(t, name), nil)
			var got bytes.Buffer
			for _, r := range recs {
				got.Write(recordJSON(r))
				got.WriteByte('\n')
			}
			golden := filepath.Join(samples, strings.TrimSuffix(name, filepath.Ext(name))+".golden.ndjson")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				gl, wl := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(gl) || i < len(wl); i++ {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Errorf("line %d:\n got  %s\n want %s", i+1, g, w)
					}
				}
			}
		})
	}
}
