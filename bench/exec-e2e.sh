#!/usr/bin/env bash
# End-to-end throughput of an exec job (a Singer tap) against a csv job
# over the same records: `healthanchor gen` writes a ROWS-row patient CSV
# (default 1,000,000), python3 turns it into a tap's output (one SCHEMA
# message, one RECORD per row with the CSV's columns as properties, one
# STATE), and each round (default 3) runs, in a fresh demo deployment
# each, a csv job over the file and an exec job whose tap is `cat` of
# the prepared output, so that only healthanchor's own work is timed:
# for exec, spooling and fsyncing the tap's output, replaying and
# mapping it; for both, salting, Parquet, hashing, signing, anchoring,
# publishing and indexing. The two alternate; the script prints every
# round, the medians and the median of the per-round ratios (csv seconds
# / exec seconds: 1.0 would be an exec run as fast as the csv run), in
# wall time and in CPU seconds (user + system, the steadier figure on a
# shared machine). The connector alone is BenchmarkExecVsCSV in
# connectors/exec.
#
#   bash bench/exec-e2e.sh [ROWS] [ROUNDS]
#
# TAP=dd runs `dd bs=1M` instead of `cat` as the tap: GNU cat copies a
# file into a file (the spool) inside the kernel (copy_file_range), where
# a real tap writes its output from its own memory, as dd does.
#
# Needs Go, python3 and /usr/bin/time (GNU time).
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/healthanchor" ./cmd/healthanchor
ha="$work/healthanchor"
mkdir -p "$work/data" "$work/tap"
"$ha" gen --kind csv --rows "$rows" --seed 1 --bad 0 --out "$work/data/patients.csv" >/dev/null
python3 - "$work/data/patients.csv" "$work/tap/tap.jsonl" <<'EOF'
import csv, json, sys
with open(sys.argv[1], newline="") as src, open(sys.argv[2], "w") as out:
    r = csv.DictReader(src)
    out.write(json.dumps({"type": "SCHEMA", "stream": "patients", "schema": {}, "key_properties": []}) + "\n")
    for rec in r:
        out.write(json.dumps({"type": "RECORD", "stream": "patients", "record": rec}) + "\n")
    out.write(json.dumps({"type": "STATE", "value": {"done": True}}) + "\n")
EOF
tap="cat $work/tap/tap.jsonl"
[ "${TAP:-cat}" = dd ] && tap="dd if=$work/tap/tap.jsonl bs=1M status=none"
echo "tap: $tap"
echo "input: $rows rows; CSV $(stat -c %s "$work/data/patients.csv") bytes, tap output $(stat -c %s "$work/tap/tap.jsonl") bytes; $rounds rounds"

. bench/lib.sh # field, seconds

# timed JOB: runs JOB in a fresh deployment; prints "seconds cpu_seconds rss_mib".
timed() {
  rm -rf "$work/deploy"
  "$ha" demo --dir "$work/deploy" >/dev/null 2>&1
  cat >>"$work/deploy/healthanchor.yaml" <<EOF
  - name: bench-csv
    connector: csv
    options:
      input: $work/data/patients.csv
      source: bench
  - name: bench-exec
    connector: exec
    options:
      command: [sh, -c, "exec $tap"]   # the --config FILE it is given goes to \$0, \$1
      stream: patients
      schema: patient/1
      source: bench
EOF
  /usr/bin/time -v "$ha" --config "$work/deploy/healthanchor.yaml" run "$1" >"$work/$1.out" 2>"$work/$1.time" ||
    { cat "$work/$1.out" "$work/$1.time" >&2; exit 1; }
  grep -q "read $rows = written $rows + rejected 0" "$work/$1.out" ||
    { echo "$1 did not anchor $rows rows:" >&2; cat "$work/$1.out" >&2; exit 1; }
  "$ha" --config "$work/deploy/healthanchor.yaml" verify chain >/dev/null
  echo "$(seconds "$(field 'Elapsed (wall clock)' "$work/$1.time")")" \
    "$(echo "$(field 'User time' "$work/$1.time") + $(field 'System time' "$work/$1.time")" | bc -l)" \
    "$(($(field 'Maximum resident' "$work/$1.time") / 1024))"
}

: >"$work/rounds"
for round in $(seq "$rounds"); do
  read -r cs ccpu crss < <(timed bench-csv)
  read -r es ecpu erss < <(timed bench-exec)
  echo "$round $cs $ccpu $crss $es $ecpu $erss" | tee -a "$work/rounds" | awk -v r="$rows" '{
    printf "round %d: csv %6.2f s %8.0f rows/s CPU %6.2f s %4d MiB | exec %6.2f s %8.0f rows/s CPU %6.2f s %4d MiB | ratio %.2f, CPU ratio %.2f\n",
      $1, $2, r/$2, $3, $4, $5, r/$5, $6, $7, $2/$5, $3/$6 }'
done

awk '
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
  }
  function lo(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
  function hi(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
  { n++; c[n] = $2; e[n] = $5; q[n] = $2 / $5; p[n] = $3 / $6; if ($7 > rss) rss = $7 }
  END {
    printf "csv run  : median %6.2f s (%.2f to %.2f)\n", median(c, n), lo(c, n), hi(c, n)
    printf "exec run : median %6.2f s (%.2f to %.2f)  peak RSS (highest) %d MiB\n", median(e, n), lo(e, n), hi(e, n), rss
    printf "ratio (csv s / exec s), per round: median %.2f (%.2f to %.2f); CPU ratio median %.2f (%.2f to %.2f)\n",
      median(q, n), lo(q, n), hi(q, n), median(p, n), lo(p, n), hi(p, n)
  }' "$work/rounds"
