package csv

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/schemas"
)

// Defaults of the options left empty.
const (
	DefaultSource         = "csv"
	DefaultSchema         = "patient/1"
	DefaultMaxRecordBytes = 1 << 20
	// MaxRecordLimit is the largest max_record_bytes accepted (1 GiB).
	MaxRecordLimit = 1 << 30
)

// Config is the csv connector's options (docs/csv.md). Validate applies
// the defaults and names the first bad field.
type Config struct {
	// Input is a file or a glob, relative to the job's base folder.
	Input string `yaml:"input"`
	// Source names the source system in every row's source column.
	Source string `yaml:"source"`
	// Schema is the canonical schema id the rows are in ("patient/1").
	Schema string `yaml:"schema"`
	// Mapping maps a canonical column to the CSV header that holds it
	// (matched case-insensitively), or to a 1-based column number when
	// Header is false. Columns not mapped are looked up by their own name.
	Mapping map[string]string `yaml:"mapping"`
	// Codes are the code tables mapping expressions look codes up in
	// (docs/connectors.md, "Code tables").
	Codes connectors.CodeTables `yaml:"codes"`
	// CodeTables is the older name of Codes, still read; giving both is
	// an error.
	CodeTables connectors.CodeTables `yaml:"code_tables"`
	// Delimiter separates fields: ",", ";", "|" or a tab ("\t" or "tab").
	Delimiter string `yaml:"delimiter"`
	// Quote is the quote character (default `"`), or "none".
	Quote string `yaml:"quote"`
	// Encoding is the text encoding: utf-8, windows-1252 or iso-8859-1.
	Encoding string `yaml:"encoding"`
	// DateFormats are the Go layouts tried, in order, for date columns.
	DateFormats []string `yaml:"date_formats"`
	// TimeFormats are the Go layouts tried, in order, for timestamp
	// columns; a time without a zone is taken in the job's time zone.
	TimeFormats []string `yaml:"time_formats"`
	// Timezone is the IANA zone of timestamps written without a UTC
	// offset; empty means the job's zone (the config's timezone), else UTC.
	Timezone string `yaml:"timezone"`
	// Header says whether the first record of each file names the columns.
	Header *bool `yaml:"header"`
	// MaxRecordBytes bounds one record (default 1 MiB, at most
	// MaxRecordLimit); a longer one is rejected with its first 64 KiB.
	MaxRecordBytes int `yaml:"max_record_bytes"`

	loc   *time.Location              // Timezone, loaded by Validate; nil when empty
	exprs map[string]*connectors.Expr // mapping values that are expressions, by column
	codes connectors.CodeTables       // Codes or CodeTables
}

// Validate applies the defaults and checks every option, naming the field
// at fault.
func (c *Config) Validate() error {
	if c.Input == "" {
		return fmt.Errorf("csv: input: required (a file or a glob such as inbox/csv/*.csv)")
	}
	if c.Source == "" {
		c.Source = DefaultSource
	}
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	schema, err := schemas.Lookup(c.Schema)
	if err != nil {
		return fmt.Errorf("csv: schema: %w", err)
	}
	if c.Header == nil {
		t := true
		c.Header = &t
	}
	if c.codes, err = connectors.JobCodes(c.Codes, c.CodeTables); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	if c.exprs, err = compileExprs(schema, c.Mapping, c.codes, *c.Header); err != nil {
		return err
	}
	for col, from := range c.Mapping {
		if c.exprs[col] != nil {
			continue
		}
		i := schema.Index(col)
		if i < schemas.NumCommon {
			return fmt.Errorf("csv: mapping: %q is not a column of %s that a CSV file can fill", col, c.Schema)
		}
		if from == "" {
			return fmt.Errorf("csv: mapping: %s: empty header name", col)
		}
		if !*c.Header {
			if n, err := strconv.Atoi(from); err != nil || n < 1 {
				return fmt.Errorf("csv: mapping: %s: %q must be a column number from 1 when header is false", col, from)
			}
		}
	}
	d, err := parseDelimiter(c.Delimiter)
	if err != nil {
		return err
	}
	c.Delimiter = string(d)
	q, err := parseQuote(c.Quote)
	if err != nil {
		return err
	}
	if q == d {
		return fmt.Errorf("csv: quote: %q is also the delimiter", c.Quote)
	}
	if c.Quote == "" {
		c.Quote = `"`
	}
	enc, err := lookupEncoding(c.Encoding)
	if err != nil {
		return err
	}
	c.Encoding = enc.name
	if c.loc, err = connectors.LoadZone(c.Timezone); err != nil {
		return fmt.Errorf("csv: %w", err)
	}
	if len(c.DateFormats) == 0 {
		c.DateFormats = connectors.DefaultDateLayouts
	}
	if err := checkLayouts("date_formats", c.DateFormats); err != nil {
		return err
	}
	if len(c.TimeFormats) == 0 {
		c.TimeFormats = connectors.DefaultTimeLayouts
	}
	if err := checkLayouts("time_formats", c.TimeFormats); err != nil {
		return err
	}
	if c.MaxRecordBytes == 0 {
		c.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if c.MaxRecordBytes < 64 || c.MaxRecordBytes > MaxRecordLimit {
		return fmt.Errorf("csv: max_record_bytes: %d is out of range (64 to %d)", c.MaxRecordBytes, MaxRecordLimit)
	}
	return nil
}

// parseDelimiter accepts ",", ";", "|" and a tab written as a tab
// character, `\t` or "tab".
func parseDelimiter(s string) (byte, error) {
	switch s {
	case "", ",":
		return ',', nil
	case ";", "|":
		return s[0], nil
	case "\t", `\t`, "tab", "TAB":
		return '\t', nil
	}
	return 0, fmt.Errorf(`csv: delimiter: %q is not one of ",", ";", "|", "\t"`, s)
}

// parseQuote returns the quote byte, or 0 for "none".
func parseQuote(s string) (byte, error) {
	switch {
	case s == "":
		return '"', nil
	case strings.EqualFold(s, "none"):
		return 0, nil
	case len(s) == 1 && s[0] > ' ' && s[0] < 0x7f:
		return s[0], nil
	}
	return 0, fmt.Errorf("csv: quote: %q must be one printable ASCII character or none", s)
}

// checkLayouts refuses layouts with no date or time element, the usual
// mistake of writing "DD/MM/YYYY" instead of Go's "02/01/2006".
func checkLayouts(field string, layouts []string) error {
	ref := time.Date(1999, 12, 31, 23, 58, 57, 0, time.UTC)
	for i, l := range layouts {
		if l == "" || ref.Format(l) == l {
			return fmt.Errorf("csv: %s[%d]: %q has no date or time element (Go layouts write dates as 2006-01-02 or 02/01/2006)", field, i, l)
		}
	}
	return nil
}

// Warnings reports date or time formats that mix day-first and
// month-first layouts of one shape (every value that fits both is then
// rejected as ambiguous).
func (c *Config) Warnings() []string {
	var out []string
	for _, f := range []struct {
		name    string
		layouts []string
	}{{"date_formats", c.DateFormats}, {"time_formats", c.TimeFormats}} {
		if msg := connectors.MixedDayMonthOrder(f.layouts); msg != "" {
			out = append(out, "csv: "+f.name+": "+msg)
		}
	}
	return out
}
