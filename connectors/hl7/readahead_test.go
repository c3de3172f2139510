package hl7

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/connectortest"
	"github.com/healthanchor/healthanchor/connectors/hl7/hl7gen"
)

// readAheadFeed writes a generated feed of many chunks (with bad
// messages) into a fresh folder and returns the folder and the bytes.
func readAheadFeed(t *testing.T) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	if err := hl7gen.Generate(&b, 10*chunkMessages+17, 3, 0.03); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "feed.hl7"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, b.Bytes()
}

// describe prints a record with its values, not its pointers.
func describe(r connectors.Record) string {
	if r.Reject != nil {
		return fmt.Sprintf("%s reject %s %q %q", r.SourceRef, r.Reject.Target, r.Reject.Reason, r.Reject.Raw)
	}
	return fmt.Sprintf("%s %s %v", r.SourceRef, r.Schema.ID(), r.Row)
}

// TestReadAheadKeepsFileOrder reads a feed of many chunks through the
// connector and checks it against framing, parsing and mapping the same
// bytes in one goroutine: the same records, rows and rejects, in the same
// order, none overwritten by a later message.
func TestReadAheadKeepsFileOrder(t *testing.T) {
	dir, feed := readAheadFeed(t)
	res, err := connectortest.ReadAll(t, openIn(t, dir, connectors.Options{"input": "*.hl7"}, nil), nil)
	if err != nil {
		t.Fatal(err)
	}

	var want []string
	c := openIn(t, dir, connectors.Options{"input": "*.hl7"}, nil).(*Connector)
	s := newStream(bytes.NewReader(feed), "feed.hl7", c.cfg.MaxMessageBytes, c.cfg.fallback)
	for {
		it, err := s.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case it.reject != nil:
			want = append(want, describe(connectors.Record{SourceRef: it.ref, Reject: it.reject}))
		case it.msg != nil:
			recs, err := c.mapper.Map(it.msg, it.ref)
			if err != nil {
				want = append(want, describe(connectors.Record{SourceRef: it.ref, Reject: &connectors.Reject{
					Target: target(it.msg), Reason: Reason(err), Raw: it.frame.Raw}}))
			}
			for _, r := range recs {
				want = append(want, describe(r))
			}
		}
	}
	if len(res.Records) != len(want) {
		t.Fatalf("read %d records, want %d", len(res.Records), len(want))
	}
	rejects := 0
	for i, r := range res.Records {
		if r.Reject != nil {
			rejects++
		}
		if got := describe(r); got != want[i] {
			t.Fatalf("record %d:\n got %s\nwant %s", i, got, want[i])
		}
	}
	if rejects == 0 || len(want) < 10*chunkMessages {
		t.Fatalf("%d records with %d rejects: the feed does not exercise chunks and rejects", len(want), rejects)
	}
}

// TestReadAheadStops checks that an emit error, or the end of the
// context, a few chunks into a file ends the read with that error, and
// that nothing is emitted after the failing call.
func TestReadAheadStops(t *testing.T) {
	dir, _ := readAheadFeed(t)
	const at = 3*chunkMessages + 5
	for _, cancelled := range []bool{false, true} {
		t.Run(fmt.Sprintf("cancelled=%v", cancelled), func(t *testing.T) {
			c := openIn(t, dir, connectors.Options{"input": "*.hl7"}, nil)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			to, err := c.Plan(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			stop := errors.New("stop here")
			n, after := 0, 0
			err = c.Read(ctx, nil, to, func(connectors.Record) error {
				n++
				switch {
				case n > at:
					after++
				case n == at && cancelled:
					cancel()
				case n == at:
					return stop
				}
				return nil
			})
			want := stop
			if cancelled {
				want = context.Canceled
			}
			if !errors.Is(err, want) {
				t.Fatalf("Read returned %v, want %v", err, want)
			}
			if !cancelled && after > 0 {
				t.Errorf("%d records emitted after the emit error", after)
			}
			if cancelled && after > chunkMessages*10 {
				t.Errorf("%d records emitted after the context's end, more than a chunk", after)
			}
		})
	}
}

// panicReader panics on its first read.
type panicReader struct{}

func (panicReader) Read([]byte) (int, error) { panic("reader broke") }

// TestReadAheadPanicReachesCaller checks that a panic while framing,
// parsing or mapping is raised again on the goroutine that called the
// read, where serve recovers a run's panic, instead of ending the
// process.
func TestReadAheadPanicReachesCaller(t *testing.T) {
	dir, _ := readAheadFeed(t)
	c := openIn(t, dir, connectors.Options{"input": "*.hl7"}, nil).(*Connector)
	defer func() {
		if p := recover(); p != "reader broke" {
			t.Fatalf("recovered %v, want the reader's panic", p)
		}
	}()
	err := c.readStream(context.Background(), panicReader{}, "broken.hl7", func(connectors.Record) error { return nil })
	t.Fatalf("readStream returned %v instead of panicking", err)
}
