#!/usr/bin/env bash
# Exchange throughput: `healthanchor fetch --batch` of a ROWS-row patient
# batch between two nodes on loopback (node2 receives node1's batch file
# and checks it against its own replica: every row decoded and hashed,
# the Merkle root, rows and digest compared with the anchored manifest,
# one batch bundle written, the receipt anchored), next to a plain HTTPS download of
# the same batch file over the same mutual TLS: openssl s_server with
# node1's certificate, requiring a client certificate from the consortium
# CA, and curl presenting node2's. The two alternate for ROUNDS rounds (the
# machine is shared and noisy); the script prints every round, the medians
# and the median of the per-round ratios (download time / fetch time: 1.0
# would be a fetch as fast as the bare download).
#
#   bash bench/exchange.sh [ROWS] [ROUNDS]
#
# ROWS defaults to 1000000, ROUNDS to 3. BASELINE=BIN also times another
# healthanchor binary's fetch of the same batch each round (alternating
# which goes first) and prints the time ratio, to compare two builds.
# Needs Go, openssl, curl and python3 (for free ports). Every process it starts is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
rounds=${2:-3}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/healthanchor" ./cmd/healthanchor
ha="$work/healthanchor"
c="$work/c"
"$ha" cluster init --nodes 2 --dir "$c" >/dev/null
cat >>"$c/node1/healthanchor.yaml" <<'EOF'
sharing:
  grants:
    - to: node2
      schemas: [patient/1]
      purposes: [TREAT]
EOF
"$ha" gen --kind csv --rows "$rows" --seed 1 --bad 0 --out "$c/node1/inbox/csv/export.csv" >/dev/null
for n in node1 node2; do
  "$ha" --config "$c/$n/healthanchor.yaml" serve >"$c/$n/node.log" 2>&1 &
  pids+=($!)
done

# Wait until node1's inbox job has anchored the batch.
batch="" parquet=""
for _ in $(seq 600); do
  read -r batch parquet < <("$ha" --config "$c/node1/healthanchor.yaml" batches --json 2>/dev/null |
    python3 -c 'import json,sys
for b in json.load(sys.stdin) or []:
    if b["job"] == "inbox" and b["block_height"] > 0 and b.get("parquet_path"): print(b["batch_id"], b["parquet_path"])' || true) || true
  [ -n "$batch" ] && break
  sleep 1
done
[ -n "$batch" ] || { echo "the batch was not anchored; see $c/node1/node.log" >&2; exit 1; }
size=$(stat -c %s "$parquet")
echo "batch $batch: $rows rows, $size bytes of Parquet, $rounds rounds"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$(dirname "$parquet")" && exec openssl s_server -quiet -accept "127.0.0.1:$port" -WWW \
  -cert "$c/node1/tls/node.crt" -key "$c/node1/tls/node.key" -CAfile "$c/node1/tls/ca.crt" -Verify 1 \
  >"$work/s_server.log" 2>&1) &
pids+=($!)
sleep 1

now() { date +%s.%N; }
# fetch_with BIN: node2's fetch of the batch with the binary BIN; prints
# the seconds of the last attempt (a checkpoint newer than the last
# disclosure can lack a quorum for a moment: such a fetch is retried).
fetch_with() {
  local t
  for _ in 1 2 3 4 5; do
    rm -rf "$work/out"
    t=$(now)
    if "$1" --config "$c/node2/healthanchor.yaml" fetch --from node1 --batch "$batch" --purpose TREAT \
      --out "$work/out" >"$work/fetch.out" 2>"$work/fetch.err"; then
      python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$t" "$(now)"
      return 0
    fi
    grep -q quorum "$work/fetch.err" || { cat "$work/fetch.err" >&2; return 1; }
    sleep 1
  done
  echo "fetch failed: $(cat "$work/fetch.err")" >&2
  return 1
}
: >"$work/rounds"
for round in $(seq "$rounds"); do
  rm -rf "$work/download"
  t0=$(now)
  curl -sS --fail --cacert "$c/node2/tls/ca.crt" --cert "$c/node2/tls/node.crt" --key "$c/node2/tls/node.key" \
    -o "$work/download" "https://127.0.0.1:$port/$(basename "$parquet")"
  t1=$(now)
  cmp -s "$work/download" "$parquet" || { echo "the download differs from the batch file" >&2; exit 1; }
  # With BASELINE set, its fetch is timed too, before this build's in odd
  # rounds and after it in even ones.
  base=""
  if [ -n "${BASELINE:-}" ] && [ $((round % 2)) = 1 ]; then base=$(fetch_with "$BASELINE"); fi
  fe=$(fetch_with "$ha")
  if [ -n "${BASELINE:-}" ] && [ $((round % 2)) = 0 ]; then base=$(fetch_with "$BASELINE"); fi
  python3 - "$t0" "$t1" "$fe" "$rows" "$round" "$base" <<'EOF' | tee -a "$work/rounds"
import sys
t0, t1, fe, rows = map(float, sys.argv[1:5])
dl = t1 - t0
line = f"round {sys.argv[5]}: download {dl:.3f} s, fetch+verify {fe:.3f} s ({rows/fe:,.0f} records/s), ratio {dl/fe:.4f}"
if sys.argv[6]:
    base = float(sys.argv[6])
    line += f"; baseline fetch {base:.3f} s, this/baseline time {fe/base:.3f}"
print(line)
EOF
done
python3 - "$work/rounds" <<'EOF'
import re, statistics, sys
rs = [re.findall(r"[\d.]+(?= s)|(?<=ratio )[\d.]+", l) for l in open(sys.argv[1])]
dl = statistics.median(float(r[0]) for r in rs)
fe = statistics.median(float(r[1]) for r in rs)
ratio = statistics.median(float(r[2]) for r in rs)
print(f"median: download {dl:.3f} s, fetch+verify {fe:.3f} s; ratio (median of rounds) {ratio:.4f}")
bs = [re.search(r"this/baseline time ([\d.]+)", l) for l in open(sys.argv[1])]
if all(bs):
    print(f"this/baseline fetch time, median of rounds: {statistics.median(float(b[1]) for b in bs):.3f}")
EOF
