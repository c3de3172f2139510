package lifecycle

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// Run statuses the state DB records that the mapping tells apart (the
// others, ok and nothing-new, are successes).
const (
	runFailed  = "failed"
	runRunning = "running"
)

// runEvent is an anchoring run as a FHIR AuditEvent: DICOM "Import"
// (the job imported source records and anchored them), action create,
// outcome 0 when the run succeeded or found nothing new, 8 (serious
// failure) when it failed. Its entities are the job and every batch the
// run anchored. ok is false for a run still running (no outcome yet).
func runEvent(chainID string, ag Agency, r Run) (ev fhir.AuditEvent, ok bool) {
	if r.EndedAt == "" || r.Status == runRunning {
		return ev, false
	}
	outcome := fhir.AuditEventOutcome0
	desc := fmt.Sprintf("job %s: %s; read %d, written %d, rejected %d", r.Job, r.Status, r.RowsRead, r.RowsWritten, r.RowsRejected)
	if r.Status == runFailed {
		outcome = fhir.AuditEventOutcome8
		desc += ": " + r.Error
	}
	entities := []fhir.AuditEventEntity{{
		What: ptr(ref("", SystemJob, r.Job, "")),
		Type: ptr(coding(systemEntityType, "2", "System Object")),
		Role: ptr(coding(systemObjectRole, "20", "Job")),
		Name: ptr(r.Job),
	}}
	for _, id := range r.BatchIDs {
		entities = append(entities, batchEntity(id))
	}
	return fhir.AuditEvent{
		Id:          ptr(fmt.Sprintf("run-%d", r.ID)),
		Type:        coding(systemDICOM, "110107", "Import"),
		Subtype:     []fhir.Coding{coding(SystemEventType, EventAnchor, "Records extracted and their batches anchored on the chain")},
		Action:      ptr(fhir.AuditEventActionC),
		Period:      &fhir.Period{Start: ptr(instant(r.StartedAt)), End: ptr(instant(r.EndedAt))},
		Recorded:    instant(r.EndedAt),
		Outcome:     &outcome,
		OutcomeDesc: &desc,
		Agent:       []fhir.AuditEventAgent{applicationAgent(ag, "job "+r.Job)},
		Source:      eventSource(chainID, ag),
		Entity:      entities,
	}, true
}

// verifyEvent is a re-verification as a FHIR AuditEvent: DICOM
// "Application Activity" with subtype verify-chain or verify-batch,
// action execute, outcome 0 when the check held, 8 when it failed (the
// problems are the outcome's description).
func verifyEvent(chainID string, ag Agency, v Verification) fhir.AuditEvent {
	at := v.At.UTC().Format(time.RFC3339Nano)
	outcome, desc := fhir.AuditEventOutcome0, "verified"
	if !v.OK {
		outcome, desc = fhir.AuditEventOutcome8, strings.Join(v.Problems, "; ")
	}
	sub := coding(SystemEventType, EventVerifyChain, "The chain re-verified from genesis to head")
	entity := fhir.AuditEventEntity{
		What: ptr(ref("", SystemChain, chainID, "")),
		Type: ptr(coding(systemEntityType, "2", "System Object")),
		Role: ptr(coding(systemObjectRole, "17", "Data Repository")),
	}
	if v.BatchID != "" {
		sub = coding(SystemEventType, EventVerifyBatch, "A batch file re-verified against its anchored manifest")
		entity = batchEntity(v.BatchID)
		entity.Name = ptr(v.File)
	}
	id := sha256.Sum256([]byte(at + "\n" + v.BatchID + "\n" + v.File))
	return fhir.AuditEvent{
		Id:          ptr(fmt.Sprintf("verify-%x", id[:12])),
		Type:        coding(systemDICOM, "110100", "Application Activity"),
		Subtype:     []fhir.Coding{sub},
		Action:      ptr(fhir.AuditEventActionE),
		Recorded:    at,
		Outcome:     &outcome,
		OutcomeDesc: &desc,
		Agent:       []fhir.AuditEventAgent{applicationAgent(ag, "healthanchor verification")},
		Source:      eventSource(chainID, ag),
		Entity:      []fhir.AuditEventEntity{entity},
	}
}

// batchEntity is a batch file, the DocumentReference of the export.
func batchEntity(batchID string) fhir.AuditEventEntity {
	return fhir.AuditEventEntity{
		What: ptr(literal("DocumentReference", batchID)),
		Type: ptr(coding(systemEntityType, "2", "System Object")),
		Role: ptr(coding(systemObjectRole, "4", "Domain Resource")),
	}
}

// applicationAgent is the agency's healthanchor node, which started the
// event on its own (a schedule, an operator's command).
func applicationAgent(ag Agency, name string) fhir.AuditEventAgent {
	return fhir.AuditEventAgent{
		Type:      ptr(concept(systemDICOM, "110150", "Application")),
		Who:       ptr(agencyRef(ag.ID, ag)),
		Name:      ptr(name),
		Requestor: true,
	}
}

// eventSource is the node that observed and recorded the event.
func eventSource(chainID string, ag Agency) fhir.AuditEventSource {
	return fhir.AuditEventSource{
		Site:     ptr("chain " + chainID),
		Observer: agencyRef(ag.ID, ag),
		Type:     []fhir.Coding{coding(systemSourceType, "4", "Application Server")},
	}
}

// instant gives an RFC 3339 time as a FHIR instant (UTC); a time that
// does not parse is left as it is, for the validator to report.
func instant(ts string) string {
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ts
	}
	return t.UTC().Format(time.RFC3339Nano)
}
