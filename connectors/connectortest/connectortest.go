// Package connectortest is the conformance kit every connector's tests
// run: it checks that a connector streams what it declares, that source
// refs are unique, that rows are complete, that reads are deterministic
// and resumable, that cancellation stops it promptly, and that bad input
// becomes rejects with reasons, never a panic.
package connectortest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// Case describes one connector under test.
type Case struct {
	// Open returns a fresh connector over the good input. It is called
	// several times; every call must see the same input.
	Open func(t *testing.T) connectors.Connector
	// Rows is the number of rows per schema id the good input declares.
	Rows map[string]int
	// Rejects is the number of rejects the good input declares.
	Rejects int
	// OpenBad, if set, returns a connector over input with faults; it
	// must stream at least one reject and no error.
	OpenBad func(t *testing.T) connectors.Connector
}

// Result is everything one planned read streamed.
type Result struct {
	Records   []connectors.Record
	Watermark connectors.Watermark // the window's upper bound, from Plan
}

// ReadAll plans the window after from and reads it, recovering a panic as
// an error. Rows are copied, since a connector may reuse its row.
func ReadAll(t testing.TB, c connectors.Connector, from connectors.Watermark) (res Result, err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("connector panicked: %v", p)
		}
	}()
	ctx := context.Background()
	res.Watermark, err = c.Plan(ctx, from)
	if err != nil {
		return res, fmt.Errorf("plan: %w", err)
	}
	err = c.Read(ctx, from, res.Watermark, func(r connectors.Record) error {
		if r.Row != nil {
			r.Row = append(schemas.Row(nil), r.Row...)
		}
		res.Records = append(res.Records, r)
		return nil
	})
	return res, err
}

// Run runs the conformance suite as subtests of t.
func Run(t *testing.T, c Case) {
	t.Run("declared", func(t *testing.T) { declared(t, c) })
	t.Run("deterministic", func(t *testing.T) { deterministic(t, c) })
	t.Run("resume", func(t *testing.T) { resume(t, c) })
	t.Run("cancel", func(t *testing.T) { cancel(t, c) })
	t.Run("emit-error", func(t *testing.T) { emitError(t, c) })
	if c.OpenBad != nil {
		t.Run("bad-input", func(t *testing.T) { badInput(t, c) })
	}
}

func declared(t *testing.T, c Case) {
	conn := c.Open(t)
	res, err := ReadAll(t, conn, nil)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	rows := map[string]int{}
	rejects := 0
	seen := map[string]bool{}
	for i, r := range res.Records {
		if err := CheckRecord(conn, r); err != nil {
			t.Errorf("record %d: %v", i, err)
			continue
		}
		if r.Reject != nil {
			rejects++
			continue
		}
		rows[r.Schema.ID()]++
		key := r.Schema.ID() + " " + r.SourceRef
		if seen[key] {
			t.Errorf("record %d: source_ref %q appears twice in %s", i, r.SourceRef, r.Schema.ID())
		}
		seen[key] = true
	}
	for id, n := range c.Rows {
		if rows[id] != n {
			t.Errorf("%s rows = %d, want %d", id, rows[id], n)
		}
	}
	for id, n := range rows {
		if _, ok := c.Rows[id]; !ok {
			t.Errorf("%d undeclared %s rows", n, id)
		}
	}
	if rejects != c.Rejects {
		t.Errorf("rejects = %d, want %d", rejects, c.Rejects)
	}
}

