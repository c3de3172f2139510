package hl7

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// MLLP framing bytes (HL7 v2 Minimal Lower Layer Protocol): a block is
// 0x0B, the message, 0x1C 0x0D.
const (
	mllpCR = 0x0D
)

// errMLLPJunk means bytes arrived outside a block; the reader skipped them.
var errMLLPJunk = errors.New("hl7: mllp: bytes outside a block")

// mllpReader reads MLLP blocks from a connection with bounded memory: a
// block over max bytes is read to its end but only counted.
type mllpReader struct {
	br  *bufio.Reader
	max int
	buf []byte
}

func newMLLPReader(r io.Reader, max int) *mllpReader {
	return &mllpReader{br: bufio.NewReaderSize(r, 32<<10), max: max}
}

// block is one MLLP block read.
type block struct {
	// Msg is the content between 0x0B and 0x1C, or its first bytes
	// (mllpHead) when it exceeded the limit; valid until the next call.
	Msg []byte
	// Size is the content's length in bytes, also when it exceeded max.
	Size int
	// Over is set when the content exceeded the limit.
	Over bool
	// Skipped counts bytes before the block's start byte (noise a
	// sender should not send).
	Skipped int
}

// mllpHead is how much of a block over the limit is kept: enough for its
// MSH segment, to acknowledge it.
const mllpHead = 4 << 10

// next reads the next block. It returns io.EOF when the peer closed the
// connection between blocks, io.ErrUnexpectedEOF inside one, and the
// connection's error (a read timeout) otherwise. It returns as soon as
// 0x1C arrives, without waiting for the 0x0D after it, which the next
// call skips (a missing one is tolerated).
func (r *mllpReader) next() (block, error) {
	var b block
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && b.Skipped > 0 {
				return b, fmt.Errorf("%w (%d bytes, then the connection closed)", errMLLPJunk, b.Skipped)
			}
			return b, err
		}
		if c == mllpStart {
			break
		}
		if c != mllpCR && c != '\n' { // the CR that ends a block, or a line feed after it
			b.Skipped++
		}
	}
	r.buf = r.buf[:0]
	for {
		chunk, err := r.br.ReadSlice(mllpEnd)
		n := len(chunk)
		if err == nil {
			n-- // the end byte
		}
		b.Size += n
		if !b.Over {
			r.buf = append(r.buf, chunk[:n]...)
			if b.Size > r.max {
				b.Over, r.buf = true, r.buf[:min(len(r.buf), mllpHead)]
			}
		}
		if err == nil {
			break
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return b, err
	}
	b.Msg = r.buf
	return b, nil
}
