package patientindex

import "strings"

// RawNames says whether a reject's raw input names patient: the id
// appears in it with no ASCII letter or digit on either side (so "P12"
// names patient P12 in "P12,Dupont" and in "P12^^^HOSP^MR", not in
// "P123"). Rejects are not parsed, so this is the rule erase and
// prove --patient share for them (docs/lifecycle.md).
func RawNames(raw []byte, patient string) bool {
	s := string(raw)
	if patient == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(s[i:], patient)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(patient)
		if (start == 0 || !isAlnum(s[start-1])) && (end == len(s) || !isAlnum(s[end])) {
			return true
		}
		i = start + 1
	}
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
