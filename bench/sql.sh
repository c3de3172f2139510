#!/usr/bin/env bash
# Extraction benchmark of the sql connector against psql's \copy.
#
# Creates a table of ROWS (default 1,000,000) patient rows in the test
# PostgreSQL database, extracts it through the connector into Arrow
# batches (BenchmarkExtractPostgres), times psql \copy of the same rows
# in the same order to /dev/null, and prints both with their ratio.
#
#   bench/sql.sh            # PGHOST etc. default to the test server
#   ROWS=200000 bench/sql.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
TABLE=ha_bench_extract
DSN=${HEALTHANCHOR_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
PSQL=(psql "$DSN" -X -q -v ON_ERROR_STOP=1)

"${PSQL[@]}" -c "DROP TABLE IF EXISTS $TABLE"
trap '"${PSQL[@]}" -c "DROP TABLE IF EXISTS $TABLE"' EXIT
echo "creating $TABLE with $ROWS rows..."
"${PSQL[@]}" -v tbl="$TABLE" -v rows="$ROWS" -f testdata/sql/bench_table.sql

COLS="id, mrn, nom, prenom, dob, sexe, ville, cp, updated_at"
"${PSQL[@]}" -c "\\copy (SELECT $COLS FROM $TABLE ORDER BY updated_at, id) TO '/dev/null'" # warm the cache
start=$(date +%s.%N)
"${PSQL[@]}" -c "\\copy (SELECT $COLS FROM $TABLE ORDER BY updated_at, id) TO '/dev/null'"
end=$(date +%s.%N)
psql_s=$(echo "$end - $start" | bc -l)

# The benchmark runs with the collector settings the healthanchor binary
# sets for itself (cmd/healthanchor/main.go): GOGC=200 under a 200 MiB soft
# limit. Override them in the environment to compare.
export GOGC=${GOGC:-200} GOMEMLIMIT=${GOMEMLIMIT:-200MiB}
out=$(HEALTHANCHOR_BENCH_TABLE=$TABLE HEALTHANCHOR_BENCH_ROWS=$ROWS HEALTHANCHOR_TEST_POSTGRES=$DSN \
	go test ./connectors/sql -run '^$' -bench '^BenchmarkExtractPostgres$' -benchtime 3x -count 1)
echo "$out" | grep -E '^Benchmark'
ns=$(echo "$out" | awk '/^BenchmarkExtractPostgres/ {print $3}')
conn_s=$(echo "$ns / 1000000000" | bc -l)

printf 'rows:                %d\n' "$ROWS"
printf 'psql \\copy:          %.3f s  (%.0f rows/s)\n' "$psql_s" "$(echo "$ROWS / $psql_s" | bc -l)"
printf 'connector -> Arrow:  %.3f s  (%.0f rows/s)\n' "$conn_s" "$(echo "$ROWS / $conn_s" | bc -l)"
printf 'ratio:               %.2fx psql (goal: <= 1.5x)\n' "$(echo "$conn_s / $psql_s" | bc -l)"
