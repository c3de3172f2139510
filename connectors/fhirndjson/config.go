package fhirndjson

import (
	"fmt"
	"sort"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// Defaults of the options left empty.
const (
	DefaultSource       = "fhir"
	DefaultMaxLineBytes = 16 << 20
)

// Config is the fhir-ndjson connector's options (docs/fhir.md). Validate
// applies the defaults and names the first bad field.
type Config struct {
	// Input is a file or a glob of NDJSON files, relative to the job's
	// base folder (a $export output folder: inbox/fhir/*.ndjson).
	Input string `yaml:"input"`
	// Source names the source system in every row's source column.
	Source string `yaml:"source"`
	// IdentifierSystem, if set, is the Patient.identifier system whose
	// value is patient_id (a medical record number's system); Encounter
	// and Observation subjects are then resolved through the Patient
	// resources of the same window. Empty: patient_id is the Patient's
	// logical id, and a subject "Patient/ID" gives ID.
	IdentifierSystem string `yaml:"identifier_system"`
	// Timezone is the IANA zone of dateTimes written without an offset;
	// empty means the job's zone, else UTC.
	Timezone string `yaml:"timezone"`
	// MaxLineBytes bounds one resource (one line).
	MaxLineBytes int `yaml:"max_line_bytes"`
	// Mapping replaces the fixed rule of some columns, by resource type
	// (Patient, Encounter, Observation): canonical column → a path in the
	// resource (identifier[1].value) or a mapping expression whose
	// columns are such paths (docs/fhir.md, "Mapping").
	Mapping map[string]map[string]string `yaml:"mapping"`
	// Codes are the code tables mapping expressions look codes up in
	// (docs/connectors.md, "Code tables").
	Codes connectors.CodeTables `yaml:"codes"`
	// CodeTables is the older name of Codes, still read; giving both is
	// an error.
	CodeTables connectors.CodeTables `yaml:"code_tables"`

	loc      *time.Location
	codes    connectors.CodeTables                   // Codes or CodeTables
	mappings map[*schemas.Schema]*connectors.Mapping // by the schema a resource type maps to
	paths    map[string]path                         // every path the mappings read
}

// Validate applies the defaults and checks every option, naming the field
// at fault.
func (c *Config) Validate() error {
	if c.Input == "" {
		return fmt.Errorf("fhir-ndjson: input: required (a file or a glob such as inbox/fhir/*.ndjson)")
	}
	if c.Source == "" {
		c.Source = DefaultSource
	}
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = DefaultMaxLineBytes
	}
	if c.MaxLineBytes < 1024 || c.MaxLineBytes > 1<<30 {
		return fmt.Errorf("fhir-ndjson: max_line_bytes: %d is out of range: 1024 to 1073741824", c.MaxLineBytes)
	}
	var err error
	if c.loc, err = connectors.LoadZone(c.Timezone); err != nil {
		return fmt.Errorf("fhir-ndjson: %w", err)
	}
	if c.codes, err = connectors.JobCodes(c.Codes, c.CodeTables); err != nil {
		return fmt.Errorf("fhir-ndjson: %w", err)
	}
	return c.compileMappings()
}

// compileMappings compiles the mapping of each resource type and parses
// every path its expressions read.
func (c *Config) compileMappings() error {
	c.mappings = map[*schemas.Schema]*connectors.Mapping{}
	c.paths = map[string]path{}
	types := make([]string, 0, len(c.Mapping))
	for typ := range c.Mapping {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		s := schemaOf(typ)
		if s == nil {
			return fmt.Errorf("fhir-ndjson: mapping.%s: not a resource type read (Patient, Encounter, Observation)", typ)
		}
		at := "mapping." + typ
		m, err := connectors.CompileMappingAt(at, s, c.Mapping[typ], c.codes)
		if err != nil {
			return fmt.Errorf("fhir-ndjson: %w", err)
		}
		for col := range c.Mapping[typ] {
			for _, name := range m.Expr(s.Index(col)).Columns() {
				p, err := parsePath(name)
				if err != nil {
					return fmt.Errorf("fhir-ndjson: %s.%s: %w", at, col, err)
				}
				c.paths[name] = p
			}
		}
		c.mappings[s] = m
	}
	return nil
}
