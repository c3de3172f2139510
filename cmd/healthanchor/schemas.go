package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/schemas"
)

// schemaListing is one schema version in `schemas list --json` and
// `schemas show --json`.
type schemaListing struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Version     int             `json:"version"`
	Fingerprint string          `json:"fingerprint"`
	Columns     []columnListing `json:"columns"`
}

// columnListing is one column of a schema version.
type columnListing struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Scale    int32  `json:"scale,omitempty"`
	Required bool   `json:"required"`
	Doc      string `json:"doc,omitempty"`
}

func listingOf(s *schemas.Schema) schemaListing {
	l := schemaListing{ID: s.ID(), Name: s.Name, Version: s.Version, Fingerprint: s.Fingerprint()}
	for _, f := range s.Fields {
		l.Columns = append(l.Columns, columnListing{Name: f.Name, Kind: f.Kind.String(), Scale: f.Scale, Required: f.Required, Doc: f.Doc})
	}
	return l
}

// listingsOf lists schema versions as `--json` prints them.
func listingsOf(ss []*schemas.Schema) []schemaListing {
	out := make([]schemaListing, 0, len(ss))
	for _, s := range ss {
		out = append(out, listingOf(s))
	}
	return out
}

func newSchemasCmd() *cobra.Command {
	cmd := groupCmd("schemas", "List the canonical schemas, their versions and columns",
		"The canonical schemas every connector normalises into. A schema version is\n"+
			"NAME/VERSION (patient/1), pinned by its fingerprint, the SHA-256 of its\n"+
			"columns' description that every batch file and manifest carries; a change\n"+
			"of columns is a new version beside the old, whose batches keep verifying\n"+
			"(docs/schemas.md; the columns and the canonical record in docs/format.md).")
	cmd.AddCommand(newSchemasListCmd(), newSchemasShowCmd())
	return cmd
}

func newSchemasListCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every schema version with its column count and fingerprint",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			all := schemas.All()
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, listingsOf(all))
			}
			fmt.Fprintf(w, "%-16s %7s  %s\n", "SCHEMA", "COLUMNS", "FINGERPRINT")
			for _, s := range all {
				fmt.Fprintf(w, "%-16s %7d  %s\n", s.ID(), len(s.Fields), s.Fingerprint())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON, with every version's columns")
	return cmd
}

func newSchemasShowCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "show NAME|NAME/VERSION",
		Short: "Print the columns of every version of a schema (patient), or of one (patient/1)",
		Example: "  healthanchor schemas show patient\n" +
			"  healthanchor schemas show observation/1 --json",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			found, err := schemasNamed(args[0])
			if err != nil {
				return usageErr("%v", err)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, listingsOf(found))
			}
			for i, s := range found {
				if i > 0 {
					fmt.Fprintln(w)
				}
				writeSchema(w, s)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// schemasNamed returns the one version an id names (patient/1), or every
// version of a name (patient).
func schemasNamed(arg string) ([]*schemas.Schema, error) {
	if strings.Contains(arg, "/") {
		s, err := schemas.Lookup(arg)
		if err != nil {
			return nil, err
		}
		return []*schemas.Schema{s}, nil
	}
	if found := schemas.Versions(arg); len(found) > 0 {
		return found, nil
	}
	return nil, fmt.Errorf("schemas: no schema named %q (known: %s)", arg, strings.Join(schemas.IDs(), ", "))
}

// writeSchema prints a schema version's header and its columns in order.
func writeSchema(w io.Writer, s *schemas.Schema) {
	fmt.Fprintf(w, "%s  fingerprint %s\n", s.ID(), s.Fingerprint())
	fmt.Fprintf(w, "  %-20s %-12s %-9s %s\n", "COLUMN", "KIND", "REQUIRED", "DOC")
	for _, f := range s.Fields {
		kind := f.Kind.String()
		if f.Kind == schemas.Decimal {
			kind = fmt.Sprintf("decimal(18,%d)", f.Scale) // precision, scale
		}
		req := "no"
		if f.Required {
			req = "yes"
		}
		line := fmt.Sprintf("  %-20s %-12s %-9s %s", f.Name, kind, req, f.Doc)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}
