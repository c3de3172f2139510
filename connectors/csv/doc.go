// Package csv is the connector for CSV exports dropped in a folder: it
// takes each file matching a path or glob exactly once (connectors.DropFolder),
// maps header columns to a canonical schema (patient/1 by default), decodes
// UTF-8, Windows-1252 or ISO-8859-1 text, parses dates, timestamps, numbers
// and booleans, and streams one canonical row per CSV record with
// source_ref "FILE:LINE". A record that cannot become a row is streamed as
// a reject carrying its raw bytes and a reason naming file, line and
// column; the run goes on. Files are read as a stream with bounded memory.
//
// The options are described in docs/csv.md.
package csv
