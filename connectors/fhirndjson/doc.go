// Package fhirndjson is the fhir-ndjson connector: it reads FHIR R4 Bulk
// Data export files (NDJSON, one resource a line) dropped in a folder, and
// maps Patient, Encounter and Observation resources to patient/1,
// encounter/1 and observation/1, in the FHIR-to-v2 direction of HL7's
// mapping guidance (the inverse of what connectors/hl7 reads). A resource
// that cannot be mapped is a reject naming file:line and the JSON path at
// fault. See docs/fhir.md for every field choice.
package fhirndjson
