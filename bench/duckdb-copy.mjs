// Converts a CSV file to Parquet (zstd) with DuckDB's defaults and prints
// the elapsed seconds: the reference that bench/e2e.sh compares against.
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, out] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const q = (s) => "'" + s.replaceAll("'", "''") + "'";
const start = process.hrtime.bigint();
await conn.run(`COPY (SELECT * FROM read_csv(${q(csv)})) TO ${q(out)} (FORMAT parquet, COMPRESSION zstd)`);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const reader = await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${q(out)})`);
console.log(JSON.stringify({ seconds, rows: Number(reader.getRows()[0][0]) }));
