package schemas

// Order is order/1: one order (a requested test or procedure) as an order
// message (HL7 ORC/OBR) states it.
var Order = New("order", 1,
	Field{Name: "order_id", Kind: Text, Required: true, Doc: "filler order number, else placer (as observation/1 order_id)"},
	Field{Name: "placer_order_id", Kind: Text, Doc: "the ordering system's number (HL7 ORC-2/OBR-2)"},
	Field{Name: "filler_order_id", Kind: Text, Doc: "the performing system's number (HL7 ORC-3/OBR-3)"},
	Field{Name: "patient_id", Kind: Text, Required: true},
	Field{Name: "encounter_id", Kind: Text},
	Field{Name: "control", Kind: Text, Doc: "order control code, e.g. NW (new), CA (cancel) (HL7 ORC-1)"},
	Field{Name: "status", Kind: Text, Doc: "order status (HL7 ORC-5, table 0038)"},
	Field{Name: "result_status", Kind: Text, Doc: "result status (HL7 OBR-25, table 0123)"},
	Field{Name: "code", Kind: Text, Doc: "the ordered test or procedure (HL7 OBR-4)"},
	Field{Name: "code_system", Kind: Text},
	Field{Name: "name", Kind: Text},
	Field{Name: "ordering_provider", Kind: Text},
	Field{Name: "ordered_at", Kind: Timestamp},
	Field{Name: "priority", Kind: Text, Doc: "e.g. S (stat), A (ASAP), R (routine)"},
)

// Immunization is immunization/1: one vaccine dose given (or recorded as
// not given).
var Immunization = New("immunization", 1,
	Field{Name: "immunization_id", Kind: Text, Doc: "the sender's id of the dose (HL7 ORC-3, else ORC-2)"},
	Field{Name: "patient_id", Kind: Text, Required: true},
	Field{Name: "vaccine_code", Kind: Text, Required: true, Doc: "CVX code when the sender gives one"},
	Field{Name: "vaccine_system", Kind: Text},
	Field{Name: "vaccine_name", Kind: Text},
	Field{Name: "dose", Kind: Decimal, Scale: 3, Doc: "administered amount; null when unknown (999)"},
	Field{Name: "units", Kind: Text},
	Field{Name: "administered_at", Kind: Timestamp, Required: true},
	Field{Name: "lot", Kind: Text},
	Field{Name: "manufacturer", Kind: Text, Doc: "MVX code, else the manufacturer's name"},
	Field{Name: "status", Kind: Text, Doc: "completion status: CP, PA, NA, RE (HL7 RXA-20)"},
	Field{Name: "action", Kind: Text, Doc: "A (add), U (update), D (delete) (HL7 RXA-21)"},
	Field{Name: "route", Kind: Text},
	Field{Name: "site", Kind: Text},
	Field{Name: "funding_source", Kind: Text},
	Field{Name: "funding_eligibility", Kind: Text},
)

// Condition is condition/1: one diagnosis or problem-list entry.
var Condition = New("condition", 1,
	Field{Name: "condition_id", Kind: Text, Doc: "the sender's id of the diagnosis or problem"},
	Field{Name: "patient_id", Kind: Text, Required: true},
	Field{Name: "encounter_id", Kind: Text},
	Field{Name: "category", Kind: Text, Doc: "encounter-diagnosis or problem-list-item"},
	Field{Name: "code", Kind: Text},
	Field{Name: "code_system", Kind: Text, Doc: "e.g. I10 (ICD-10), SCT"},
	Field{Name: "name", Kind: Text},
	Field{Name: "type", Kind: Text, Doc: "diagnosis type: A (admitting), W (working), F (final) (HL7 DG1-6)"},
	Field{Name: "status", Kind: Text, Doc: "problem life cycle status (HL7 PRB-14)"},
	Field{Name: "onset_at", Kind: Timestamp},
	Field{Name: "recorded_at", Kind: Timestamp},
)

// Allergy is allergy/1: one allergy or intolerance.
var Allergy = New("allergy", 1,
	Field{Name: "allergy_id", Kind: Text, Doc: "the sender's id of the allergy (HL7 IAM-7)"},
	Field{Name: "patient_id", Kind: Text, Required: true},
	Field{Name: "code", Kind: Text},
	Field{Name: "code_system", Kind: Text},
	Field{Name: "name", Kind: Text},
	Field{Name: "type", Kind: Text, Doc: "allergen type, e.g. DA (drug), FA (food), EA (environmental) (HL7 table 0127)"},
	Field{Name: "severity", Kind: Text, Doc: "SV (severe), MO (moderate), MI (mild), U (unknown) (HL7 table 0128)"},
	Field{Name: "reaction", Kind: Text},
	Field{Name: "identified_at", Kind: Date},
)
