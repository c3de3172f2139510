// Package csvgen writes realistic, deterministic synthetic patient CSV
// files in the patient/1 layout, for demos, tests and benchmarks: names
// with accents from several countries, plausible dates, quoted addresses
// with commas, quotes and line breaks, and a chosen fraction of bad rows.
package csvgen
