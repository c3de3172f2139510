package exchange

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/schemas"
)

// PurposeOfUse codes (HL7 v3 PurposeOfUse) a grant may name.
const (
	PurposeTreat      = "TREAT"   // treatment
	PurposeEmergency  = "ETREAT"  // emergency treatment: break-glass, allowed but flagged
	PurposePublic     = "PUBHLTH" // public health
	PurposeResearch   = "HRESCH"  // health research
	PurposeOperations = "HOPERAT" // healthcare operations
)

// Purposes lists the purpose codes this version knows, in order.
var Purposes = []string{PurposeTreat, PurposeEmergency, PurposePublic, PurposeResearch, PurposeOperations}

// Sharing is the config's `sharing:` section: what this agency lets
// other members fetch. Without a grant nothing is served (default deny).
type Sharing struct {
	Grants []Grant `yaml:"grants"`
}

// Grant lets member To fetch records of Schemas for any of Purposes,
// until the end of the day Until (UTC, YYYY-MM-DD; empty: no end).
type Grant struct {
	To       string   `yaml:"to"`
	Schemas  []string `yaml:"schemas"`
	Purposes []string `yaml:"purposes"`
	Until    string   `yaml:"until"`
}

// Problem is one invalid field of the sharing section: Path is its YAML
// path below `sharing` (grants[0].to), for the config's line numbers.
type Problem struct {
	Path string
	Msg  string
}

// Validate checks every grant: a member recipient (members nil skips
// that check: the chain is not known yet), known schemas and purposes,
// and an Until date. It returns every problem, not only the first.
func (s *Sharing) Validate(members []string) []Problem {
	var out []Problem
	add := func(path, format string, args ...any) {
		out = append(out, Problem{Path: path, Msg: "sharing: " + fmt.Sprintf(format, args...)})
	}
	for i, g := range s.Grants {
		at := fmt.Sprintf("grants[%d]", i)
		switch {
		case g.To == "":
			add(at, "grant %d names no recipient (to: AGENCY_ID)", i+1)
		case members != nil && !slices.Contains(members, g.To):
			add(at+".to", "grant %d: agency %q is not a member of the chain (members: %s)", i+1, g.To, strings.Join(members, ", "))
		}
		if len(g.Schemas) == 0 {
			add(at, "grant %d to %q names no schemas", i+1, g.To)
		}
		for j, id := range g.Schemas {
			if _, err := schemas.Lookup(id); err != nil {
				add(fmt.Sprintf("%s.schemas[%d]", at, j), "grant %d: schema %q is unknown; known: %s", i+1, id, strings.Join(schemas.IDs(), ", "))
			}
		}
		if len(g.Purposes) == 0 {
			add(at, "grant %d to %q names no purposes", i+1, g.To)
		}
		for j, p := range g.Purposes {
			if !slices.Contains(Purposes, p) {
				add(fmt.Sprintf("%s.purposes[%d]", at, j), "grant %d: purpose %q is unknown; known: %s", i+1, p, strings.Join(Purposes, ", "))
			}
		}
		if g.Until != "" {
			if _, err := time.Parse(time.DateOnly, g.Until); err != nil {
				add(at+".until", "grant %d: until %q is not a date (YYYY-MM-DD)", i+1, g.Until)
			}
		}
	}
	return out
}

// Decision is the outcome of a grant check.
type Decision struct {
	Allowed bool
	// Schemas are the schemas the recipient may receive for the purpose.
	Schemas []string
	// BreakGlass is set when the purpose is ETREAT: the answer is
	// logged at warning level and the disclosure entry flags it.
	BreakGlass bool
	// Reason says why a request is refused.
	Reason string
}

// Allow decides whether recipient may fetch for purpose at now, and
// which schemas. Grants are unioned; expired ones are ignored.
func (s *Sharing) Allow(recipient, purpose string, now time.Time) Decision {
	if !slices.Contains(Purposes, purpose) {
		return Decision{Reason: fmt.Sprintf("purpose %q is not a PurposeOfUse code this agency knows (%s)", purpose, strings.Join(Purposes, ", "))}
	}
	var d Decision
	expired := false
	for _, g := range s.grants() {
		if g.To != recipient || !slices.Contains(g.Purposes, purpose) {
			continue
		}
		if g.expired(now) {
			expired = true
			continue
		}
		for _, id := range g.Schemas {
			if !slices.Contains(d.Schemas, id) {
				d.Schemas = append(d.Schemas, id)
			}
		}
	}
	switch {
	case len(d.Schemas) > 0:
		d.Allowed, d.BreakGlass = true, purpose == PurposeEmergency
	case expired:
		d.Reason = fmt.Sprintf("the grant to %s for %s has expired", recipient, purpose)
	default:
		d.Reason = fmt.Sprintf("no grant to %s for purpose %s", recipient, purpose)
	}
	return d
}

func (s *Sharing) grants() []Grant {
	if s == nil {
		return nil
	}
	return s.Grants
}

// expired says whether now is after the end of the Until day (UTC).
func (g Grant) expired(now time.Time) bool {
	if g.Until == "" {
		return false
	}
	d, err := time.Parse(time.DateOnly, g.Until)
	return err != nil || !now.UTC().Before(d.AddDate(0, 0, 1))
}
