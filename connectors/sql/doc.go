// Package sql is the connector for relational sources: PostgreSQL (pgx
// through database/sql), MySQL and MariaDB (go-sql-driver/mysql) and
// SQLite (modernc.org/sqlite). It reads a table or a read-only SELECT
// incrementally by a watermark column and a unique tie-breaker key, in
// keyset-paginated chunks inside one read-only consistent snapshot, and
// converts each column to its canonical type, turning values that do not
// convert into rejects that name the table, the key and the column.
//
// The watermark it hands the pipeline is the JSON of the last position of
// the window ({value, key}) and, when a look-back is configured, the
// content hashes of the rows already anchored inside the look-back
// horizon (docs/sql.md).
package sql
