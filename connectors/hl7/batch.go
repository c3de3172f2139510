package hl7

import (
	"fmt"
	"strconv"

	"github.com/healthanchor/healthanchor/connectors"
)

// batch accounts for an FHS, BHS, BTS or FTS line. A trailer whose count
// (BTS-1 messages, FTS-1 batches) differs from what the file holds is
// streamed as a reject, so that the mismatch shows in the run's rejects;
// every message was parsed regardless. A missing trailer is a warning.
func (s *stream) batch(fr Frame) (item, bool) {
	it := item{frame: fr}
	switch fr.Segment {
	case "FHS":
		if s.fhsLine > 0 {
			it.warnings = append(it.warnings, warning{fmt.Sprintf("FHS at line %d: the file header at line %d has no FTS", fr.Line, s.fhsLine), fr.Line})
		}
		s.fhsLine, s.batches, s.inBatch, s.sinceFHS = fr.Line, 0, 0, 0
	case "BHS":
		if s.bhsLine > 0 {
			it.warnings = append(it.warnings, warning{fmt.Sprintf("BHS at line %d: the batch header at line %d has no BTS", fr.Line, s.bhsLine), fr.Line})
		}
		s.bhsLine, s.inBatch = fr.Line, 0
		s.batches++
	case "BTS":
		got := s.inBatch
		if s.bhsLine == 0 {
			s.batches++ // a trailer without header still closes a batch
		}
		s.bhsLine, s.inBatch = 0, 0
		if want, ok := count(fr.Raw, 1); ok && want >= 0 && want != got {
			return s.mismatch(it, fmt.Sprintf("BTS-1: the batch declares %d messages but holds %d (all %d were read)", want, got, got)), true
		} else if !ok {
			it.warnings = append(it.warnings, warning{fmt.Sprintf("BTS-1 at line %d: %q is not a message count", fr.Line, field(fr.Raw, 1)), fr.Line})
		}
	case "FTS":
		got := s.batches
		if got == 0 && s.sinceFHS > 0 {
			got = 1 // messages right under FHS form one batch without header
		}
		if s.bhsLine > 0 {
			it.warnings = append(it.warnings, warning{fmt.Sprintf("BHS at line %d has no BTS", s.bhsLine), s.bhsLine})
			s.bhsLine = 0
		}
		s.fhsLine, s.batches = 0, 0
		if want, ok := count(fr.Raw, 1); ok && want >= 0 && want != got {
			return s.mismatch(it, fmt.Sprintf("FTS-1: the file declares %d batches but holds %d (every message was read)", want, got)), true
		} else if !ok {
			it.warnings = append(it.warnings, warning{fmt.Sprintf("FTS-1 at line %d: %q is not a batch count", fr.Line, field(fr.Raw, 1)), fr.Line})
		}
	}
	return it, len(it.warnings) > 0
}

func (s *stream) mismatch(it item, reason string) item {
	it.ref = s.key + ":" + strconv.Itoa(it.frame.Line)
	it.reject = &connectors.Reject{Reason: fmt.Sprintf("line %d: %s", it.frame.Line, reason), Raw: clone(it.frame.Raw)}
	it.warnings = append(it.warnings, warning{reason, it.frame.Line})
	return it
}

// finish reports the trailers missing at the end of the file.
func (s *stream) finish() (item, bool) {
	if s.done {
		return item{}, false
	}
	s.done = true
	var it item
	if s.bhsLine > 0 {
		it.warnings = append(it.warnings, warning{fmt.Sprintf("BHS at line %d has no BTS", s.bhsLine), s.bhsLine})
	}
	if s.fhsLine > 0 {
		it.warnings = append(it.warnings, warning{fmt.Sprintf("FHS at line %d has no FTS", s.fhsLine), s.fhsLine})
	}
	return it, len(it.warnings) > 0
}

// field returns field n of a batch segment line, split on its own
// field separator (the byte after the segment id).
func field(line []byte, n int) string {
	if len(line) < 4 {
		return ""
	}
	fs, f, start := line[3], 0, 3
	for i := 3; i <= len(line); i++ {
		if i < len(line) && line[i] != fs {
			continue
		}
		if f == n {
			return string(line[start+1 : i])
		}
		f++
		start = i
	}
	return ""
}

// count reads a count field; an empty field is no count to check.
func count(line []byte, n int) (int, bool) {
	s := field(line, n)
	if s == "" {
		return -1, true
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '^' {
			s = s[:i]
			break
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return 0, false
	}
	return v, true
}
