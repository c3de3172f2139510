package exchange

import (
	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/healthanchor/healthanchor/internal/fhirout"
)

// The v2-to-FHIR code maps of the FHIR rendering (docs/exchange.md,
// "FHIR output"): canonical columns keep HL7 v2 codes, FHIR wants its own.
// They are the inverse of connectors/fhirndjson's maps.

// Code systems the rendering writes.
const (
	systemActCode        = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	systemV2Table0004    = "http://terminology.hl7.org/CodeSystem/v2-0004"
	systemV2Table0203    = "http://terminology.hl7.org/CodeSystem/v2-0203"
	systemParticipation  = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
	systemInterpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
)

// genders maps v2 administrative sex (table 0001) to FHIR
// AdministrativeGender; A (ambiguous) is other, N (not applicable) and
// any other code unknown.
var genders = map[string]fhir.AdministrativeGender{
	"M": fhir.AdministrativeGenderMale, "F": fhir.AdministrativeGenderFemale,
	"O": fhir.AdministrativeGenderOther, "A": fhir.AdministrativeGenderOther,
	"U": fhir.AdministrativeGenderUnknown, "N": fhir.AdministrativeGenderUnknown,
}

// encounterClass maps v2 patient class (PV1-2, table 0004) to a v3
// ActCode encounter class, as HL7's PV1-2 map does; a code it does not
// know is kept with the v2 table's system.
func encounterClass(v2 string) fhir.Coding {
	classes := map[string][2]string{
		"I": {"IMP", "inpatient encounter"}, "B": {"IMP", "inpatient encounter"},
		"O": {"AMB", "ambulatory"}, "R": {"AMB", "ambulatory"}, "C": {"AMB", "ambulatory"},
		"E": {"EMER", "emergency"}, "P": {"PRENC", "pre-admission"},
	}
	if c, ok := classes[v2]; ok {
		return fhirout.Coding(systemActCode, c[0], c[1])
	}
	if v2 == "" {
		return fhirout.Coding(systemV2Table0004, "U", "Unknown")
	}
	return fhir.Coding{System: fhirout.Ptr(systemV2Table0004), Code: &v2}
}

// observationStatus maps v2 observation result status (OBX-11, table
// 0085) to FHIR ObservationStatus; empty or unknown codes are unknown.
var observationStatus = map[string]fhir.ObservationStatus{
	"F": fhir.ObservationStatusFinal, "U": fhir.ObservationStatusFinal,
	"P": fhir.ObservationStatusPreliminary, "R": fhir.ObservationStatusPreliminary, "S": fhir.ObservationStatusPreliminary,
	"C": fhir.ObservationStatusCorrected, "X": fhir.ObservationStatusCancelled, "N": fhir.ObservationStatusCancelled,
	"W": fhir.ObservationStatusEnteredInError, "D": fhir.ObservationStatusEnteredInError,
	"I": fhir.ObservationStatusRegistered, "O": fhir.ObservationStatusRegistered,
}

// comparators are the v2 structured-numeric (SN) comparators FHIR's
// Quantity.comparator has.
var comparators = map[string]fhir.QuantityComparator{
	"<=": fhir.QuantityComparatorLessOrEquals, ">=": fhir.QuantityComparatorGreaterOrEquals,
	"<": fhir.QuantityComparatorLessThan, ">": fhir.QuantityComparatorGreaterThan,
}
