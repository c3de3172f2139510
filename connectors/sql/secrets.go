package sql

import (
	"sort"
	"strings"
)

// mask is what a secret is replaced by in errors and logs.
const mask = "xxxxx"

// masker replaces every known secret (the password, wherever it came
// from) in text that may reach a log, an error or the chain.
type masker struct{ secrets []string }

// add remembers a secret; empty strings are ignored.
func (m *masker) add(s string) {
	if s == "" {
		return
	}
	m.secrets = append(m.secrets, s)
	// Longest first, so a secret that contains another is masked whole.
	sort.Slice(m.secrets, func(i, j int) bool { return len(m.secrets[i]) > len(m.secrets[j]) })
}

// String returns s with every secret masked.
func (m *masker) String(s string) string {
	if m == nil {
		return s
	}
	for _, sec := range m.secrets {
		s = strings.ReplaceAll(s, sec, mask)
	}
	return s
}

// wrap returns err with every secret masked from its message. The
// original stays reachable through Unwrap, so errors.Is still finds
// context.Canceled and driver sentinels.
func (m *masker) wrap(err error) error {
	if err == nil {
		return nil
	}
	return &maskedError{msg: m.String(err.Error()), err: err}
}

type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }
