package storage

import (
	"fmt"
	"strings"
)

// The data-lake layout (docs/storage.md), relative to the prefix:
//
//	schema=patient_1/date=2026-12-02/BATCH_ID.parquet        rows
//	schema=patient_1/date=2026-12-02/_BATCH_ID.anchor.json   sidecar
//	schema=reject_1/date=2026-12-02/BATCH_ID.parquet         rejects
//	_staging/BATCH_ID.parquet.part                           before anchoring
//
// Partition values are hive style (key=value), so DuckDB, Spark and Trino
// read a schema's folder as one table with schema and date columns. Names
// starting with '_' are skipped by Spark, Hive and Trino, and do not match
// *.parquet, so sidecars and staging objects never look like data.

// StagingDir holds objects uploaded but not yet published.
const StagingDir = "_staging/"

// partition is schema=patient_1/date=YYYY-MM-DD/ for schema id
// "patient/1" and day.
func partition(schemaID, day string) string {
	return fmt.Sprintf("schema=%s/date=%s/", strings.ReplaceAll(schemaID, "/", "_"), day)
}

// RowsKey is where batch batchID's rows file of schemaID lives, for the
// UTC day (YYYY-MM-DD) its manifest was created.
func RowsKey(schemaID, day, batchID string) string {
	return partition(schemaID, day) + batchID + ".parquet"
}

// RejectsKey is where batch batchID's rejects file (schema reject/1)
// lives: in the reject_1 partition, under the same batch id.
func RejectsKey(day, batchID string) string {
	return partition("reject/1", day) + batchID + ".parquet"
}

// SidecarKey is where batch batchID's anchor sidecar (Sidecar) lives,
// beside its rows file.
func SidecarKey(schemaID, day, batchID string) string {
	return partition(schemaID, day) + "_" + batchID + ".anchor.json"
}

// StagingKey is where a file of batch batchID waits to be published;
// kind is "rows" or "rejects".
func StagingKey(batchID, kind string) string {
	if kind == "rejects" {
		return StagingDir + batchID + ".rejects.parquet.part"
	}
	return StagingDir + batchID + ".parquet.part"
}
