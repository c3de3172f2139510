package replication

import (
	"context"
	"crypto/tls"
	"fmt"

	"github.com/healthanchor/healthanchor/anchor"
)

// CompareReport says how a local chain and a peer's relate.
type CompareReport struct {
	Peer         string `json:"peer"`
	LocalHeight  int64  `json:"local_height"`
	PeerHeight   int64  `json:"peer_height"`
	CommonHeight int64  `json:"common_height"` // last height where both hold the same block
	Agree        bool   `json:"agree"`         // every height both hold is the same block
	// FirstDifference is the first height holding different blocks, -1
	// when none does.
	FirstDifference int64  `json:"first_difference"`
	LocalHash       string `json:"local_hash,omitempty"`
	PeerHash        string `json:"peer_hash,omitempty"`
}

// ComparePeer compares chain with the chain of the node whose peer API
// listens at addr, block hash by block hash. tlsConfig authenticates
// both sides (see NewClient and LoadTLS). One chain being ahead of the
// other is agreement; a different block at the same height is not.
func ComparePeer(ctx context.Context, chain *anchor.Chain, addr string, tlsConfig *tls.Config) (CompareReport, error) {
	c := newClient(tlsConfig)
	return c.Compare(ctx, chain, addr)
}

// Compare is ComparePeer with this client.
func (c *Client) Compare(ctx context.Context, chain *anchor.Chain, addr string) (CompareReport, error) {
	peer, err := c.Hashes(ctx, addr)
	if err != nil {
		return CompareReport{}, err
	}
	head, err := chain.Head(ctx)
	if err != nil {
		return CompareReport{}, fmt.Errorf("replication: compare: %w", err)
	}
	local, err := chainHashes(ctx, chain, head.Height)
	if err != nil {
		return CompareReport{}, err
	}
	r := CompareReport{Peer: addr, LocalHeight: head.Height, PeerHeight: int64(len(peer)) - 1, CommonHeight: -1, Agree: true, FirstDifference: -1}
	for i := 0; i < len(peer) && i < len(local); i++ {
		if peer[i].Height != int64(i) {
			return r, fmt.Errorf("replication: compare: peer %s listed height %d at position %d", addr, peer[i].Height, i)
		}
		if peer[i].Hash != local[i].Hash {
			r.Agree, r.FirstDifference, r.LocalHash, r.PeerHash = false, int64(i), local[i].Hash, peer[i].Hash
			break
		}
		r.CommonHeight = int64(i)
	}
	return r, nil
}

// chainHashes lists the hashes of blocks 0 to height.
func chainHashes(ctx context.Context, chain *anchor.Chain, height int64) ([]BlockHash, error) {
	out := make([]BlockHash, 0, height+1)
	for h := int64(0); h <= height; h++ {
		b, err := chain.Block(ctx, h)
		if err != nil {
			return nil, fmt.Errorf("replication: %w", err)
		}
		hash, err := b.Hash()
		if err != nil {
			return nil, fmt.Errorf("replication: %w", err)
		}
		out = append(out, BlockHash{Height: h, Hash: hash})
	}
	return out, nil
}
