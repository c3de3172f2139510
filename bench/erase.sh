#!/usr/bin/env bash
# Erasure cost: a deployment holding BATCHES batches of ROWS patient rows
# each (one generated CSV export a night; the generator numbers patients
# from P000000001 in every file, so one patient has a row in every batch),
# then `erase` of that patient, timed with GNU time, and the bytes of the
# files it rewrote. Ends with `verify batch --all`, which must pass.
#
#   bash bench/erase.sh [BATCHES] [ROWS]     (defaults 100 and 100000)
#
# Needs Go and /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
batches=${1:-100}
rows=${2:-100000}
patient=P000000050
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/healthanchor" ./cmd/healthanchor
ha="$work/healthanchor"
"$ha" demo --dir "$work/deploy" >/dev/null 2>&1
cfg="$work/deploy/healthanchor.yaml"
start=$(date +%s)
for i in $(seq "$batches"); do
  "$ha" gen --kind csv --rows "$rows" --seed "$i" --bad 0 --out "$work/deploy/inbox/csv/patients-night-$i.csv" 2>/dev/null
  "$ha" --config "$cfg" run patients-csv >/dev/null 2>&1
  rm "$work/deploy/inbox/csv/patients-night-$i.csv"
done
echo "anchored $batches batches of $rows rows in $(($(date +%s) - start)) s"

"$ha" --config "$cfg" erase --patient "$patient" --reason bench --dry-run --json >"$work/dry.json"
files=$(grep -o '"path": *"[^"]*"' "$work/dry.json" | sed 's/.*"\([^"]*\)"$/\1/')
n=$(echo "$files" | wc -l)
bytes=0
for f in $files; do bytes=$((bytes + $(stat -c %s "$f"))); done

. bench/lib.sh # field
/usr/bin/time -v "$ha" --config "$cfg" erase --patient "$patient" --reason bench >"$work/erase.out" 2>"$work/erase.time"
tail -1 "$work/erase.out"
after=0
for f in $files; do after=$((after + $(stat -c %s "$f"))); done
echo "erase of one patient from $n files: $(field 'Elapsed (wall clock)' "$work/erase.time") wall," \
  "CPU $(field 'Percent of CPU' "$work/erase.time"), peak RSS $(($(field 'Maximum resident' "$work/erase.time") / 1024)) MiB;" \
  "rewrote $((bytes / 1048576)) MiB ($bytes bytes before, $after after)"
/usr/bin/time -f "verify batch --all: %e s" "$ha" --config "$cfg" verify batch --all >/dev/null
