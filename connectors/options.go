package connectors

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/goccy/go-yaml"
)

// Validator is implemented by connector configs; Validate applies defaults
// and names the first bad field.
type Validator interface {
	Validate() error
}

// Warner is implemented by connector configs that can be valid yet
// probably wrong; after Validate, Warnings says why, one message each.
// config check prints them and run logs them.
type Warner interface {
	Warnings() []string
}

// Decode fills the typed config dst (a pointer to a struct with yaml tags)
// from opts; unknown keys are errors so that a typo cannot silently change
// what a job reads. dst.Validate runs afterwards when dst has one.
func Decode(opts Options, dst any) error {
	// JSON is YAML whose strings are always quoted and escaped, so values
	// made only of white space (a tab delimiter) survive the round trip.
	raw, err := json.Marshal(map[string]any(opts))
	if err != nil {
		return fmt.Errorf("options: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw), yaml.Strict())
	if err := dec.Decode(dst); err != nil && !isEmptyDoc(err) {
		return fmt.Errorf("options: %s", yaml.FormatError(err, false, false))
	}
	if v, ok := dst.(Validator); ok {
		return v.Validate()
	}
	return nil
}

func isEmptyDoc(err error) bool { return err != nil && err.Error() == "EOF" }

// ParseSet turns `key=value` pairs (as given to `preview --set`) into
// options. A dotted key sets a nested option ("map.patient_id=MRN"); a
// value is read as YAML, so numbers and booleans keep their type, and a
// value that starts with [ or { is a flow list or map
// (`date_formats=["01/02/2006"]`); a list or map that is not valid YAML is
// an error rather than a string.
func ParseSet(pairs []string) (Options, error) {
	opts := Options{}
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--set %q: want key=value", p)
		}
		var val any
		err := yaml.Unmarshal([]byte(v), &val)
		flow := strings.HasPrefix(strings.TrimSpace(v), "[") || strings.HasPrefix(strings.TrimSpace(v), "{")
		switch {
		case flow && err != nil:
			return nil, fmt.Errorf("--set %q: the value is not a YAML flow list or map: %s", p, yaml.FormatError(err, false, false))
		case err != nil || val == nil:
			val = v
		case !flow:
			// A plain value such as "a: b" or "- x" stays text: only
			// [ and { open a list or a map.
			switch val.(type) {
			case map[string]any, []any:
				val = v
			}
		}
		cur := map[string]any(opts)
		parts := strings.Split(k, ".")
		for _, part := range parts[:len(parts)-1] {
			next, ok := cur[part].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[part] = next
			}
			cur = next
		}
		cur[parts[len(parts)-1]] = val
	}
	return opts, nil
}
