// Package hl7 is the HL7 v2 connector: a parser for ER7 (pipe-encoded)
// messages of versions 2.1 to 2.8, the framing of the files they arrive
// in (one or many messages, FHS/BHS batches, MLLP captures), the mapping
// of messages to the canonical schemas (patient/1 from every PID,
// encounter/1, observation/1, order/1, immunization/1, condition/1 and
// allergy/1), a field inspector for data engineers, and the MLLP
// listener that serve runs for a job with listen: each message is
// written to the job's spool and fsynced before its ACK, and the job's
// runs anchor the spool exactly once.
//
// The parser keeps a message as offsets over its bytes and decodes a
// value (escape sequences, then the message's character set) only when
// it is asked for, so that parsing a feed costs little more than reading
// it. Every value has one of three states, kept distinct: present, an
// explicit null ("" on the wire, meaning "delete this value"), and not
// present.
//
// Anything that cannot become a row becomes a reject whose reason names
// the field at fault (`PID-7: "19991332" is not a date`); the connector
// never drops a message silently. docs/hl7.md describes every rule.
package hl7
