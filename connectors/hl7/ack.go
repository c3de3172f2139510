package hl7

import (
	"bytes"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// AckCode is an ACK's MSA-1.
type AckCode string

// The acknowledgment codes the MLLP listener sends (original mode).
const (
	// AckAccept (AA): the message is on disk in the spool; the job's next
	// run anchors it.
	AckAccept AckCode = "AA"
	// AckError (AE): the block is not an HL7 message (no MSH, bad
	// encoding characters), or it could not be stored; ERR says why.
	// Nothing was kept.
	AckError AckCode = "AE"
	// AckReject (AR): the message was refused (over max_message_bytes,
	// another receiving application); ERR says why. Nothing was kept.
	AckReject AckCode = "AR"
)

// HL7 table 0357 error codes used in ERR.
const (
	errSegmentSequence = "100^Segment sequence error"
	errRequiredMissing = "101^Required field missing"
	errUnknownKey      = "204^Unknown key identifier"
	errInternal        = "207^Application internal error"
)

// header is what the listener reads from a message's MSH line without
// parsing the message: enough to acknowledge it, route it and find a
// resend. Fields are raw, as escaped on the wire.
type header struct {
	ok     bool // an MSH line with valid encoding characters
	delims Delimiters
	fields [][]byte // fields[n] is MSH-n for n >= 3; nil past the end
}

// readHeader reads the MSH line at the start of raw.
func readHeader(raw []byte) header {
	h := header{delims: DefaultDelimiters}
	raw = bytes.TrimPrefix(raw, bom)
	if len(raw) < 8 || string(raw[:3]) != "MSH" {
		return h
	}
	line := raw
	if i := bytes.IndexAny(raw, "\r\n"); i >= 0 {
		line = raw[:i]
	}
	fs := line[3]
	parts := bytes.Split(line[4:], []byte{fs})
	d, err := parseDelimiters(fs, parts[0])
	if err != nil {
		return h
	}
	h.ok, h.delims = true, d
	h.fields = make([][]byte, len(parts)+2)
	for i, p := range parts[1:] {
		h.fields[i+3] = p
	}
	return h
}

// field returns MSH-n raw, or nil.
func (h header) field(n int) []byte {
	if n < len(h.fields) {
		return h.fields[n]
	}
	return nil
}

// comp returns component c (from 1) of MSH-n raw.
func (h header) comp(n, c int) []byte {
	parts := bytes.Split(h.field(n), []byte{h.delims.Component})
	if c-1 < len(parts) {
		return parts[c-1]
	}
	return nil
}

// version is MSH-12.1, or 2.5.1 when the message has none.
func (h header) version() string {
	if v := h.comp(12, 1); len(v) > 0 {
		return string(v)
	}
	return "2.5.1"
}

// ackSeq numbers the ACKs' own control ids (MSH-10), unique per process.
var ackSeq atomic.Int64

func init() { ackSeq.Store(time.Now().UnixNano()) }

// buildAck returns the ACK for a message with header h: MSA-1 code,
// MSA-2 the message's MSH-10, in the message's encoding characters and
// version. reason, for AE and AR, goes to ERR (and MSA-3 before v2.5);
// errCode is an HL7 table 0357 "code^text" (^ stands for the
// component separator).
func buildAck(h header, code AckCode, errCode, reason string, now time.Time) []byte {
	d := h.delims
	fs := string(d.Field)
	var b bytes.Buffer
	b.WriteString("MSH")
	b.WriteString(d.String())
	for _, n := range []int{5, 6, 3, 4} { // the message's receiver sends the ACK
		b.WriteString(fs)
		b.Write(h.field(n))
	}
	b.WriteString(fs + now.Format("20060102150405.000-0700") + fs + fs)
	cs := string(d.Component)
	b.WriteString("ACK")
	if trig := h.comp(9, 2); len(trig) > 0 {
		b.WriteString(cs)
		b.Write(trig)
		if versionAtLeast(h.version(), 2, 3, 1) {
			b.WriteString(cs + "ACK")
		}
	}
	b.WriteString(fs + "A" + strconv.FormatInt(ackSeq.Add(1), 36) + fs)
	if p := h.field(11); len(p) > 0 {
		b.Write(p)
	} else {
		b.WriteString("P")
	}
	b.WriteString(fs)
	if v := h.field(12); len(v) > 0 {
		b.Write(v)
	} else {
		b.WriteString(h.version())
	}
	b.WriteString("\rMSA" + fs + string(code) + fs)
	b.Write(h.field(10))
	modern := versionAtLeast(h.version(), 2, 5, 0)
	if code != AckAccept && !modern {
		b.WriteString(fs + escapeText(reason, d))
	}
	b.WriteString("\r")
	if code != AckAccept {
		ss := string(d.Subcomponent)
		if modern {
			b.WriteString("ERR" + fs + fs + fs + strings.ReplaceAll(errCode, "^", cs) + cs + "HL70357" + fs + "E" + fs + fs + fs + fs + escapeText(reason, d) + "\r")
		} else {
			b.WriteString("ERR" + fs + cs + cs + cs + strings.ReplaceAll(errCode, "^", ss) + ss + "HL70357\r")
		}
	}
	return b.Bytes()
}

// escapeText escapes s as an HL7 text value with the delimiters d; line
// breaks become spaces.
func escapeText(s string, d Delimiters) string {
	e := string(d.Escape)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case d.Escape:
			b.WriteString(e + "E" + e)
		case d.Field:
			b.WriteString(e + "F" + e)
		case d.Component:
			b.WriteString(e + "S" + e)
		case d.Repetition:
			b.WriteString(e + "R" + e)
		case d.Subcomponent:
			b.WriteString(e + "T" + e)
		case '\r', '\n', mllpStart, mllpEnd:
			b.WriteByte(' ')
		default:
			if d.Truncation != 0 && c == d.Truncation {
				b.WriteString(e + "P" + e)
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// versionAtLeast compares a version id such as "2.3.1" to a.b.c.
func versionAtLeast(v string, a, b, c int) bool {
	var n [3]int
	for i, p := range strings.SplitN(v, ".", 3) {
		x, err := strconv.Atoi(p)
		if err != nil {
			break
		}
		n[i] = x
	}
	want := [3]int{a, b, c}
	for i := range n {
		if n[i] != want[i] {
			return n[i] > want[i]
		}
	}
	return true
}
