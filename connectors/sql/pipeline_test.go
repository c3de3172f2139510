package sql

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
)

// pipelineRows is more rows than the fetcher may read ahead, so that it
// is blocked handing a batch over when the reader stops.
const pipelineRows = 3 * batchRows * batchesInFlight

// pipelineTable creates a patients table of n rows, three sharing each
// watermark value.
func pipelineTable(t *testing.T, db *testDB, n int) string {
	t.Helper()
	table := patientsTable(t, db)
	var vals []string
	for id := 1; id <= n; id++ {
		vals = append(vals, fmt.Sprintf("(%d, 'MRN%05d', 'Patient %d', '1970-01-01', '2024-03-01 %02d:%02d:%02d')",
			id, id, id, id/3/3600, id/3/60%60, id/3%60))
	}
	db.exec(t, "INSERT INTO "+table+" (id, mrn, nom, dob, updated_at) VALUES "+strings.Join(vals, ", "))
	return table
}

// waitGoroutines fails the test unless the number of goroutines falls
// back to at most n.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left, want at most %d:\n%s", runtime.NumGoroutine(), n, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Rows fetched ahead by the second goroutine reach emit in order, across
// batches and pages, and an emit error or a cancelled context stops the
// read at once, with that error, leaving no goroutine behind.
func TestPipeline(t *testing.T) {
	allDrivers(t, func(t *testing.T, db *testDB) {
		table := pipelineTable(t, db, pipelineRows)
		cfg := patientConfig(table)
		cfg.ChunkSize = 700 // pages end inside batches
		c := db.connector(t, cfg, time.UTC)
		to, err := c.Plan(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}

		var got []string
		err = c.Read(t.Context(), nil, to, func(r connectors.Record) error {
			got = append(got, r.SourceRef)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := wantRefs(table, ids(1, pipelineRows)...); !slices.Equal(got, want) {
			t.Fatalf("read %d rows, not the %d in order", len(got), len(want))
		}

		before := runtime.NumGoroutine()
		stop := errors.New("stop")
		n := 0
		err = c.Read(t.Context(), nil, to, func(connectors.Record) error {
			if n++; n == 100 {
				return stop
			}
			return nil
		})
		if err != stop || n != 100 {
			t.Errorf("emit failing at row 100: Read = %v after %d rows, want %v after 100", err, n, stop)
		}
		waitGoroutines(t, before)

		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		n = 0
		err = c.Read(ctx, nil, to, func(connectors.Record) error {
			if n++; n == 100 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "sql: ") || n != 100 {
			t.Errorf("cancelled at row 100: Read = %v after %d rows, want context.Canceled after 100", err, n)
		}
		waitGoroutines(t, before)
	})
}
