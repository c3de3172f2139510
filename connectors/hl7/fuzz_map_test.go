package hl7

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// fuzzMapper feeds the segments after a fixed MSH of type typ to the
// mapper: any body must map, or fail with a reason, without a panic; rows
// must be complete, and no two rows of a schema share a source_ref.
func fuzzMapper(f *testing.F, typ string, seeds ...string) {
	header := "MSH|^~\\&|APP|FAC|||20240101120000||" + typ + "|C1|P|2.5.1\r"
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	// The segments after MSH of every sample file with this message type.
	files, _ := filepath.Glob(filepath.Join(sampleDir, "*.hl7"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		fr := NewFramer(bytes.NewReader(b), 0)
		for {
			u, err := fr.Next()
			if err != nil {
				break
			}
			if _, body, ok := bytes.Cut(u.Raw, []byte("\r")); ok {
				f.Add(bytes.Clone(body))
			}
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var p Parser
		var m Message
		if err := p.ParseInto(&m, append([]byte(header), body...)); err != nil {
			return
		}
		var mp Mapper
		recs, err := mp.Map(&m, "f#1/C1")
		if err != nil {
			if Reason(err) == "" {
				t.Fatal("mapping error without a reason")
			}
			if len(recs) != 0 {
				t.Fatal("rows returned with an error")
			}
			return
		}
		seen := map[string]bool{}
		for _, r := range recs {
			if err := r.Schema.Check(r.Row); err != nil {
				t.Fatalf("incomplete %s row: %v", r.Schema.ID(), err)
			}
			key := r.Schema.ID() + " " + r.SourceRef
			if seen[key] {
				t.Fatalf("duplicate source_ref %s", key)
			}
			seen[key] = true
		}
	})
}

// FuzzMapOrder fuzzes the order/1 mapping of ORM^O01 (and the patient,
// condition and allergy rows beside it).
func FuzzMapOrder(f *testing.F) {
	fuzzMapper(f, "ORM^O01",
		"PID|1||P1\rORC|NW|PL1|FI1||SC||^^^^^S||20240101\rTQ1|1||||||||R\rOBR|1|PL1||X^Y^LN\rORC|CA|PL2\r",
		"PID|1||P1\rOBR|1|||X\rPID|2||P2\rORC|NW||F2\rDG1|1||A^B^I10\rAL1|1|DA|C^D\r")
}

// FuzzMapVXU fuzzes the immunization/1 mapping of VXU^V04.
func FuzzMapVXU(f *testing.F) {
	fuzzMapper(f, "VXU^V04",
		"PID|1||P1\rORC|RE||IZ1\rRXA|0|1|20240101||08^HepB^CVX|0.5|mL||00||||||L1||MSD^Merck^MVX|||CP|A\rRXR|C28161|LA\rOBX|1|CE|64994-7^E^LN|1|V02\rOBX|2|CE|30963-3^F^LN|1|VXC50\r",
		"PID|1||P1\rRXA|0|1|2024||998^No vaccine^CVX|999||||||||||||NA\rRXA|0|2|20240101||^^^115^Tdap^CVX|.25\r")
}

// FuzzMapClinical fuzzes the condition/1 and allergy/1 mappings of any
// message (here an ADT^A60, which has no mapping of its own).
func FuzzMapClinical(f *testing.F) {
	fuzzMapper(f, "ADT^A60",
		"PID|1||P1\rPV1|1|I"+"|||||||||||||||||V1\rDG1|1||I10^HTN^I10||2023|W"+"|||||||||||||2024|D1\rPRB|AD|2024|X^Y^I9|P1|||2024|||||||A||2023\r",
		"PID|1||P1\rAL1|1|DA|70618^Pen^RXNORM|SV|Hives~^Rash^SCT|20200105\rIAM|1|FA|^Peanut|MO|^Ana|A|A1||||20190304\r")
}
