// Package hl7gen writes realistic HL7 v2 feeds for benchmarks, load
// tests and demos: ADT admissions, transfers, discharges and updates,
// ORU^R01 lab results, ORM^O01 orders and VXU^V04 vaccinations, with
// accented names, plausible dates and CR-terminated segments. The output
// is a function of its arguments only.
package hl7gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"time"
)

var (
	families = []string{"Müller", "García", "Nguyễn", "Ødegård", "Kowalczyk", "O'Brien", "Lefèvre", "Rossi",
		"Åström", "Papadopoulos", "Dubois", "Novák", "Fernández", "Schröder", "Jensen", "Smith", "Bianchi", "Wiśniewska"}
	givens = []string{"Zoë", "José", "Søren", "Małgorzata", "Siobhán", "Hélène", "Jürgen", "Märta", "Luis",
		"Anaïs", "Ana", "Marco", "Chloé", "Björn", "Eva", "John", "Giulia", "Ștefan"}
	cities = []string{"Strasbourg", "Tromsø", "Göteborg", "Kraków", "Galway", "Lyon", "Köln", "Málaga", "Brno"}
	wards  = []string{"CARD", "ICU", "MED", "SURG", "ORTH", "PED", "MAT", "ONC"}
	events = []string{"A01", "A02", "A03", "A04", "A08", "A08", "A28", "A31"}
	tests  = []struct{ code, name, units, rng string }{
		{"6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", "4.5-11.0"},
		{"718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", "13.5-17.5"},
		{"777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", "150-400"},
		{"2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", "70-99"},
		{"2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", "0.7-1.3"},
		{"2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", "136-145"},
		{"2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", "3.5-5.1"},
	}
)

// Generate writes messages HL7 v2.5.1 messages to w, about two ADT for
// one ORU^R01, seeded by seed. A badFraction (0 to 1) of them carry a
// fault the connector rejects (an impossible birth date, a missing
// patient id, a missing observation code).
func Generate(w io.Writer, messages int, seed int64, badFraction float64) error {
	return generate(w, messages, seed, badFraction, func(bw *bufio.Writer, r *rand.Rand, i int, at time.Time, bad bool) {
		if r.Intn(3) == 0 {
			oru(bw, r, i, at, bad)
		} else {
			adt(bw, r, i, at, bad)
		}
	})
}

// generate writes messages messages to w, one every 37 seconds from
// 2024-03-01, each written by write; a badFraction of them are to carry
// a fault (write's bad).
func generate(w io.Writer, messages int, seed int64, badFraction float64, write func(bw *bufio.Writer, r *rand.Rand, i int, at time.Time, bad bool)) error {
	if badFraction < 0 || badFraction > 1 {
		return fmt.Errorf("hl7gen: badFraction %v is not between 0 and 1", badFraction)
	}
	r := rand.New(rand.NewSource(seed))
	bw := bufio.NewWriterSize(w, 64<<10)
	base := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= messages; i++ {
		at := base.Add(time.Duration(i) * 37 * time.Second)
		bad := r.Float64() < badFraction
		write(bw, r, i, at, bad)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("hl7gen: %w", err)
	}
	return nil
}

const stamp = "20060102150405"

func header(w *bufio.Writer, typ string, i int, at time.Time) {
	fmt.Fprintf(w, "MSH|^~\\&|GENHIS|GEN HOSPITAL^1.2.3.4.5^ISO|HEALTHANCHOR|REGION|%s+0100||%s|GEN%08d|P|2.5.1|||AL|NE||UNICODE UTF-8\r",
		at.Format(stamp), typ, i)
}

type person struct {
	mrn, family, given, birth, sex, city string
}

func newPerson(r *rand.Rand, bad bool) person {
	p := person{
		mrn:    fmt.Sprintf("MRN%07d", r.Intn(5_000_000)),
		family: families[r.Intn(len(families))],
		given:  givens[r.Intn(len(givens))],
		birth:  time.Date(1930+r.Intn(90), time.Month(1+r.Intn(12)), 1+r.Intn(28), 0, 0, 0, 0, time.UTC).Format("20060102"),
		sex:    "FM"[r.Intn(2):][:1],
		city:   cities[r.Intn(len(cities))],
	}
	if bad {
		if r.Intn(2) == 0 {
			p.birth = p.birth[:4] + "1332"
		} else {
			p.mrn = ""
		}
	}
	return p
}

