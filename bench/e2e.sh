#!/usr/bin/env bash
# End-to-end throughput: healthanchor `run` on a generated 1,000,000-row
# patient CSV, next to DuckDB's plain CSV-to-Parquet conversion of the same
# file, in the same script on the same machine. The two alternate for
# ROUNDS rounds (the machines are shared and noisy); the script prints
# every round, then the medians, the median of the per-round ratios and
# the highest peak RSS. It also prints the CPU seconds (user + system) of
# both and their ratio: on a machine shared with other work the wall
# times follow each side's share of the cores, and the CPU seconds are
# the steadier comparison (DuckDB's include starting Node.js, about 0.1 s).
#
#   bash bench/e2e.sh [ROWS] [BAD_FRACTION] [ROUNDS]
#
# BAD_FRACTION defaults to 0: with deliberately broken rows (wrong field
# counts, unbalanced quotes) DuckDB's sniffer reads a different number of
# rows than the file has, so the two would not do the same work. The
# script prints both row counts. ROUNDS defaults to 5.
#
# Needs Go, Node.js with npm, and /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
bad=${2:-0}
rounds=${3:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/healthanchor" ./cmd/healthanchor
ha="$work/healthanchor"
"$ha" gen --kind csv --rows "$rows" --seed 1 --bad "$bad" --out "$work/patients.csv"
size=$(stat -c %s "$work/patients.csv")
echo "input: $rows rows, $size bytes ($((size / rows)) bytes a row), bad fraction $bad, $rounds rounds"
(cd bench && [ -d node_modules/@duckdb/node-api ] || npm install --no-audit --no-fund >/dev/null 2>&1)

. bench/lib.sh # field, seconds

: >"$work/rounds"
for round in $(seq "$rounds"); do
  # A fresh deployment with the big file dropped into its inbox, as an
  # export lands before the nightly run.
  rm -rf "$work/deploy"
  "$ha" demo --dir "$work/deploy" >/dev/null 2>&1
  cp "$work/patients.csv" "$work/deploy/inbox/csv/patients-bench.csv"

  # DuckDB: COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet, COMPRESSION zstd).
  rm -f "$work/duck.parquet"
  /usr/bin/time -v node bench/duckdb-copy.mjs "$work/patients.csv" "$work/duck.parquet" \
    >"$work/duck.out" 2>"$work/duck.time"
  duck_s=$(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' "$work/duck.out")
  duck_rss=$(($(field 'Maximum resident' "$work/duck.time") / 1024))
  duck_rows=$(sed -n 's/.*"rows":\([0-9]*\).*/\1/p' "$work/duck.out")
  duck_cpu=$(awk -v u="$(field 'User time' "$work/duck.time")" -v s="$(field 'System time' "$work/duck.time")" 'BEGIN {print u + s}')

  # healthanchor: one run over the big file.
  /usr/bin/time -v "$ha" --config "$work/deploy/healthanchor.yaml" run patients-csv \
    >"$work/ha.out" 2>"$work/ha.time"
  "$ha" --config "$work/deploy/healthanchor.yaml" verify chain >/dev/null
  ha_s=$(seconds "$(field 'Elapsed (wall clock)' "$work/ha.time")")
  ha_rss=$(($(field 'Maximum resident' "$work/ha.time") / 1024))
  ha_cpu=$(field 'Percent of CPU' "$work/ha.time")
  ha_cpus=$(awk -v u="$(field 'User time' "$work/ha.time")" -v s="$(field 'System time' "$work/ha.time")" 'BEGIN {print u + s}')

  [ "$round" = 1 ] && cat "$work/ha.out"
  echo "$round $ha_s $ha_rss $ha_cpu $duck_s $duck_rss $duck_rows $ha_cpus $duck_cpu" | tee -a "$work/rounds" | awk -v r="$rows" '{
    printf "round %d: healthanchor %5.2f s %8.0f rows/s %4d MiB CPU %s %.2f s | duckdb %5.2f s %8.0f rows/s %4d MiB CPU %.2f s (%d rows read) | ratio %.2f, CPU ratio %.2f\n",
      $1, $2, r/$2, $3, $4, $8, $5, r/$5, $6, $9, $7, $5/$2, $9/$8 }'
done

# Medians over the rounds: the healthanchor time, the DuckDB time, and the
# ratio (DuckDB seconds / healthanchor seconds, that is healthanchor's
# rows/s over DuckDB's) of each round, so that both sides of a ratio
# saw the same moment of the machine.
awk -v r="$rows" '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
  }
  { n++; h[n] = $2; d[n] = $5; q[n] = $5 / $2; c[n] = $9 / $8; if ($3 > hr) hr = $3; if ($6 > dr) dr = $6 }
  END {
    hs = median(h, n); ds = median(d, n); rq = median(q, n)
    printf "healthanchor run : median %5.2f s  %9.0f rows/s  peak RSS (highest) %4d MiB\n", hs, r/hs, hr
    printf "duckdb COPY      : median %5.2f s  %9.0f rows/s  peak RSS (highest) %4d MiB\n", ds, r/ds, dr
    printf "ratio (healthanchor rows/s / duckdb rows/s): median %.2f over %d rounds\n", rq, n
    printf "CPU ratio (duckdb CPU s / healthanchor CPU s): median %.2f\n", median(c, n)
  }' "$work/rounds"
