// Package lifecycle owns what happens to anchored records after the
// nightly run: the erasure of one patient's records, an anchored erasure
// entry then batch files rewritten so those rows keep only their leaf
// hash (erase*.go), retention periods and the retention entries that
// record a batch's files removed (retention_*.go), the FHIR R4 export of
// the chain's provenance for auditors outside our tools (Provenance,
// DocumentReference and AuditEvent in the Bulk Data layout, fhir_*.go),
// and RFC 3161 timestamps that fix the chain's state in time with
// independent timestamp authorities, and the entries naming them
// (timestamp_*.go, tsa_*.go). docs/lifecycle.md documents them.
//
// It reads the chain through package anchor and never imports the
// pipeline: the run history and the re-verifications it exports are
// handed to it as plain values by cmd/healthanchor.
package lifecycle
