package schemas

import "testing"

func TestControlChar(t *testing.T) {
	row := Patient.NewRow()
	row[Patient.Index("patient_id")] = TextValue("P1")
	row[Patient.Index("given_name")] = TextValue("Jo\thn\r\n")
	if col, _ := Patient.ControlChar(row); col != -1 {
		t.Errorf("tab, CR and LF flagged in column %d", col)
	}
	for _, c := range []byte{0, 1, 0x0b, 0x1b, 0x1f} {
		row[Patient.Index("family_name")] = TextValue("Do" + string(c) + "e")
		col, at := Patient.ControlChar(row)
		if col != Patient.Index("family_name") || at != 2 {
			t.Errorf("%#x: ControlChar = %d, %d; want family_name, 2", c, col, at)
		}
		if got := StripControl("Do" + string(c) + "e\tX"); got != "Doe\tX" {
			t.Errorf("%#x: StripControl = %q", c, got)
		}
	}
}

// BenchmarkCheckRow measures the checks every row passes before it is
// written: Check, then ControlChar.
func BenchmarkCheckRow(b *testing.B) {
	row := Patient.NewRow()
	row[Patient.Index("patient_id")] = TextValue("P00000001")
	row[Patient.Index("family_name")] = TextValue("Lefèvre-Dupont")
	row[Patient.Index("given_name")] = TextValue("Marie-Hélène")
	row[Patient.Index("address")] = TextValue("12 rue de la République, Bâtiment B")
	row[Patient.Index("city")] = TextValue("Saint-Étienne")
	for b.Loop() {
		if err := Patient.Check(row); err != nil {
			b.Fatal(err)
		}
		if col, _ := Patient.ControlChar(row); col >= 0 {
			b.Fatal(col)
		}
	}
}

func TestControlAt(t *testing.T) {
	for n := 0; n < 40; n++ {
		for _, c := range []byte{0, 0x07, 0x1f, '\t', '\n', '\r', ' ', 0x7f, 0xc3} {
			for at := 0; at < n; at++ {
				b := make([]byte, n)
				for i := range b {
					b[i] = 'a'
				}
				b[at] = c
				want := -1
				if isControl[c] {
					want = at
				}
				if got := controlAt(string(b)); got != want {
					t.Fatalf("controlAt(%q) = %d, want %d", b, got, want)
				}
			}
		}
	}
}
