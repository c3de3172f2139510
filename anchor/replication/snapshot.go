package replication

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/hashicorp/raft"

	"github.com/healthanchor/healthanchor/anchor"
)

// snapshotHeader is the first line of a snapshot: which chain it is and
// how many blocks follow (heights 1 to Height, one JCS block a line).
type snapshotHeader struct {
	Format      string `json:"format"`
	ChainID     string `json:"chain_id"`
	GenesisHash string `json:"genesis_hash"`
	Height      int64  `json:"height"`
}

const snapshotFormat = "healthanchor/snapshot/v1"

type chainSnapshot struct {
	chain  *anchor.Chain
	height int64
}

// Persist writes the snapshot to sink.
func (s *chainSnapshot) Persist(sink raft.SnapshotSink) error {
	if err := s.write(sink); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s *chainSnapshot) write(w io.Writer) error {
	ctx := context.Background()
	gh, err := s.chain.Genesis().Hash()
	if err != nil {
		return fmt.Errorf("replication: snapshot: %w", err)
	}
	bw := bufio.NewWriter(w)
	hdr, _ := json.Marshal(snapshotHeader{Format: snapshotFormat, ChainID: s.chain.ChainID(), GenesisHash: gh, Height: s.height})
	bw.Write(append(hdr, '\n'))
	for h := int64(1); h <= s.height; h++ {
		b, err := s.chain.Block(ctx, h)
		if err != nil {
			return fmt.Errorf("replication: snapshot: %w", err)
		}
		body, err := b.Encode()
		if err != nil {
			return fmt.Errorf("replication: snapshot: %w", err)
		}
		bw.Write(append(body, '\n'))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("replication: snapshot: %w", err)
	}
	return nil
}

// Release is a no-op: the snapshot holds no resources.
func (s *chainSnapshot) Release() {}

// readSnapshot checks the header against chain and calls fn with each
// block in height order.
func readSnapshot(r io.Reader, chain *anchor.Chain, fn func(anchor.Block) error) error {
	br := bufio.NewReader(r)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("snapshot header: %w", err)
	}
	var hdr snapshotHeader
	if err := json.Unmarshal(line, &hdr); err != nil || hdr.Format != snapshotFormat {
		return fmt.Errorf("snapshot header is not %s", snapshotFormat)
	}
	gh, err := chain.Genesis().Hash()
	if err != nil {
		return err
	}
	if hdr.ChainID != chain.ChainID() || hdr.GenesisHash != gh {
		return fmt.Errorf("snapshot is of chain %q (genesis %.16s…), this node holds %q (genesis %.16s…)", hdr.ChainID, hdr.GenesisHash, chain.ChainID(), gh)
	}
	for want := int64(1); want <= hdr.Height; want++ {
		line, err := br.ReadBytes('\n')
		if err != nil {
			return fmt.Errorf("snapshot block %d: %w", want, err)
		}
		var b anchor.Block
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&b); err != nil {
			return fmt.Errorf("snapshot block %d: %w", want, err)
		}
		if b.Height != want {
			return fmt.Errorf("snapshot line %d holds block %d", want, b.Height)
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}
