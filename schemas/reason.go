package schemas

import (
	"regexp"
	"strings"
)

// quotedValue matches a Go-quoted string in a reject reason: where the
// connectors put the input value at fault ("1981-02-30" is not a date).
var quotedValue = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// RedactReason returns a reject/1 reason without its leading source
// position (sourceRef, kept in its own column) and with the input values
// it quotes replaced by "…", keeping quoted column and header names
// (column "DATE_NAISSANCE"): reasons of one kind then count together, and
// show no patient data. A value a connector writes without quotes is not
// caught: reasons quote the values they name.
func RedactReason(sourceRef, reason string) string {
	if rest, ok := strings.CutPrefix(reason, sourceRef); ok && sourceRef != "" {
		reason = strings.TrimLeft(strings.TrimPrefix(rest, ":"), " ")
	}
	var b strings.Builder
	last := 0
	for _, m := range quotedValue.FindAllStringIndex(reason, -1) {
		before := reason[:m[0]]
		b.WriteString(reason[last:m[0]])
		if strings.HasSuffix(before, "column ") || strings.HasSuffix(before, "header ") {
			b.WriteString(reason[m[0]:m[1]])
		} else {
			b.WriteString(`"…"`)
		}
		last = m[1]
	}
	b.WriteString(reason[last:])
	return b.String()
}
