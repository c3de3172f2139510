package lifecycle

import (
	"context"
	"fmt"
	"strings"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/exchange"
)

// systemPurposeOfUse is HL7 v3's PurposeOfUse code system, the codes a
// disclosure's purpose is taken from.
const systemPurposeOfUse = "http://terminology.hl7.org/CodeSystem/v3-ActReason"

// entryEvents maps the signed entries anchored in e's period (disclosures,
// erasures and retention removals, in log order) to AuditEvents. Every
// member's entries are exported: the chain is the record of what each
// agency declared.
func (e *FHIRExport) entryEvents(ctx context.Context) ([]any, error) {
	var out []any
	for _, kind := range []string{anchor.KindDisclosure, anchor.KindErasure, anchor.KindRetention} {
		entries, err := e.Chain.Entries(ctx, kind)
		if err != nil {
			return nil, fmt.Errorf("lifecycle: export: %s entries: %w", kind, err)
		}
		for _, a := range entries {
			if !e.inPeriod(a.Time) {
				continue
			}
			ev, err := entryEvent(e.Chain.ChainID(), e.Agency, a)
			if err != nil {
				return nil, fmt.Errorf("lifecycle: export: %s entry %s in block %d: %w", kind, a.ID, a.Height, err)
			}
			out = append(out, ev)
		}
	}
	return out, nil
}

// entryEvent is one anchored entry as a FHIR AuditEvent, recorded at its
// block's time, outcome 0 (an anchored entry is a completed action):
//   - disclosure: DICOM "Export", action R, the recipient as a second
//     agent, the purpose as purposeOfEvent, the batches as entities;
//   - erasure: DICOM "Patient Record", action D, the batches whose rows
//     were erased as entities (no patient is named: the entry names none);
//   - retention: DICOM "Patient Record", action D, the removed batch.
func entryEvent(chainID string, ag Agency, a anchor.AnchoredEntry) (fhir.AuditEvent, error) {
	signer := Agency{ID: a.Entry.Agency}
	if signer.ID == ag.ID {
		signer = ag
	}
	ev := fhir.AuditEvent{
		Id:       ptr(a.Entry.Kind + "-" + a.ID[:24]),
		Recorded: instant(a.Time),
		Outcome:  ptr(fhir.AuditEventOutcome0),
		Agent:    []fhir.AuditEventAgent{applicationAgent(signer, "healthanchor "+a.Entry.Kind)},
		Source:   eventSource(chainID, ag),
	}
	var batches []string
	var desc string
	switch a.Entry.Kind {
	case anchor.KindDisclosure:
		var d exchange.Disclosure
		if err := a.Entry.DecodeBody(&d); err != nil {
			return ev, err
		}
		ev.Type = coding(systemDICOM, "110106", "Export")
		ev.Subtype = []fhir.Coding{coding(SystemEventType, EventDisclose, "Records disclosed to another agency")}
		ev.Action = ptr(fhir.AuditEventActionR)
		ev.PurposeOfEvent = []fhir.CodeableConcept{concept(systemPurposeOfUse, d.Purpose, "")}
		ev.Agent = append(ev.Agent, fhir.AuditEventAgent{
			Type:      ptr(concept(systemDICOM, "110152", "Destination Role ID")),
			Who:       ptr(agencyRef(d.Recipient, ag)),
			Requestor: true,
		})
		ev.Agent[0].Requestor = false
		desc = fmt.Sprintf("%d records disclosed to %s for %s", d.Records, d.Recipient, d.Purpose)
		if d.BreakGlass {
			desc += " (break-glass)"
		}
		batches = d.Batches
	case anchor.KindErasure:
		var b anchor.ErasureBody
		if err := a.Entry.DecodeBody(&b); err != nil {
			return ev, err
		}
		ev.Type = coding(systemDICOM, "110110", "Patient Record")
		ev.Subtype = []fhir.Coding{coding(SystemEventType, EventErase, "A patient's records erased from batch files, leaf hashes kept")}
		ev.Action = ptr(fhir.AuditEventActionD)
		rows := 0
		for _, f := range b.Files {
			rows += len(f.Rows)
			if len(batches) == 0 || batches[len(batches)-1] != f.BatchID {
				batches = append(batches, f.BatchID)
			}
		}
		desc = fmt.Sprintf("%d rows erased, reason %s", rows, b.Reason)
		if b.Request != "" {
			desc += ", request " + b.Request
		}
	case anchor.KindRetention:
		var r RetentionEntry
		if err := a.Entry.DecodeBody(&r); err != nil {
			return ev, err
		}
		ev.Type = coding(systemDICOM, "110110", "Patient Record")
		ev.Subtype = []fhir.Coding{coding(SystemEventType, EventRetention, "A batch's files removed at the end of their retention")}
		ev.Action = ptr(fhir.AuditEventActionD)
		desc = fmt.Sprintf("files %s of job %s removed under retention %s", strings.Join(r.Files, ", "), r.Job, r.Retention)
		batches = []string{r.BatchID}
	default:
		return ev, fmt.Errorf("no AuditEvent for kind %q", a.Entry.Kind)
	}
	ev.OutcomeDesc = &desc
	for _, id := range batches {
		ev.Entity = append(ev.Entity, batchEntity(id))
	}
	return ev, nil
}