// CheckRecord checks one record's shape: a reject has a reason; a row is
// of a schema the connector declares, complete, and names its source.
func CheckRecord(conn connectors.Connector, r connectors.Record) error {
	if r.SourceRef == "" {
		return errors.New("empty SourceRef")
	}
	if r.Reject != nil {
		if r.Schema != nil || r.Row != nil {
			return errors.New("a reject also carries a row")
		}
		if r.Reject.Reason == "" {
			return fmt.Errorf("reject %s has no reason", r.SourceRef)
		}
		return nil
	}
	if r.Schema == nil {
		return fmt.Errorf("%s: neither a row nor a reject", r.SourceRef)
	}
	declared := false
	for _, s := range conn.Schemas() {
		declared = declared || s == r.Schema
	}
	if !declared {
		return fmt.Errorf("%s: schema %s not in Schemas()", r.SourceRef, r.Schema.ID())
	}
	if err := r.Schema.Check(r.Row); err != nil {
		return fmt.Errorf("%s: %w", r.SourceRef, err)
	}
	if got := r.Row[schemas.IdxSourceRef]; !got.Set || got.Str != r.SourceRef {
		return fmt.Errorf("%s: source_ref column %q differs from SourceRef", r.SourceRef, got.Str)
	}
	if got := r.Row[schemas.IdxSource]; !got.Set || got.Str == "" {
		return fmt.Errorf("%s: source column empty", r.SourceRef)
	}
	return nil
}

func deterministic(t *testing.T, c Case) {
	a, err := ReadAll(t, c.Open(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadAll(t, c.Open(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Watermark) != string(b.Watermark) {
		t.Errorf("watermarks differ between two reads:\n%s\n%s", a.Watermark, b.Watermark)
	}
	if len(a.Records) != len(b.Records) {
		t.Fatalf("two reads streamed %d and %d records", len(a.Records), len(b.Records))
	}
	for i := range a.Records {
		if fa, fb := describe(a.Records[i]), describe(b.Records[i]); fa != fb {
			t.Errorf("record %d differs between reads:\n%s\n%s", i, fa, fb)
		}
	}
}

func resume(t *testing.T, c Case) {
	first, err := ReadAll(t, c.Open(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Records) > 0 && first.Watermark == nil {
		t.Fatal("a window that streamed records was planned with a nil watermark")
	}
	again, err := c.Open(t).Plan(context.Background(), first.Watermark)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(first.Watermark) {
		t.Errorf("planning from the last watermark over unchanged input moved it:\n%s\n%s", first.Watermark, again)
	}
	second, err := ReadAll(t, c.Open(t), first.Watermark)
	if err != nil {
		t.Fatalf("read from watermark: %v", err)
	}
	if n := len(second.Records); n != 0 {
		t.Errorf("a second read from the returned watermark streamed %d records, want 0 (first: %+v)", n, second.Records[0])
	}
}

func cancel(t *testing.T, c Case) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	n := 0
	done := make(chan error, 1)
	conn := c.Open(t)
	to, err := conn.Plan(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		done <- conn.Read(ctx, nil, to, func(connectors.Record) error {
			n++
			if n == 1 {
				stop()
			}
			return nil
		})
	}()
	select {
	case err := <-done:
		if n > 0 && !errors.Is(err, context.Canceled) {
			t.Errorf("Read after cancel returned %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not return within 10s of cancellation")
	}
}

func emitError(t *testing.T, c Case) {
	boom := errors.New("sink full")
	first, _ := ReadAll(t, c.Open(t), nil)
	err := c.Open(t).Read(context.Background(), nil, first.Watermark, func(connectors.Record) error { return boom })
	if len(first.Records) > 0 && !errors.Is(err, boom) {
		t.Errorf("Read with a failing emit returned %v, want the emit error", err)
	}
}

func badInput(t *testing.T, c Case) {
	conn := c.OpenBad(t)
	res, err := ReadAll(t, conn, nil)
	if err != nil {
		t.Fatalf("bad input must stream rejects, not fail the read: %v", err)
	}
	rejects := 0
	for i, r := range res.Records {
		if err := CheckRecord(conn, r); err != nil {
			t.Errorf("record %d: %v", i, err)
		}
		if r.Reject != nil {
			rejects++
		}
	}
	if rejects == 0 {
		t.Error("bad input streamed no reject")
	}
}

// describe prints a record's contents, following the reject pointer.
func describe(r connectors.Record) string {
	if r.Reject != nil {
		return fmt.Sprintf("%s reject %+v", r.SourceRef, *r.Reject)
	}
	return fmt.Sprintf("%s %s %v", r.SourceRef, r.Schema.ID(), r.Row)
}
