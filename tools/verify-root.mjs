// An independent re-implementation of docs/format.md sections 1 and 3:
// reads a Parquet batch file with DuckDB (not with healthanchor's code),
// rebuilds every row's canonical record, and prints the RFC 9162 Merkle
// root. Used by the tests to show that the format alone is enough. A file
// rewritten by erasure has a _leaf column (docs/format.md, "Erased rows"):
// it is not part of any record, and a row whose _leaf is set has that hex
// as its leaf hash.
//
//   node tools/verify-root.mjs FILE.parquet
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';

// @duckdb/node-api is installed under bench/ (npm install there).
const require = createRequire(new URL('../bench/package.json', import.meta.url));
const { DuckDBInstance } = require('@duckdb/node-api');

const file = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const conn = await db.connect();
const q = (s) => "'" + s.replaceAll("'", "''") + "'";
const id = (s) => '"' + s.replaceAll('"', '""') + '"';

// Each column as its canonical text, by its type (section 1).
const described = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${q(file)})`)).getRows();
const hasLeaf = described.some(([name]) => name === '_leaf');
const cols = described.filter(([name]) => name !== '_leaf');
const exprs = cols.map(([name, type]) => {
  const c = id(name);
  if (type === 'BLOB') return `lower(hex(${c}))`;
  if (type.startsWith('TIMESTAMP')) return `CAST(epoch_us(${c}) AS VARCHAR)`;
  return `CAST(${c} AS VARCHAR)`;
});
const names = cols.map(([name]) => name);
const isTs = cols.map(([, type]) => type.startsWith('TIMESTAMP'));
if (hasLeaf) exprs.push('"_leaf"');
const rows = (await conn.runAndReadAll(`SELECT ${exprs.join(', ')} FROM read_parquet(${q(file)})`)).getRows();

// JSON string escaping as RFC 8785 does it.
function jsonString(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += '\\u00' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

// Microseconds since the epoch as YYYY-MM-DDTHH:MM:SS.ffffffZ.
function timestamp(us) {
  const n = BigInt(us);
  let sec = n / 1000000n, frac = n % 1000000n;
  if (frac < 0n) { frac += 1000000n; sec -= 1n; }
  const d = new Date(Number(sec) * 1000);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const p = (v) => String(v).padStart(2, '0');
  return `${y}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${String(frac).padStart(6, '0')}Z`;
}

const order = names.map((n, i) => i).sort((a, b) => (Buffer.from(names[a]) < Buffer.from(names[b]) ? -1 : 1));
const sha = (...parts) => { const h = createHash('sha256'); for (const p of parts) h.update(p); return h.digest(); };
let erased = 0;
const leaves = rows.map((row, r) => {
  const kept = hasLeaf ? row[names.length] : null;
  if (kept !== null && kept !== undefined) {
    if (!/^[0-9a-f]{64}$/.test(kept) || row.slice(0, names.length).some((v) => v !== null)) {
      throw new Error(`row ${r}: an erased row must hold only its _leaf (64 hex digits)`);
    }
    erased++;
    return Buffer.from(kept, 'hex');
  }
  const members = order.map((i) => {
    let v = row[i];
    if (v !== null && isTs[i]) v = timestamp(v);
    return jsonString(names[i]) + ':' + (v === null ? 'null' : jsonString(String(v)));
  });
  return sha(Buffer.from([0]), Buffer.from('{' + members.join(',') + '}', 'utf8'));
});

// RFC 9162 Merkle Tree Hash (section 3).
function mth(ls) {
  if (ls.length === 0) return sha(Buffer.alloc(0));
  if (ls.length === 1) return ls[0];
  let k = 1;
  while (k * 2 < ls.length) k *= 2;
  return sha(Buffer.from([1]), mth(ls.slice(0, k)), mth(ls.slice(k)));
}
console.log(JSON.stringify({ rows: rows.length, erased, root: mth(leaves).toString('hex') }));
