// An outside check of `healthanchor export fhir` and `healthanchor fetch
// --format fhir`: validates every line of every NDJSON file of a FHIR Bulk
// Data export folder against the FHIR R4 structure definitions of the npm
// `fhir` package (not healthanchor's code), and checks the output
// manifest against the files. Prints one
// line per problem and exits 1 when there is any, 0 otherwise.
//
//   node tools/validate-fhir.mjs EXPORT_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

// fhir is installed under bench/ (npm install there).
const require = createRequire(new URL('../bench/package.json', import.meta.url));
const { Fhir } = require('fhir');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node tools/validate-fhir.mjs EXPORT_DIR');
  process.exit(2);
}
const fhir = new Fhir();

// Errors and warnings are problems (an "Unexpected property" warning is a
// misspelt element), with one exception: a code "not found in value set"
// of a binding that is not required (the package reports those as
// warnings, required ones as errors), which FHIR allows where no code of
// the value set fits: healthanchor's own codes (urn:healthanchor:...) in
// AuditEvent.subtype, a LOINC code in Observation.code (the package does
// not carry LOINC), a v2 code where HL7's v2-to-FHIR maps keep one.
// Information messages (a value set the package does not carry) are not.
function allowed(m) {
  if (m.severity === 'information' || m.severity === 'info') return true;
  return m.severity === 'warning' && /not found in value set$/.test(m.message);
}
const problems = [];
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
for (const key of ['transactionTime', 'request', 'requiresAccessToken', 'output', 'error']) {
  if (!(key in manifest)) problems.push(`manifest.json: no ${key}`);
}
let resources = 0;
for (const out of manifest.output ?? []) {
  const lines = readFileSync(join(dir, out.url), 'utf8').split('\n');
  if (lines.pop() !== '') problems.push(`${out.url}: the last line does not end with a newline`);
  if (lines.length !== out.count) problems.push(`${out.url}: ${lines.length} lines, the manifest says ${out.count}`);
  lines.forEach((line, i) => {
    const at = `${out.url}:${i + 1}`;
    let r;
    try {
      r = JSON.parse(line);
    } catch (e) {
      problems.push(`${at}: not JSON: ${e.message}`);
      return;
    }
    if (r.resourceType !== out.type) problems.push(`${at}: resourceType ${r.resourceType}, the file holds ${out.type}`);
    const res = fhir.validate(r);
    for (const m of res.messages) {
      if (allowed(m)) continue;
      problems.push(`${at}: ${m.severity}: ${m.location}: ${m.message}`);
    }
    resources++;
  });
}
for (const p of problems) console.log(p);
console.log(`${resources} resources in ${(manifest.output ?? []).length} files: ${problems.length} problems`);
process.exit(problems.length > 0 ? 1 : 0);
