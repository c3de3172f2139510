package exchange

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
)

// Receipts checks each disclosure of a verified fetch on this replica
// (waiting up to wait for it to arrive): anchored by the source, naming
// agency as recipient, with the number of records and the records root
// recomputed from what was received. It returns a signed receipt entry
// for each, for the caller to anchor. A disclosure that disagrees is
// ErrVerify.
func Receipts(ctx context.Context, chain *anchor.Chain, got Fetched, agency string, key ed25519.PrivateKey, wait time.Duration, now time.Time) ([]anchor.Entry, error) {
	var out []anchor.Entry
	for _, d := range got.Disclosures {
		a, err := awaitEntry(ctx, chain, d.ID, wait)
		if err != nil {
			return nil, err
		}
		var body Disclosure
		if err := a.Entry.DecodeBody(&body); err != nil {
			return nil, fmt.Errorf("%w: disclosure %.16s…: %v", ErrVerify, d.ID, err)
		}
		switch {
		case a.Entry.Kind != anchor.KindDisclosure || a.Entry.Agency != got.Source:
			return nil, fmt.Errorf("%w: entry %.16s… is not a disclosure by %s", ErrVerify, d.ID, got.Source)
		case body.Recipient != agency:
			return nil, fmt.Errorf("%w: disclosure %.16s… names recipient %q, not %q", ErrVerify, d.ID, body.Recipient, agency)
		case body.Records != d.Records || body.RecordsRoot != d.RecordsRoot:
			return nil, fmt.Errorf("%w: disclosure %.16s… commits to %d records (root %.16s…), but %d were received (root %.16s…)", ErrVerify, d.ID, body.Records, body.RecordsRoot, d.Records, d.RecordsRoot)
		}
		e, err := anchor.NewEntry(chain.ChainID(), anchor.KindReceipt, agency,
			Receipt{Disclosure: d.ID, Discloser: got.Source, Records: d.Records, RecordsRoot: d.RecordsRoot}, key, now)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func awaitEntry(ctx context.Context, chain *anchor.Chain, id string, wait time.Duration) (anchor.AnchoredEntry, error) {
	deadline := time.Now().Add(wait)
	for {
		a, ok, err := chain.LookupEntry(ctx, id)
		if err != nil {
			return a, err
		}
		if ok {
			return a, nil
		}
		if time.Now().After(deadline) {
			return a, fmt.Errorf("%w: disclosure %.16s… is not on this node's chain after %s", ErrVerify, id, wait)
		}
		select {
		case <-ctx.Done():
			return a, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
