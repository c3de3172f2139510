package schemas

// Order is order/1: one order (a requested test or procedure) as an order
// message (HL7 ORC/OBR) states it.
var Order = New("order", 1,
	Field{Name: "order_id", Kind: Text, Required: true, Doc: "filler order number, else placer (as observation/1 order_id)"},
	Field{Name: "placer_order_id", Kind: Text, Doc: "the ordering system's number (HL7 ORC-2/OBR-2)"},
	Field{Name: "filler_order_id", Kind: Text, Doc: "the performing system's number (HL7 ORC-3/OBR-3)"},
	Field{Name: "patient_id", Kind: Text, Required: true, Doc: "the patient the order is for, as patient/1 patient_id"},
	Field{Name: "encounter_id", Kind: Text, Doc: "the visit of the order, as encounter/1 encounter_id"},
	Field{Name: "control", Kind: Text, Doc: "order control code, e.g. NW (new), CA (cancel) (HL7 ORC-1)"},
	Field{Name: "status", Kind: Text, Doc: "order status (HL7 ORC-5, table 0038)"},
	Field{Name: "result_status", Kind: Text, Doc: "result status (HL7 OBR-25, table 0123)"},
	Field{Name: "code", Kind: Text, Doc: "the ordered test or procedure (HL7 OBR-4)"},
	Field{Name: "code_system", Kind: Text, Doc: "the code's system, e.g. LN (LOINC)"},
	Field{Name: "name", Kind: Text, Doc: "the ordered test's name as the source gives it"},
	Field{Name: "ordering_provider", Kind: Text, Doc: "who ordered: an id, else Family, Given"},
	Field{Name: "ordered_at", Kind: Timestamp, Doc: "when the order was placed, UTC"},
	Field{Name: "priority", Kind: Text, Doc: "e.g. S (stat), A (ASAP), R (routine)"},
)

// Immunization is immunization/1: one vaccine dose given (or recorded as
// not given).
var Immunization = New("immunization", 1,
	Field{Name: "immunization_id", Kind: Text, Doc: "the sender's id of the dose (HL7 ORC-3, else ORC-2)"},
	Field{Name: "patient_id", Kind: Text, Required: true, Doc: "the patient vaccinated, as patient/1 patient_id"},
	Field{Name: "vaccine_code", Kind: Text, Required: true, Doc: "CVX code when the sender gives one"},
	Field{Name: "vaccine_system", Kind: Text, Doc: "the vaccine code's system, e.g. CVX"},
	Field{Name: "vaccine_name", Kind: Text, Doc: "the vaccine's name as the source gives it"},
	Field{Name: "dose", Kind: Decimal, Scale: 3, Doc: "administered amount; null when unknown (999)"},
	Field{Name: "units", Kind: Text, Doc: "units of the dose, e.g. mL"},
	Field{Name: "administered_at", Kind: Timestamp, Required: true, Doc: "when the dose was given, UTC"},
	Field{Name: "lot", Kind: Text, Doc: "the vaccine's lot number"},
	Field{Name: "manufacturer", Kind: Text, Doc: "MVX code, else the manufacturer's name"},
	Field{Name: "status", Kind: Text, Doc: "completion status: CP, PA, NA, RE (HL7 RXA-20)"},
	Field{Name: "action", Kind: Text, Doc: "A (add), U (update), D (delete) (HL7 RXA-21)"},
	Field{Name: "route", Kind: Text, Doc: "route of administration, e.g. IM"},
	Field{Name: "site", Kind: Text, Doc: "body site of administration, e.g. LA (left arm)"},
	Field{Name: "funding_source", Kind: Text, Doc: "who paid for the dose (LOINC 30963-3)"},
	Field{Name: "funding_eligibility", Kind: Text, Doc: "the patient's funding eligibility (LOINC 64994-7)"},
)

// Condition is condition/1: one diagnosis or problem-list entry.
var Condition = New("condition", 1,
	Field{Name: "condition_id", Kind: Text, Doc: "the sender's id of the diagnosis or problem"},
	Field{Name: "patient_id", Kind: Text, Required: true, Doc: "the patient, as patient/1 patient_id"},
	Field{Name: "encounter_id", Kind: Text, Doc: "the visit of the diagnosis, as encounter/1 encounter_id"},
	Field{Name: "category", Kind: Text, Doc: "encounter-diagnosis or problem-list-item"},
	Field{Name: "code", Kind: Text, Doc: "the diagnosis or problem code, e.g. ICD-10"},
	Field{Name: "code_system", Kind: Text, Doc: "e.g. I10 (ICD-10), SCT"},
	Field{Name: "name", Kind: Text, Doc: "the diagnosis's name as the source gives it"},
	Field{Name: "type", Kind: Text, Doc: "diagnosis type: A (admitting), W (working), F (final) (HL7 DG1-6)"},
	Field{Name: "status", Kind: Text, Doc: "problem life cycle status (HL7 PRB-14)"},
	Field{Name: "onset_at", Kind: Timestamp, Doc: "onset, UTC"},
	Field{Name: "recorded_at", Kind: Timestamp, Doc: "when the diagnosis was recorded, UTC"},
)

// Allergy is allergy/1: one allergy or intolerance.
var Allergy = New("allergy", 1,
	Field{Name: "allergy_id", Kind: Text, Doc: "the sender's id of the allergy (HL7 IAM-7)"},
	Field{Name: "patient_id", Kind: Text, Required: true, Doc: "the patient, as patient/1 patient_id"},
	Field{Name: "code", Kind: Text, Doc: "the allergen's code"},
	Field{Name: "code_system", Kind: Text, Doc: "the allergen code's system"},
	Field{Name: "name", Kind: Text, Doc: "the allergen's name as the source gives it"},
	Field{Name: "type", Kind: Text, Doc: "allergen type, e.g. DA (drug), FA (food), EA (environmental) (HL7 table 0127)"},
	Field{Name: "severity", Kind: Text, Doc: "SV (severe), MO (moderate), MI (mild), U (unknown) (HL7 table 0128)"},
	Field{Name: "reaction", Kind: Text, Doc: "the reaction, as the source describes it"},
	Field{Name: "identified_at", Kind: Date, Doc: "when the allergy was identified"},
)
