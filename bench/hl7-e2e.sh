#!/usr/bin/env bash
# End-to-end throughput of an HL7 v2 file job: healthanchor `run` over a
# generated feed of mixed ADT and ORU messages (`healthanchor gen --kind
# hl7`, about MB megabytes, default 500), in MB/s, next to two floors
# measured on the same file in the same rounds: the raw read rate (`cat
# FILE > /dev/null`, the file in the page cache) and parse-only
# (`healthanchor hl7 get FILE MSH-9 > /dev/null`: the connector's
# framing, charset handling and parsing of every message, one line out
# per message, on one core). The three alternate for ROUNDS rounds
# (default 3); the script prints every round, then the medians and the
# highest peak RSS of the run, with the run's MB per second of CPU time
# (user + system), the steadier figure when the machine is shared.
#
#   bash bench/hl7-e2e.sh [MB] [ROUNDS]
#
# The run is a fresh demo deployment per round with one more job,
# bench-hl7, over the generated file: parse, map to the canonical
# schemas (patients, encounters, observations...), salt, write Parquet,
# hash, sign, anchor and publish one batch per schema. Its time is the
# wall time of the whole `run` process (GNU time).
#
# Needs Go and /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-500}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/healthanchor" ./cmd/healthanchor
ha="$work/healthanchor"
# The generator writes about 733 bytes a message.
msgs=$((mb * 1000000 / 733))
mkdir -p "$work/feed"
"$ha" gen --kind hl7 --rows "$msgs" --seed 1 --bad 0.01 --out "$work/feed/feed-bench.hl7" >/dev/null
size=$(stat -c %s "$work/feed/feed-bench.hl7")
echo "input: $msgs messages (1% deliberately bad), $size bytes, $rounds rounds"

. bench/lib.sh # field, seconds
now() { date +%s.%N; }

: >"$work/rounds"
for round in $(seq "$rounds"); do
  rm -rf "$work/deploy"
  "$ha" demo --dir "$work/deploy" >/dev/null 2>&1
  cat >>"$work/deploy/healthanchor.yaml" <<EOF
  - name: bench-hl7
    connector: hl7
    options:
      input: $work/feed/*.hl7
EOF

  start=$(now)
  cat "$work/feed/feed-bench.hl7" >/dev/null
  end=$(now)
  raw_s=$(echo "$end - $start" | bc -l)

  start=$(now)
  "$ha" hl7 get "$work/feed/feed-bench.hl7" MSH-9 >/dev/null
  end=$(now)
  parse_s=$(echo "$end - $start" | bc -l)

  /usr/bin/time -v "$ha" --config "$work/deploy/healthanchor.yaml" run bench-hl7 \
    >"$work/ha.out" 2>"$work/ha.time"
  "$ha" --config "$work/deploy/healthanchor.yaml" verify chain >/dev/null
  ha_s=$(seconds "$(field 'Elapsed (wall clock)' "$work/ha.time")")
  ha_rss=$(($(field 'Maximum resident' "$work/ha.time") / 1024))
  ha_cpu=$(field 'Percent of CPU' "$work/ha.time")
  ha_cpus=$(echo "$(field 'User time' "$work/ha.time") + $(field 'System time' "$work/ha.time")" | bc -l)
  [ "$round" = 1 ] && cat "$work/ha.out"

  echo "$round $ha_s $ha_rss $ha_cpu $raw_s $parse_s $ha_cpus" | tee -a "$work/rounds" | awk -v z="$size" '{
    printf "round %d: run %6.2f s %7.1f MB/s %4d MiB CPU %s (%.1f MB/cpu-s) | raw read %5.2f s %8.1f MB/s | parse-only %6.2f s %7.1f MB/s\n",
      $1, $2, z/1e6/$2, $3, $4, z/1e6/$7, $5, z/1e6/$5, $6, z/1e6/$6 }'
done

awk -v z="$size" '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
  }
  function lo(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
  function hi(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
  { n++; h[n] = z/1e6/$2; r[n] = z/1e6/$5; p[n] = z/1e6/$6; q[n] = $6 / $2; c[n] = z/1e6/$7; if ($3 > hr) hr = $3 }
  END {
    printf "run end to end : median %7.1f MB/s (%.1f to %.1f)  peak RSS (highest) %d MiB  (goal >= 50 MB/s)\n", median(h, n), lo(h, n), hi(h, n), hr
    printf "run per CPU s  : median %7.1f MB/cpu-s (%.1f to %.1f): the steadier figure on a shared machine\n", median(c, n), lo(c, n), hi(c, n)
    printf "raw read       : median %7.1f MB/s (%.1f to %.1f)\n", median(r, n), lo(r, n), hi(r, n)
    printf "parse-only     : median %7.1f MB/s (%.1f to %.1f)\n", median(p, n), lo(p, n), hi(p, n)
    printf "run / parse-only throughput, per round: median %.2f (%.2f to %.2f)\n", median(q, n), lo(q, n), hi(q, n)
  }' "$work/rounds"
