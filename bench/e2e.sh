#!/usr/bin/env bash
# End-to-end throughput: healthanchor `run` on a generated 1,000,000-row
# patient CSV, next to DuckDB's plain CSV-to-Parquet conversion of the same
# file, in the same script on the same machine. Prints rows/s, the ratio,
# and peak RSS of both.
#
#   bash bench/e2e.sh [ROWS] [BAD_FRACTION]
#
# BAD_FRACTION defaults to 0: with deliberately broken rows (wrong field
# counts, unbalanced quotes) DuckDB's sniffer reads a different number of
# rows than the file has, so the two would not do the same work. The
# script prints both row counts.
#
# Needs Go, Node.js with npm, and /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
bad=${2:-0}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/healthanchor" ./cmd/healthanchor
ha="$work/healthanchor"
"$ha" gen --kind csv --rows "$rows" --seed 1 --bad "$bad" --out "$work/patients.csv"
size=$(stat -c %s "$work/patients.csv")
echo "input: $rows rows, $size bytes ($((size / rows)) bytes a row), bad fraction $bad"

# healthanchor: a fresh deployment, then one run over the big file.
"$ha" demo --dir "$work/deploy" >/dev/null 2>&1
cp "$work/patients.csv" "$work/deploy/inbox/csv/patients-bench.csv"
/usr/bin/time -v "$ha" --config "$work/deploy/healthanchor.yaml" run patients-csv \
  >"$work/ha.out" 2>"$work/ha.time"
ha_s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/ha.time")
ha_rss=$(awk -F': ' '/Maximum resident/ {print int($2/1024)}' "$work/ha.time")
ha_cpu=$(awk -F': ' '/Percent of CPU/ {print $2}' "$work/ha.time")
"$ha" --config "$work/deploy/healthanchor.yaml" verify chain >/dev/null

# DuckDB: COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet, COMPRESSION zstd).
(cd bench && [ -d node_modules/@duckdb/node-api ] || npm install --no-audit --no-fund >/dev/null 2>&1)
/usr/bin/time -v node bench/duckdb-copy.mjs "$work/patients.csv" "$work/duck.parquet" \
  >"$work/duck.out" 2>"$work/duck.time"
duck_s=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/duck.time")
duck_copy_s=$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' "$work/duck.out")
duck_rss=$(awk -F': ' '/Maximum resident/ {print int($2/1024)}' "$work/duck.time")
duck_rows=$(sed -n 's/.*"rows":\([0-9]*\).*/\1/p' "$work/duck.out")

cat "$work/ha.out"
awk -v r="$rows" -v hs="$ha_s" -v ds="$duck_copy_s" -v dw="$duck_s" -v hr="$ha_rss" -v dr="$duck_rss" -v hc="$ha_cpu" -v dn="$duck_rows" 'BEGIN {
  printf "healthanchor run : %6.2f s  %9.0f rows/s  peak RSS %4d MiB  CPU %s\n", hs, r/hs, hr, hc
  printf "duckdb COPY      : %6.2f s  %9.0f rows/s  peak RSS %4d MiB  (process %.2f s, %d rows read)\n", ds, r/ds, dr, dw, dn
  printf "ratio (healthanchor rows/s / duckdb rows/s): %.2f\n", ds/hs
}'
