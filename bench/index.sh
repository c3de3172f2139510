#!/usr/bin/env bash
# The patient index's cost to a run: `healthanchor run` on a generated
# ROWS-row patient CSV in a fresh demo deployment, ROUNDS times. The run
# indexes the batch it publishes and logs how long that took ("patient
# index updated", seconds); the script prints each round's wall time, the
# indexing time, its share of the run and what it adds to the run without
# it (indexing / (run - indexing)), then the medians.
#
#   bash bench/index.sh [ROWS] [ROUNDS]
#
# ROWS defaults to 1000000, ROUNDS to 3. Needs Go and python3. With
# HEALTHANCHOR_BIN set, it runs that binary instead of building one (to
# compare two builds, alternate them).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ha=${HEALTHANCHOR_BIN:-}
if [ -z "$ha" ]; then
  go build -o "$work/healthanchor" ./cmd/healthanchor
  ha="$work/healthanchor"
fi
"$ha" gen --kind csv --rows "$rows" --seed 1 --bad 0 --out "$work/patients.csv" 2>/dev/null
echo "input: $rows rows, $rounds rounds"
now() { date +%s.%N; }
: >"$work/rounds"
for round in $(seq "$rounds"); do
  rm -rf "$work/deploy"
  "$ha" demo --dir "$work/deploy" >/dev/null 2>&1
  cp "$work/patients.csv" "$work/deploy/inbox/csv/patients-bench.csv"
  t0=$(now)
  "$ha" --config "$work/deploy/healthanchor.yaml" run patients-csv >/dev/null 2>"$work/run.log"
  t1=$(now)
  python3 - "$work/run.log" "$t0" "$t1" "$round" <<'EOF' | tee -a "$work/rounds"
import json, sys
idx = [json.loads(l) for l in open(sys.argv[1]) if '"patient index updated"' in l]
t0, t1 = map(float, sys.argv[2:4])
run = t1 - t0
ix = sum(e["seconds"] for e in idx)
print(f"round {sys.argv[4]}: run {run:.3f} s, of which indexing {ix:.3f} s = {ix/run:.3f} of the run "
      f"({ix/(run-ix):.3f} added to the run without it)")
EOF
done
python3 - "$work/rounds" <<'EOF'
import re, statistics, sys
rs = [list(map(float, re.findall(r"\d+\.\d+", l))) for l in open(sys.argv[1])]
m = lambda k: statistics.median(r[k] for r in rs)
print(f"median: run {m(0):.3f} s, indexing {m(1):.3f} s, share {m(2):.3f}, added {m(3):.3f}")
EOF
