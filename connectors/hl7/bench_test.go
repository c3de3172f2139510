package hl7

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors/hl7/hl7gen"
	"github.com/healthanchor/healthanchor/internal/arrowmem"
	"github.com/healthanchor/healthanchor/internal/cputime"
	"github.com/healthanchor/healthanchor/schemas"
)

// benchMessages gives a generated file of about 100 MB.
const benchMessages = 140_000

// Record batches of the parse + map + Arrow benchmarks: rows per batch,
// and the bytes of free buffers their pool keeps.
const (
	benchBatchRows = 8192
	benchPoolBytes = 64 << 20
)

// generator writes a feed of messages messages (hl7gen.Generate: ADT and
// ORU; hl7gen.GenerateOrders: ORM and VXU).
type generator func(w io.Writer, messages int, seed int64, badFraction float64) error

// benchFile generates the ADT/ORU benchmark feed into a temporary folder.
func benchFile(b *testing.B) (string, int64) { return benchFileOf(b, hl7gen.Generate) }

// benchFileOf generates a benchmark feed with gen into a temporary folder.
func benchFileOf(b *testing.B, gen generator) (string, int64) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "feed.hl7")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := gen(f, benchMessages, 1, 0.01); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return path, st.Size()
}

func reportMsgs(b *testing.B, msgs int) {
	b.ReportMetric(float64(msgs)*float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// reportCPU reports the throughput per second of CPU time the process
// used since cpu0 (garbage collection included): on a machine shared
// with other work, where the elapsed time includes waiting for a core,
// it is the steadier figure of what one core does.
func reportCPU(b *testing.B, size int64, cpu0 time.Duration) {
	if cpu1, ok := cputime.Process(); ok && cpu1 > cpu0 {
		b.ReportMetric(float64(size)*float64(b.N)/1e6/(cpu1-cpu0).Seconds(), "MB/cpu-s")
	}
}

// BenchmarkReadRaw is the floor: reading the file, nothing else.
func BenchmarkReadRaw(b *testing.B) {
	path, size := benchFile(b)
	b.SetBytes(size)
	buf := make([]byte, 256<<10)
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{f}, buf); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkFrameParse frames and parses every message.
func BenchmarkFrameParse(b *testing.B) {
	path, size := benchFile(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	msgs := 0
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		fr := NewFramer(f, 0)
		var p Parser
		var m Message
		msgs = 0
		for {
			u, err := fr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if err := p.ParseInto(&m, u.Raw); err != nil {
				b.Fatal(err)
			}
			msgs++
		}
		f.Close()
	}
	if msgs != benchMessages {
		b.Fatalf("parsed %d messages, want %d", msgs, benchMessages)
	}
	reportMsgs(b, msgs)
}

// BenchmarkParseMap frames, parses and maps every message of the ADT/ORU
// feed, and appends the rows to Arrow record batches of 8192 rows, built
// as the batch writer builds them (buffers reserved for a whole batch,
// recycled through an arrowmem pool).
func BenchmarkParseMap(b *testing.B) { benchParseMap(b, hl7gen.Generate) }

// BenchmarkParseMapOrders is BenchmarkParseMap over a feed of ORM^O01
// orders (with diagnoses and allergies) and VXU^V04 vaccinations.
func BenchmarkParseMapOrders(b *testing.B) { benchParseMap(b, hl7gen.GenerateOrders) }

func benchParseMap(b *testing.B, gen generator) {
	path, size := benchFileOf(b, gen)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, _ := cputime.Process()
	msgs, rows, rejects := 0, 0, 0
	for range b.N {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		builders := map[*schemas.Schema]*schemas.Builder{}
		pool := arrowmem.NewPool(benchPoolBytes)
		s := newStream(bufio.NewReaderSize(f, 64<<10), "feed.hl7", DefaultMaxFrame, nil)
		mp := Mapper{}
		msgs, rows, rejects = 0, 0, 0
		for {
			it, err := s.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if it.msg == nil {
				rejects++
				continue
			}
			msgs++
			recs, err := mp.Map(it.msg, it.ref)
			if err != nil {
				rejects++
				continue
			}
			for _, r := range recs {
				bl := builders[r.Schema]
				if bl == nil {
					bl = schemas.NewBuilder(r.Schema, pool)
					bl.Reserve(benchBatchRows)
					builders[r.Schema] = bl
				}
				if err := bl.Append(r.Row); err != nil {
					b.Fatal(err)
				}
				rows++
				if bl.Len() == benchBatchRows {
					bl.NewRecord().Release()
				}
			}
		}
		for _, bl := range builders {
			bl.NewRecord().Release()
			bl.Release()
		}
		f.Close()
	}
	if msgs != benchMessages || rejects == 0 || rows < msgs {
		b.Fatalf("%d messages, %d rows, %d rejects", msgs, rows, rejects)
	}
	reportMsgs(b, msgs)
	reportCPU(b, size, cpu0)
}