func pid(w *bufio.Writer, p person, r *rand.Rand) {
	id := ""
	if p.mrn != "" {
		id = fmt.Sprintf("%s^^^GEN&1.2.3.4.5&ISO^MR~%010d^^^NHS&2.16.840.1.113883.2.1.4.1&ISO^NH", p.mrn, r.Int63n(1e10))
	}
	fmt.Fprintf(w, "PID|1||%s||%s^%s^^^^^L||%s|%s|||%d Grand-Rue^^%s^^%05d^FRA^H||^PRN^PH^^33^3^%08d|||M\r",
		id, p.family, p.given, p.birth, p.sex, 1+r.Intn(120), p.city, 10000+r.Intn(89999), r.Intn(1e8))
}

func adt(w *bufio.Writer, r *rand.Rand, i int, at time.Time, bad bool) {
	ev := events[r.Intn(len(events))]
	header(w, "ADT^"+ev+"^ADT_A01", i, at)
	fmt.Fprintf(w, "EVN|%s|%s+0100\r", ev, at.Add(-time.Minute).Format(stamp))
	p := newPerson(r, bad)
	pid(w, p, r)
	admit := at.Add(-time.Duration(r.Intn(72)) * time.Hour)
	discharge := ""
	if ev == "A03" {
		discharge = at.Format(stamp) + "+0100"
	}
	class, visit := "I", fmt.Sprintf("V%09d", r.Intn(1e9))
	if ev == "A28" || ev == "A31" {
		class, visit = "N", ""
	}
	fmt.Fprintf(w, "PV1|1|%s|%s^%d^%d^GEN||||%07d^Martin^Claire^^^Dr|||MED||||1|||%07d^Martin^Claire|IN|%s^^^GEN^VN|||||||||||||||||||||||||%s+0100|%s\r",
		class, wards[r.Intn(len(wards))], 100+r.Intn(400), 1+r.Intn(4), r.Intn(1e7), r.Intn(1e7), visit, admit.Format(stamp), discharge)
	if r.Intn(4) == 0 {
		fmt.Fprintf(w, "ZPI|%d|Préférence: chambre seule\\.br\\régime sans sel\r", r.Intn(9))
	}
}

func oru(w *bufio.Writer, r *rand.Rand, i int, at time.Time, bad bool) {
	header(w, "ORU^R01^ORU_R01", i, at)
	p := newPerson(r, false)
	pid(w, p, r)
	order := fmt.Sprintf("ORD%08d", r.Intn(1e8))
	collected := at.Add(-time.Duration(30+r.Intn(300)) * time.Minute)
	fmt.Fprintf(w, "ORC|RE|%s^GENHIS|F%s^LAB\r", order, order[3:])
	fmt.Fprintf(w, "OBR|1|%s^GENHIS|F%s^LAB|24323-8^Comprehensive metabolic panel^LN|||%s+0100|||||||||%07d^Martin^Claire||||||%s+0100|||F\r",
		order, order[3:], collected.Format(stamp), r.Intn(1e7), at.Format(stamp))
	n := 3 + r.Intn(5)
	for k := 1; k <= n; k++ {
		t := tests[r.Intn(len(tests))]
		code := t.code + "^" + t.name + "^LN"
		if bad && k == n {
			code = "^" + t.name
		}
		flag := []string{"N", "N", "N", "H", "L"}[r.Intn(5)]
		fmt.Fprintf(w, "OBX|%d|NM|%s||%d.%d|%s^^UCUM|%s|%s|||F|||%s+0100\r", k, code, r.Intn(300), r.Intn(10), t.units, t.rng, flag, collected.Format(stamp))
	}
	if r.Intn(3) == 0 {
		fmt.Fprintf(w, "NTE|1|L|Échantillon légèrement hémolysé \\T\\ lipémique\r")
	}
}
