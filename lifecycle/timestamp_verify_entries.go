package lifecycle

import (
	"context"
	"fmt"
)

// checkEntries checks every token the agency's timestamp entries name
// against the stored tokens: the state DB must hold a token of that TSA
// for that log size, with the digest and imprint the entry names. It
// notes on each stored token the block of the entry naming it, and
// returns what does not hold.
func checkEntries(ctx context.Context, a *EntryAnchor, stored []StoredToken, rep *TimestampReport) ([]string, error) {
	named, err := namedTokens(ctx, a)
	if err != nil {
		return nil, err
	}
	type key struct {
		tsa  string
		size int64
	}
	held := map[key]StoredToken{}
	for _, t := range stored {
		held[key{t.TSA, t.CheckpointSize}] = t
	}
	var problems []string
	for _, n := range named {
		where := fmt.Sprintf("the timestamp entry in block %d names a token of %s for log size %d", n.Height, n.TSA, n.CheckpointSize)
		t, ok := held[key{n.TSA, n.CheckpointSize}]
		switch {
		case !ok:
			problems = append(problems, where+" that the state DB does not hold")
		case tokenDigest(t.Token) != n.TokenSHA256:
			problems = append(problems, fmt.Sprintf("%s with sha256 %.16s…, but the stored token's is %.16s…", where, n.TokenSHA256, tokenDigest(t.Token)))
		case t.Imprint != n.Imprint:
			problems = append(problems, fmt.Sprintf("%s with imprint %.16s…, but the stored token's is %.16s…", where, n.Imprint, t.Imprint))
		}
	}
	digests := byDigest(named)
	for i, c := range rep.Tokens {
		if t, ok := held[key{c.TSA, c.CheckpointSize}]; ok {
			if n, ok := digests[tokenDigest(t.Token)]; ok {
				rep.Tokens[i].EntryHeight = n.Height
			}
		}
	}
	return problems, nil
}
