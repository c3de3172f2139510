#!/usr/bin/env bash
# Scaling: healthanchor `run` on a generated patient CSV of SMALL rows and
# on one of LARGE rows (ten times as many by default), alternating for
# ROUNDS rounds, each in a fresh demo deployment. The script prints every
# round (wall time, CPU seconds (user + system), peak RSS, the seconds the
# run logged for extracting and for indexing, batches made), then the
# medians, the range of the peak RSS, and the ratios LARGE / (LARGE/SMALL x
# SMALL) of each round for wall time, CPU time and extraction: 1.00 is a
# run whose cost grows exactly with its rows. On a shared machine the CPU
# ratio is the steadier one.
#
#   bash bench/e2e-10m.sh [SMALL] [LARGE] [ROUNDS]
#
# SMALL defaults to 1000000, LARGE to 10000000, ROUNDS to 3. The large
# file is about 1.6 GB and its batch about 580 MB: the work folder needs
# some 4 GB. Needs Go, python3 and /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-1000000}
large=${2:-10000000}
rounds=${3:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/healthanchor" ./cmd/healthanchor
ha="$work/healthanchor"
for n in "$small" "$large"; do
  "$ha" gen --kind csv --rows "$n" --seed 1 --bad 0 --out "$work/patients-$n.csv" 2>/dev/null
  echo "input: $n rows, $(stat -c %s "$work/patients-$n.csv") bytes"
done
echo "$rounds rounds"

: >"$work/rounds"
for round in $(seq "$rounds"); do
  for n in "$small" "$large"; do
    rm -rf "$work/deploy"
    "$ha" demo --dir "$work/deploy" >/dev/null 2>&1
    # A hard link, not a copy: a copy of the large file would take 1.6 GB
    # more disk and page cache.
    ln "$work/patients-$n.csv" "$work/deploy/inbox/csv/patients-bench.csv"
    /usr/bin/time -v "$ha" --config "$work/deploy/healthanchor.yaml" run patients-csv \
      >"$work/run.out" 2>"$work/run.err"
    "$ha" --config "$work/deploy/healthanchor.yaml" verify chain >/dev/null
    python3 - "$work/run.err" "$round" "$n" <<'EOF' | tee -a "$work/rounds"
import json, sys
path, rnd, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
ext = idx = 0.0
batches = 0
time = {}
for line in open(path):
    if line.startswith("{"):
        e = json.loads(line)
        if e.get("msg") == "extracted" and e.get("job") == "patients-csv":
            ext, batches = e["seconds"], e["batches"]
        elif e.get("msg") == "patient index updated":
            idx += e["seconds"]
    elif ": " in line:
        k, v = line.strip().split(": ", 1)
        time[k] = v
wall = 0.0
for part in time["Elapsed (wall clock) time (h:mm:ss or m:ss)"].split(":"):
    wall = wall * 60 + float(part)
rss = int(time["Maximum resident set size (kbytes)"]) // 1024
cpu = float(time["User time (seconds)"]) + float(time["System time (seconds)"])
print(f"round {rnd} rows {rows} wall {wall:.2f} cpu_s {cpu:.2f} rss {rss} extract {ext:.2f} index {idx:.2f} batches {batches}")
EOF
    rm -f "$work/deploy/inbox/csv/patients-bench.csv"
  done
done

python3 - "$work/rounds" "$small" "$large" <<'EOF'
import statistics, sys
small, large = int(sys.argv[2]), int(sys.argv[3])
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    d = dict(zip(f[0::2], f[1::2]))
    runs.setdefault(int(d["rows"]), []).append({k: float(v) for k, v in d.items()})
for n in (small, large):
    rs = runs[n]
    w = [r["wall"] for r in rs]
    x = [r["extract"] for r in rs]
    rss = [r["rss"] for r in rs]
    c = [r["cpu_s"] for r in rs]
    print(f"{n:>9} rows: wall median {statistics.median(w):.2f} s ({min(w):.2f} to {max(w):.2f}), "
          f"{n / statistics.median(w):,.0f} rows/s; CPU median {statistics.median(c):.2f} s ({min(c):.2f} to {max(c):.2f}); "
          f"extract median {statistics.median(x):.2f} s; "
          f"peak RSS {min(rss):.0f} to {max(rss):.0f} MiB; batches {rs[0]['batches']:.0f}")
k = large / small
for key in ("wall", "cpu_s", "extract"):
    q = [l[key] / (k * s[key]) for s, l in zip(runs[small], runs[large])]
    print(f"{key} ratio {large} / ({k:g} x {small}), per round: median {statistics.median(q):.3f} ({min(q):.3f} to {max(q):.3f})")
EOF
