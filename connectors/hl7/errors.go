package hl7

import (
	"errors"
	"fmt"
)

// InputError is bad input: a message (or a part of a file) that cannot be
// parsed or mapped. Its Reason names the field or the line at fault, e.g.
// `PID-7: "19991332" is not a date`; the connector turns it into a
// reject and goes on with the next message.
type InputError struct {
	Reason string
}

// Error returns the reason prefixed with the package name.
func (e *InputError) Error() string { return "hl7: " + e.Reason }

func inputErrorf(format string, args ...any) *InputError {
	return &InputError{Reason: fmt.Sprintf(format, args...)}
}

// Reason returns the reason of an InputError in err's chain, or err's
// own text.
func Reason(err error) string {
	var ie *InputError
	if errors.As(err, &ie) {
		return ie.Reason
	}
	return err.Error()
}
