package hl7gen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"time"
)

var (
	orderables = []struct{ code, name string }{
		{"24323-8", "Comprehensive metabolic panel"}, {"58410-2", "CBC panel - Blood by Automated count"},
		{"57698-3", "Lipid panel with direct LDL"}, {"36643-5", "XR Chest 2 Views"}, {"24627-2", "CT Chest"},
	}
	vaccines = []struct{ cvx, name, mvx string }{
		{"20", "DTaP", "SKB"}, {"133", "PCV13", "PFR"}, {"08", "Hep B, adolescent or pediatric", "MSD"},
		{"141", "Influenza, seasonal, injectable", "SKB"}, {"208", "COVID-19, mRNA, LNP-S, PF, 30 mcg/0.3 mL dose", "PFR"},
	}
	diagnoses = []struct{ code, name string }{
		{"I10", "Essential (primary) hypertension"}, {"E11.9", "Type 2 diabetes mellitus without complications"},
		{"J18.9", "Pneumonia, unspecified organism"}, {"I20.9", "Angina pectoris, unspecified"},
	}
	allergens = []struct{ typ, code, name, system string }{
		{"DA", "7980", "Penicillin G", "RXNORM"}, {"FA", "256349002", "Peanut", "SCT"}, {"EA", "256277009", "Grass pollen", "SCT"},
	}
)

// GenerateOrders writes messages HL7 v2.5.1 messages to w, ORM^O01 orders
// (one to three ORC/OBR pairs, often with a DG1 and an AL1) and VXU^V04
// vaccinations (one to three RXA, each with RXR and funding OBX) in equal
// parts, seeded by seed. A badFraction of them carry a fault the
// connector rejects (an order without number, an impossible
// administration date).
func GenerateOrders(w io.Writer, messages int, seed int64, badFraction float64) error {
	return generate(w, messages, seed, badFraction, func(bw *bufio.Writer, r *rand.Rand, i int, at time.Time, bad bool) {
		if r.Intn(2) == 0 {
			orm(bw, r, i, at, bad)
		} else {
			vxu(bw, r, i, at, bad)
		}
	})
}

func orm(w *bufio.Writer, r *rand.Rand, i int, at time.Time, bad bool) {
	header(w, "ORM^O01^ORM_O01", i, at)
	pid(w, newPerson(r, false), r)
	fmt.Fprintf(w, "PV1|1|O|%s^%d^^GEN||||%07d^Martin^Claire|||MED||||1|||%07d^Martin^Claire|OP|V%09d^^^GEN^VN\r",
		wards[r.Intn(len(wards))], 100+r.Intn(400), r.Intn(1e7), r.Intn(1e7), r.Intn(1e9))
	if r.Intn(3) == 0 {
		a := allergens[r.Intn(len(allergens))]
		fmt.Fprintf(w, "AL1|1|%s|%s^%s^%s|MO|Urticaria|%s\r", a.typ, a.code, a.name, a.system, at.AddDate(-r.Intn(20), 0, 0).Format("20060102"))
	}
	n := 1 + r.Intn(3)
	for k := 1; k <= n; k++ {
		order := fmt.Sprintf("ORD%08d^GENHIS", r.Intn(1e8))
		if bad && k == n {
			order = ""
		}
		o := orderables[r.Intn(len(orderables))]
		fmt.Fprintf(w, "ORC|NW|%s||GRP%06d^GENHIS|SC||||%s+0100|||%07d^Martin^Claire\r", order, i, at.Format(stamp), r.Intn(1e7))
		fmt.Fprintf(w, "TQ1|1||||||||%s\r", []string{"R", "R", "S", "A"}[r.Intn(4)])
		fmt.Fprintf(w, "OBR|%d|%s||%s^%s^LN\r", k, order, o.code, o.name)
	}
	if r.Intn(2) == 0 {
		d := diagnoses[r.Intn(len(diagnoses))]
		fmt.Fprintf(w, "DG1|1||%s^%s^I10||%s|W\r", d.code, d.name, at.Format("20060102"))
	}
}

func vxu(w *bufio.Writer, r *rand.Rand, i int, at time.Time, bad bool) {
	header(w, "VXU^V04^VXU_V04", i, at)
	pid(w, newPerson(r, false), r)
	n := 1 + r.Intn(3)
	for k := 1; k <= n; k++ {
		v := vaccines[r.Intn(len(vaccines))]
		given := at.Add(-time.Duration(r.Intn(48)) * time.Hour).Format(stamp)
		if bad && k == n {
			given = given[:4] + "1332"
		}
		fmt.Fprintf(w, "ORC|RE||IZ%08d^GEN\r", r.Intn(1e8))
		fmt.Fprintf(w, "RXA|0|1|%s+0100||%s^%s^CVX|0.5|mL^mL^UCUM||00^New record^NIP001||||||LOT%05d|20261231|%s^^MVX|||CP|A\r",
			given, v.cvx, v.name, r.Intn(1e5), v.mvx)
		fmt.Fprintf(w, "RXR|C28161^Intramuscular^NCIT|%s^^HL70163\r", []string{"LA", "RA", "LT", "RT"}[r.Intn(4)])
		fmt.Fprintf(w, "OBX|1|CE|64994-7^Vaccine funding program eligibility category^LN|1|V0%d^^HL70064||||||F\r", 1+r.Intn(4))
		fmt.Fprintf(w, "OBX|2|CE|30963-3^Vaccine funding source^LN|1|PHC70^Private funds^CDCPHINVS||||||F\r")
	}
}
