package audit

import (
	"regexp"
	"strings"
)

// quoted matches a double-quoted value in a reject reason, where the
// connectors put the offending input ("1981-02-30" is not a date).
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// Redacted is a reason with the input values it quotes replaced by "…",
// keeping quoted column names (column "DATE_NAISSANCE"), and without the
// leading source position (kept in source_ref), so that reasons of the
// same kind count together and show no patient data.
func Redacted(reason, sourceRef string) string {
	if sourceRef != "" {
		if rest, ok := strings.CutPrefix(reason, sourceRef+": "); ok {
			reason = rest
		} else if rest, ok := strings.CutPrefix(reason, sourceRef+" "); ok {
			reason = rest
		}
	}
	var b strings.Builder
	last := 0
	for _, m := range quoted.FindAllStringIndex(reason, -1) {
		b.WriteString(reason[last:m[0]])
		if strings.HasSuffix(reason[:m[0]], "column ") {
			b.WriteString(reason[m[0]:m[1]])
		} else {
			b.WriteString(`"…"`)
		}
		last = m[1]
	}
	b.WriteString(reason[last:])
	return b.String()
}
