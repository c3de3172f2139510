package sql

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// benchBatchRows is the Arrow batch size the benchmark builds, as the
// pipeline does.
const benchBatchRows = 8192

// BenchmarkExtractPostgres extracts every row of a PostgreSQL table
// through the connector into Arrow record batches. The table has
// HEALTHANCHOR_BENCH_ROWS rows (default 100000) and is created here,
// unless HEALTHANCHOR_BENCH_TABLE names one already filled (bench/sql.sh).
func BenchmarkExtractPostgres(b *testing.B) {
	db := openTestDB(b, Postgres)
	n, err := strconv.Atoi(envOr("HEALTHANCHOR_BENCH_ROWS", "100000"))
	if err != nil {
		b.Fatalf("HEALTHANCHOR_BENCH_ROWS: %v", err)
	}
	table := os.Getenv("HEALTHANCHOR_BENCH_TABLE")
	if table == "" {
		table = db.table(b, "bench")
		db.exec(b, benchTableSQL(b, table, n))
	}
	c := db.connector(b, Config{Table: table, Watermark: "updated_at", Key: "id", ChunkSize: 50000,
		Mapping: map[string]string{"patient_id": "mrn", "family_name": "nom", "given_name": "prenom",
			"birth_date": "dob", "sex": "sexe", "city": "ville", "postal_code": "cp"}}, nil)
	ctx := context.Background()
	to, err := c.Plan(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	var peak uint64
	var ms runtime.MemStats
	b.ResetTimer()
	for b.Loop() {
		bld := schemas.NewBuilder(schemas.Patient, nil)
		rows := 0
		err := c.Read(ctx, nil, to, func(r connectors.Record) error {
			if r.Reject != nil {
				return fmt.Errorf("unexpected reject: %s", r.Reject.Reason)
			}
			if err := bld.Append(r.Row); err != nil {
				return err
			}
			rows++
			if bld.Len() == benchBatchRows {
				bld.NewRecord().Release()
			}
			if rows%100000 == 0 {
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapInuse)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		bld.NewRecord().Release()
		bld.Release()
		if rows != n {
			b.Fatalf("read %d rows, want %d", rows, n)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// benchTableSQL returns testdata/sql/bench_table.sql with its psql
// variables filled: table name with n patient rows.
func benchTableSQL(b *testing.B, name string, n int) string {
	body, err := os.ReadFile("../../testdata/sql/bench_table.sql")
	if err != nil {
		b.Fatal(err)
	}
	s := strings.ReplaceAll(string(body), `:"tbl"`, `"`+name+`"`)
	return strings.ReplaceAll(s, ":rows", strconv.Itoa(n))
}
