package audit

import (
	"context"
	"errors"

	"github.com/healthanchor/healthanchor/anchor"
)

// Verifier re-checks the chain and batch files against their anchors;
// *anchor.Chain satisfies it. An *anchor.Mismatch error means the check
// failed; any other error means it could not be made.
type Verifier interface {
	Verify(ctx context.Context) (anchor.ChainReport, error)
	VerifyBatch(ctx context.Context, path string) (anchor.BatchReport, error)
}

// Check is the outcome of one re-verification, as the report and the
// explorer show it.
type Check struct {
	What     string   `json:"what"`     // "chain", or the file's path
	OK       bool     `json:"ok"`       // the check held
	Problems []string `json:"problems"` // what differs, or why it could not be checked
}

// checkChain and checkFile are the only places that call the
// verification functions: adapt them here when those change.
func checkChain(ctx context.Context, v Verifier) Check {
	_, err := v.Verify(ctx)
	return toCheck("chain", err)
}

func checkFile(ctx context.Context, v Verifier, path string) Check {
	_, err := v.VerifyBatch(ctx, path)
	return toCheck(path, err)
}

func toCheck(what string, err error) Check {
	c := Check{What: what, OK: err == nil, Problems: []string{}}
	var m *anchor.Mismatch
	switch {
	case err == nil:
	case errors.As(err, &m):
		c.Problems = append(c.Problems, m.Problems...)
	default:
		c.Problems = append(c.Problems, err.Error())
	}
	return c
}
