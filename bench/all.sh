#!/usr/bin/env bash
# Every figure of the README's Performance section in one run: the hot-path
# `go test -bench` benchmarks once each, then every side-by-side script of
# bench/ in turn. Each script's full output goes to OUT/NAME.txt; at the end
# the script prints the summary lines of each (medians, ratios, peak RSS),
# so that one invocation shows whether anything regressed.
#
#   bash bench/all.sh [OUT]          (OUT defaults to a new temporary folder)
#
# ROUNDS (default 3) and ROWS (default 1000000) apply to every script that
# takes them (the HL7 feed is ROWS/2000 MB: 500 MB at the default); QUICK=1
# runs each script at a tenth of ROWS. The whole run
# takes about an hour on a quiet 2-core machine at the defaults. A script
# that fails is reported and the others still run; the exit status is 1 if
# any failed. Needs what the scripts need: Go, python3, GNU time, openssl,
# curl, psql, the mariadb client, and `npm install` done in bench/.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-$(mktemp -d)}
mkdir -p "$out"
rounds=${ROUNDS:-3}
rows=${ROWS:-1000000}
[ "${QUICK:-0}" = 1 ] && rows=$((rows / 10))
failed=()

step() { # NAME COMMAND...: runs one measurement, its output to OUT/NAME.txt
  local name=$1
  shift
  echo "== $name: $*"
  if ! "$@" >"$out/$name.txt" 2>&1; then
    echo "   FAILED (see $out/$name.txt)"
    failed+=("$name")
  fi
}

# The hot paths: parse, normalise, write, hash, append (one iteration
# count each, so the run stays bounded; the README gives the commands for
# longer runs).
step hotpaths go test -run '^$' -bench . -benchtime 3x \
  ./connectors/csv/... ./connectors/hl7/... ./connectors/exec/... ./connectors/fhirndjson/... \
  ./schemas/... ./anchor/ ./anchor/batchfile/... ./anchor/merkle/...
step index-lookup go test -run '^$' -bench 'Lookup' -benchtime 2000x ./pipeline/patientindex/
step index-add go test -run '^$' -bench 'BenchmarkAdd$' -benchtime 3x ./pipeline/patientindex/

step e2e bash bench/e2e.sh "$rows" 0 "$rounds"
step e2e-10m bash bench/e2e-10m.sh "$rows" $((rows * 10)) "$rounds"
step sql bash -c "ROWS=$rows bash bench/sql.sh"
step sql-e2e bash bench/sql-e2e.sh "$rows" "$rounds"
step hl7-e2e bash bench/hl7-e2e.sh $((rows / 2000)) "$rounds"
step exec-e2e bash bench/exec-e2e.sh "$rows" "$rounds"
step index bash bench/index.sh "$rows" "$rounds"
step exchange bash bench/exchange.sh "$rows" "$rounds"
step erase bash bench/erase.sh 10 $((rows / 10))
step commit go test -run '^$' -bench Commit -benchtime 150x ./anchor/replication/
step cluster go test ./cmd/healthanchor -run ClusterBenchmark -count 1 -v
if [ -n "${HEALTHANCHOR_WEED:-}" ]; then
  step s3 env HEALTHANCHOR_BENCH_S3_ROWS="$rows" HEALTHANCHOR_BENCH_S3_ROUNDS="$rounds" \
    go test ./cmd/healthanchor -run 'TestS3Benchmark$' -count 1 -v -timeout 60m
else
  echo "== s3: skipped (set HEALTHANCHOR_WEED=\$(tools/s3server/build.sh) to include it)"
fi

echo
echo "== summary (full outputs in $out)"
for f in "$out"/*.txt; do
  echo "-- $(basename "$f" .txt)"
  grep -E '^(Benchmark|median|ratio|rows:|psql|connector|healthanchor run|duckdb|erase|elapsed|peak|csv run|exec run)|[Mm]edian' "$f" | sed 's/^/   /'
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}"
  exit 1
fi
