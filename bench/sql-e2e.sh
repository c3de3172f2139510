#!/usr/bin/env bash
# End-to-end throughput of a sql job: healthanchor `run` over a
# ROWS-row (default 1,000,000) patient table, next to the plain way of
# turning the same SELECT into Parquet: the database's own client to a
# text file (`psql \copy ... TO file CSV`; `mariadb --batch` to TSV),
# then DuckDB's CSV-to-Parquet (zstd) of that file. The two alternate
# for ROUNDS rounds (default 5) in the same script; the script prints
# every round, then the medians, the median of the per-round ratios
# (baseline seconds / healthanchor seconds: above 1.0, the run is
# faster) and the highest peak RSS of the run.
#
#   bash bench/sql-e2e.sh [ROWS] [ROUNDS] [SERVERS]
#
# SERVERS is "postgres mariadb" (the default) or either one. CHUNK, when
# set, is the job's chunk_size (rows per keyset page; default 10000). The tables
# are created in the test databases (HEALTHANCHOR_TEST_POSTGRES,
# HEALTHANCHOR_TEST_MYSQL, defaulting to the local servers) as
# bench_e2e_patients and dropped at the end. The baseline's time is the
# client's wall time plus DuckDB's own timing of the COPY statement (its
# process start and the instance's creation not counted); healthanchor's
# is the wall time of the whole `run` process (GNU time), from reading
# the config to the batch published and its manifest anchored.
#
# Needs Go, psql, the mariadb client, Node.js with npm, and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
rounds=${2:-5}
servers=${3:-postgres mariadb}
table=bench_e2e_patients
pg_dsn=${HEALTHANCHOR_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
my_dsn=${HEALTHANCHOR_TEST_MYSQL:-root@tcp(127.0.0.1:3306)/test}
PSQL=(psql "$pg_dsn" -X -q -v ON_ERROR_STOP=1)
# The mariadb client's options from the go-sql-driver DSN user@tcp(host:port)/db.
my_user=${my_dsn%%@*}
my_host=$(sed -n 's/.*tcp(\([^:)]*\).*/\1/p' <<<"$my_dsn")
my_port=$(sed -n 's/.*tcp([^:]*:\([0-9]*\)).*/\1/p' <<<"$my_dsn")
my_db=${my_dsn##*/}
MARIADB=(mariadb -h "$my_host" -P "${my_port:-3306}" -u "$my_user" "${my_db%%\?*}")

work=$(mktemp -d)
cleanup() {
  for s in $servers; do
    case $s in
      postgres) "${PSQL[@]}" -c "DROP TABLE IF EXISTS $table" || true ;;
      mariadb) "${MARIADB[@]}" -e "DROP TABLE IF EXISTS $table" || true ;;
    esac
  done
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/healthanchor" ./cmd/healthanchor
ha="$work/healthanchor"
(cd bench && [ -d node_modules/@duckdb/node-api ] || npm install --no-audit --no-fund >/dev/null 2>&1)

cols="id, mrn, nom, prenom, dob, sexe, ville, cp, updated_at"
select="SELECT $cols FROM $table ORDER BY updated_at, id"

for s in $servers; do
  echo "creating $table with $rows rows in $s..."
  case $s in
    postgres)
      "${PSQL[@]}" -c "DROP TABLE IF EXISTS $table" 2>/dev/null
      "${PSQL[@]}" -v tbl="$table" -v rows="$rows" -f testdata/sql/bench_table.sql
      ;;
    mariadb)
      # The same rows as testdata/sql/bench_table.sql, from MariaDB's
      # sequence engine.
      "${MARIADB[@]}" >/dev/null <<EOF
DROP TABLE IF EXISTS $table;
CREATE TABLE $table (
  id int PRIMARY KEY, mrn varchar(11), nom varchar(20), prenom varchar(20), dob date,
  sexe char(1), ville varchar(20), cp char(5), updated_at datetime(6), KEY (updated_at, id)
) CHARACTER SET utf8mb4;
INSERT INTO $table
SELECT seq, CONCAT('MRN', LPAD(seq, 8, '0')),
       ELT(1 + seq % 4, 'Martin', 'Lefèvre', 'Müller', 'Dubois'),
       ELT(1 + seq % 5, 'Élodie', 'Zoé', 'Loïc', 'Jérôme', 'Hélène'),
       DATE '1930-01-01' + INTERVAL (seq % 30000) DAY, ELT(1 + seq % 2, 'F', 'M'),
       'Besançon', LPAD(seq % 95000, 5, '0'),
       TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (seq DIV 10) SECOND
FROM seq_1_to_$rows;
ANALYZE TABLE $table;
EOF
      ;;
    *) echo "unknown server $s (postgres or mariadb)" >&2; exit 2 ;;
  esac
done

