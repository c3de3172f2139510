package hl7

import (
	"strings"
	"testing"
)

// TestMapNewSchemas covers the order, immunization, condition and allergy
// rules and the patient row of every message with a PID.
func TestMapNewSchemas(t *testing.T) {
	const h = "MSH|^~\\&|APP|FAC|||20240101120000||"
	pid := "PID|1||P9^^^^MR||Doe^Jane||19800101|F\r"
	tests := []struct {
		name, msg string
		want      []string // substrings of the rendered rows, or of the reason
		not       []string // substrings that must not appear
	}{
		{"unmapped type with PID gives its patient", h + "ADT^A60|C|P|2.5\r" + pid,
			[]string{`"_schema":"patient/1"`, `"patient_id":"P9"`}, []string{"encounter/1"}},
		{"unmapped type without PID is a reject", h + "ADT^A60|C|P|2.5\rEVN|A60\r",
			[]string{"MSH-9: ADT^A60 is not mapped"}, nil},
		{"SIU patient", h + "SIU^S12|C|P|2.5\rSCH|1\r" + pid, []string{`"_schema":"patient/1"`}, nil},
		{"ORU with two patients gives two patient rows", h + "ORU^R01|C|P|2.5\r" + pid + "OBX|1|NM|X||1\rPID|2||P10\rOBX|2|NM|X||2\r",
			[]string{`"source_ref":"f#1/C"`, `"source_ref":"f#1/C/PID2"`, `"patient_id":"P10"`}, nil},
		{"ORM order", h + "ORM^O01|C|P|2.3\r" + pid + "ORC|NW|PL1|FI1||SC||^^^^^S||20240101110000|||1234^Ordering^Olga\rOBR|1|PL1|FI1|24627-2^CT Chest^LN\r",
			[]string{`"_schema":"order/1"`, `"order_id":"FI1"`, `"placer_order_id":"PL1"`, `"status":"SC"`, `"control":"NW"`,
				`"priority":"S"`, `"ordering_provider":"1234"`, `"ordered_at":"2024-01-01T11:00:00.000000Z"`, `"code":"24627-2"`, `"source_ref":"f#1/C/OBR1"`}, nil},
		{"ORM ORC without OBR", h + "ORM^O01|C|P|2.3\r" + pid + "ORC|CA|PL2\r",
			[]string{`"order_id":"PL2"`, `"control":"CA"`, `"source_ref":"f#1/C/ORC1"`}, nil},
		{"ORM TQ1 priority", h + "ORM^O01|C|P|2.5\r" + pid + "ORC|NW|PL3\rTQ1|1||||||||A\rOBR|1|PL3||X^Y^L\r", []string{`"priority":"A"`}, nil},
		{"ORM without number", h + "ORM^O01|C|P|2.3\r" + pid + "ORC|NW\rOBR|1|||X^Y^L\r",
			[]string{"OBR-2: order number is required"}, nil},
		{"ORM without order", h + "ORM^O01|C|P|2.3\r" + pid, []string{"ORC: ORM^O01 has no ORC or OBR segment"}, nil},
		{"ORM without PID", h + "ORM^O01|C|P|2.3\rORC|NW|PL1\r", []string{"PID: ORM^O01 has no PID segment"}, nil},
		{"OML order", h + "OML^O21|C|P|2.5\r" + pid + "ORC|NW|PL4\rOBR|1|PL4||2345-7^Glucose^LN\r", []string{`"order_id":"PL4"`}, nil},
		{"ORU OBR without number is no order", h + "ORU^R01|C|P|2.5\r" + pid + "OBR|1|||X^Y^L\rOBX|1|NM|X||1\r",
			[]string{`"_schema":"observation/1"`}, []string{"order/1"}},
		{"VXU dose", h + "VXU^V04|C|P|2.5.1\r" + pid + "ORC|RE||IZ-1\rRXA|0|1|20240101||49281021588^TENIVAC^NDC^115^Tdap^CVX|0.5|mL^mL^UCUM||00||||||L1||PMC^Sanofi^MVX|||CP|A\rRXR|C28161^IM^NCIT|LD^Left deltoid^HL70163\rOBX|1|CE|64994-7^Elig^LN|1|V02^VFC^HL70064||||||F\rOBX|2|CE|30963-3^Fund^LN|1|VXC50^Public^CDCPHINVS||||||F\r",
			[]string{`"vaccine_code":"115"`, `"vaccine_system":"CVX"`, `"dose":"0.500"`, `"units":"mL"`, `"lot":"L1"`, `"manufacturer":"PMC"`,
				`"route":"C28161"`, `"site":"LD"`, `"funding_eligibility":"V02"`, `"funding_source":"VXC50"`, `"immunization_id":"IZ-1"`,
				`"status":"CP"`, `"action":"A"`, `"administered_at":"2024-01-01T00:00:00.000000Z"`, `"source_ref":"f#1/C/RXA1"`}, nil},
		{"VXU unknown dose", h + "VXU^V04|C|P|2.5.1\r" + pid + "RXA|0|1|20240101||08^HepB^CVX|999\r", []string{`"dose":null`}, nil},
		{"VXU bad dose", h + "VXU^V04|C|P|2.5.1\r" + pid + "RXA|0|1|20240101||08^HepB^CVX|0.5 mL\r", []string{`RXA-6: "0.5 mL" is not an amount`}, nil},
		{"VXU without time", h + "VXU^V04|C|P|2.5.1\r" + pid + "RXA|0|1|||08^HepB^CVX\r", []string{"RXA-3: date/time of administration is required"}, nil},
		{"VXU without vaccine", h + "VXU^V04|C|P|2.5.1\r" + pid + "RXA|0|1|20240101\r", []string{"RXA-5: administered code is required"}, nil},
		{"VXU without RXA is a patient", h + "VXU^V04|C|P|2.5.1\r" + pid, []string{`"_schema":"patient/1"`}, []string{"immunization/1"}},
		{"DG1 in ADT", h + "ADT^A08|C|P|2.5\r" + pid + "PV1|1|I" + strings.Repeat("|", 17) + "V7\rDG1|1||I10^Hypertension^I10||20230101|W" + strings.Repeat("|", 13) + "20240101100000|D-1\r",
			[]string{`"_schema":"condition/1"`, `"code":"I10"`, `"code_system":"I10"`, `"encounter_id":"V7"`, `"type":"W"`, `"condition_id":"D-1"`,
				`"category":"encounter-diagnosis"`, `"recorded_at":"2024-01-01T10:00:00.000000Z"`, `"onset_at":"2023-01-01T00:00:00.000000Z"`, `"source_ref":"f#1/C/DG11"`}, nil},
		{"DG1 text only (2.3)", h + "DFT^P03|C|P|2.3\r" + pid + "DG1|1|I9||Chest pain\r", []string{`"name":"Chest pain"`, `"code":null`}, nil},
		{"DG1 without code", h + "ADT^A08|C|P|2.5\r" + pid + "DG1|1\r", []string{"DG1-3: a diagnosis code or text is required"}, nil},
		{"DG1 before PID", h + "BAR^P01|C|P|2.5\rDG1|1||X^Y^I10\r" + pid, []string{"PID: no PID segment before DG1 1"}, nil},
		{"PRB", h + "PPR^PC1|C|P|2.3\r" + pid + "PRB|AD|20240101|596.5^Bladder^I9|PR-1|||20240102|||||||active||20231201\r",
			[]string{`"category":"problem-list-item"`, `"condition_id":"PR-1"`, `"status":"active"`, `"onset_at":"2023-12-01T00:00:00.000000Z"`, `"recorded_at":"2024-01-02T00:00:00.000000Z"`}, nil},
		{"AL1", h + "ADT^A08|C|P|2.5\r" + pid + "AL1|1|DA|70618^Penicillin^RXNORM|SV|Hives~Wheezing|20200105\r",
			[]string{`"_schema":"allergy/1"`, `"type":"DA"`, `"severity":"SV"`, `"reaction":"Hives~Wheezing"`, `"identified_at":"2020-01-05"`, `"code_system":"RXNORM"`, `"source_ref":"f#1/C/AL11"`}, nil},
		{"AL1 without allergen", h + "ADT^A08|C|P|2.5\r" + pid + "AL1|1|DA\r", []string{"AL1-3: allergen code or text is required"}, nil},
		{"IAM", h + "ADT^A60|C|P|2.5\r" + pid + "IAM|1|FA|256349002^Peanut^SCT|MO|^Anaphylaxis^SCT|A|AL-9||||20190304\r",
			[]string{`"allergy_id":"AL-9"`, `"reaction":"Anaphylaxis"`, `"identified_at":"2019-03-04"`, `"type":"FA"`}, nil},
		{"padded date", h + "ADT^A08|C|P|2.5\rPID|1||P9||D||19800101 \r", []string{`"birth_date":"1980-01-01"`}, nil},
	}
	for _, tc := range tests {
		m := mustParse(t, tc.msg)
		var mp Mapper
		recs, err := mp.Map(m, "f#1/C")
		var got string
		if err != nil {
			got = Reason(err)
		} else {
			got = string(render(t, recs))
			for _, r := range recs {
				if err := r.Schema.Check(r.Row); err != nil {
					t.Errorf("%s: %v", tc.name, err)
				}
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %s\nlacks %s", tc.name, got, w)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: %s\nhas %s", tc.name, got, w)
			}
		}
	}
}
