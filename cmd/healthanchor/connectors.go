package main

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/spf13/cobra"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/connectors/scaffold"
)

// connectorListing is one connector in `connectors list --json`.
type connectorListing struct {
	Name    string          `json:"name"`
	Doc     string          `json:"doc"`
	Options []optionListing `json:"options"`
}

type optionListing struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

func newConnectorsCmd() *cobra.Command {
	cmd := groupCmd("connectors", "List the source connectors and their options", "")
	var asJSON bool
	list := &cobra.Command{
		Use:   "list",
		Short: "List every connector with its options (see docs/connectors.md)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var out []connectorListing
			for _, name := range connectors.Names() {
				spec, err := connectors.Lookup(name)
				if err != nil {
					return err
				}
				l := connectorListing{Name: name, Doc: spec.Doc, Options: []optionListing{}}
				if spec.Config != nil {
					l.Options = optionsOf(reflect.TypeOf(spec.Config()))
				}
				out = append(out, l)
			}
			w := cmd.OutOrStdout()
			if asJSON {
				return writeJSON(w, out)
			}
			for _, l := range out {
				fmt.Fprintf(w, "%s: %s\n", l.Name, l.Doc)
				for _, o := range l.Options {
					fmt.Fprintf(w, "    %-20s %s\n", o.Name, o.Type)
				}
			}
			return nil
		},
	}
	list.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.AddCommand(list, newConnectorsNewCmd())
	return cmd
}

func newConnectorsNewCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Write a new connector package skeleton under connectors/NAME (see docs/connectors.md)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := scaffold.Write(dir, args[0], scaffold.ModuleOf(dir))
			if err != nil {
				return usageErr("%v", err)
			}
			w := cmd.OutOrStdout()
			for _, f := range files {
				fmt.Fprintln(w, "wrote", f)
			}
			pkg := filepath.ToSlash(filepath.Join(dir, args[0]))
			if !filepath.IsAbs(pkg) {
				pkg = "./" + pkg
			}
			fmt.Fprintf(w, "next: write parse in %s/connector.go (until then its tests fail, saying so), make testdata/good.txt an input of your source,\n"+
				"run go test %s/ -run TestGolden -update once to write testdata/good.golden (read it), set the counts in TestConformance,\n"+
				"and import the package in cmd/healthanchor/main.go: _ \"%s/connectors/%s\"\n", pkg, pkg, scaffold.ModuleOf(dir), args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "connectors", "the repository's connectors folder")
	return cmd
}

// optionsOf lists the yaml-tagged fields of a config struct type.
func optionsOf(t reflect.Type) []optionListing {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []optionListing
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" || !f.IsExported() {
			continue
		}
		out = append(out, optionListing{Name: name, Type: typeName(f.Type)})
	}
	return out
}

func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Map:
		return "map of " + typeName(t.Key()) + " to " + typeName(t.Elem())
	case reflect.Struct:
		return "object"
	}
	return t.Kind().String()
}
