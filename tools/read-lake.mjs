// Reads a data-lake folder of batch files (docs/storage.md, "Reading the
// layout") with DuckDB: the rows of schema patient/1 by date partition
// (hive_partitioning), and the rows of each batch joined to its anchor
// sidecar. Prints one JSON object. Used by the tests to show the layout
// reads as documented.
//
//   node tools/read-lake.mjs FOLDER
import { createRequire } from 'node:module';

// @duckdb/node-api is installed under bench/ (npm install there).
const require = createRequire(new URL('../bench/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const lake = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const q = (s) => "'" + s.replaceAll("'", "''") + "'";
const rows = q(lake + '/schema=patient_1/*/*.parquet');
const sidecars = q(lake + '/schema=patient_1/*/_*.anchor.json');

const byDate = (await conn.runAndReadAll(
  `SELECT schema, date, count(*)::INTEGER AS n FROM read_parquet(${rows}, hive_partitioning = true) GROUP BY ALL ORDER BY ALL`)).getRowObjectsJson();
const byBatch = (await conn.runAndReadAll(
  `SELECT s.batch_id, s.block_height::INTEGER AS block_height, s.manifest.merkle_root AS merkle_root, count(*)::INTEGER AS n
   FROM read_parquet(${rows}, filename = true, hive_partitioning = true) p
   JOIN read_json(${sidecars}) s ON p.filename LIKE '%' || s.batch_id || '.parquet'
   GROUP BY ALL ORDER BY ALL`)).getRowObjectsJson();
console.log(JSON.stringify({ by_date: byDate, by_batch: byBatch }));