. bench/lib.sh # field, seconds
now() { date +%s.%N; }

# baseline SERVER: the client's export of the SELECT to a text file, then
# DuckDB's CSV-to-Parquet of it; prints "client_s duck_s duck_rows".
baseline() {
  rm -f "$work/export.txt" "$work/duck.parquet"
  local start end
  start=$(now)
  case $1 in
    postgres) "${PSQL[@]}" -c "\\copy ($select) TO '$work/export.txt' WITH (FORMAT csv, HEADER)" ;;
    mariadb) "${MARIADB[@]}" --batch -e "$select" >"$work/export.txt" ;;
  esac
  end=$(now)
  node bench/duckdb-copy.mjs "$work/export.txt" "$work/duck.parquet" >"$work/duck.out"
  echo "$(echo "$end - $start" | bc -l) $(sed -n 's/.*"seconds":\([0-9.]*\).*/\1/p' "$work/duck.out") $(sed -n 's/.*"rows":\([0-9]*\).*/\1/p' "$work/duck.out")"
}

# deployment SERVER: a fresh demo deployment with a sql job over the table.
deployment() {
  rm -rf "$work/deploy"
  "$ha" demo --dir "$work/deploy" >/dev/null 2>&1
  local driver=postgres dsn=$pg_dsn
  [ "$1" = mariadb ] && driver=mysql dsn=$my_dsn
  cat >>"$work/deploy/healthanchor.yaml" <<EOF
  - name: bench-sql
    connector: sql
    options:
      driver: $driver
      dsn: \${HA_BENCH_DSN}
      table: $table
      schema: patient/1
      watermark: updated_at
      key: id
      source: bench${CHUNK:+
      chunk_size: $CHUNK}
      mapping: {patient_id: mrn, family_name: nom, given_name: prenom, birth_date: dob,
                sex: sexe, city: ville, postal_code: cp, updated_at: updated_at}
EOF
  echo "$dsn"
}

for s in $servers; do
  : >"$work/rounds.$s"
  for round in $(seq "$rounds"); do
    dsn=$(deployment "$s")
    read -r client_s duck_s duck_rows < <(baseline "$s")
    HA_BENCH_DSN=$dsn /usr/bin/time -v "$ha" --config "$work/deploy/healthanchor.yaml" run bench-sql \
      >"$work/ha.out" 2>"$work/ha.time"
    "$ha" --config "$work/deploy/healthanchor.yaml" verify chain >/dev/null
    ha_s=$(seconds "$(field 'Elapsed (wall clock)' "$work/ha.time")")
    ha_rss=$(($(field 'Maximum resident' "$work/ha.time") / 1024))
    ha_cpu=$(field 'Percent of CPU' "$work/ha.time")
    [ "$round" = 1 ] && cat "$work/ha.out"
    grep -Eq "rows +$rows " "$work/ha.out" || { echo "the run did not anchor $rows rows:" >&2; cat "$work/ha.out" >&2; exit 1; }
    echo "$round $ha_s $ha_rss $ha_cpu $client_s $duck_s $duck_rows" | tee -a "$work/rounds.$s" | awk -v r="$rows" -v s="$s" '{
      b = $5 + $6
      printf "%s round %d: healthanchor %5.2f s %8.0f rows/s %4d MiB CPU %s | client %5.2f s + duckdb %5.2f s = %5.2f s %8.0f rows/s (%d rows) | ratio %.2f\n",
        s, $1, $2, r/$2, $3, $4, $5, $6, b, r/b, $7, b/$2 }'
  done
done

# Medians over the rounds of each server: healthanchor's time, the
# baseline's, and the per-round ratio (baseline seconds / healthanchor
# seconds), so that both sides of a ratio saw the same moment of the
# machine.
for s in $servers; do
  awk -v r="$rows" -v s="$s" '
    function median(a, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
      return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
    }
    function lo(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] < m) m = a[i]; return m }
    function hi(a, n,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
    { n++; h[n] = $2; b[n] = $5 + $6; q[n] = ($5 + $6) / $2; if ($3 > hr) hr = $3 }
    END {
      hs = median(h, n); bs = median(b, n)
      printf "%s healthanchor run : median %5.2f s (%5.2f to %5.2f)  %9.0f rows/s  peak RSS (highest) %4d MiB\n", s, hs, lo(h, n), hi(h, n), r/hs, hr
      printf "%s client + duckdb  : median %5.2f s (%5.2f to %5.2f)  %9.0f rows/s\n", s, bs, lo(b, n), hi(b, n), r/bs
      printf "%s ratio (baseline s / healthanchor s): median %.2f (%.2f to %.2f) over %d rounds (goal >= 1.0)\n", s, median(q, n), lo(q, n), hi(q, n), n
    }' "$work/rounds.$s"
done
