package pipeline

import "errors"

// ErrConfig marks a node that cannot open because of its configuration:
// a key file or genesis file that cannot be read, an agency that is not a
// member of the chain with the key configured, an output folder that
// cannot be made. The caller should fix the config (the CLI exits 2).
// A chain or state store that is damaged, or holds another chain, is not
// ErrConfig: it is a failed check.
var ErrConfig = errors.New("pipeline: configuration error")

// configError wraps an error caused by the configuration (ErrConfig).
type configError struct{ err error }

func (e configError) Error() string        { return e.err.Error() }
func (e configError) Unwrap() error        { return e.err }
func (e configError) Is(target error) bool { return target == ErrConfig }

// asConfig marks err as caused by the configuration.
func asConfig(err error) error {
	if err == nil {
		return nil
	}
	return configError{err}
}
