package pipeline

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/healthanchor/healthanchor/connectors"
	"github.com/healthanchor/healthanchor/storage"
)

// unknownKey is a key of the config file that no field takes: a typo that
// would otherwise silently change what a deployment does.
type unknownKey struct {
	path      string // $.jobs[1].options.delimter
	key       string
	line, col int
	known     []string
}

// unknownKeys walks the config file's syntax tree against the Config
// struct and, under each job's options, against that job's connector
// config, and returns every key no field takes, in file order. Unlike a
// strict decoder, which stops at the first, it finds them all.
func unknownKeys(file *ast.File) []unknownKey {
	var out []unknownKey
	for _, doc := range file.Docs {
		walkKeys(doc.Body, "$", reflect.TypeOf(Config{}), &out)
		// output decodes itself (a folder or a store): walk a store's keys.
		walkKeys(valueOf(doc.Body, "output"), "$.output", reflect.TypeOf(storage.Config{}), &out)
	}
	for i, job := range sequenceAt(file, "jobs") {
		name := scalarValue(valueOf(job, "connector"))
		spec, err := connectors.Lookup(name)
		if err != nil || spec.Config == nil {
			continue // config check says the connector is unknown
		}
		if opts := valueOf(job, "options"); opts != nil {
			walkKeys(opts, fmt.Sprintf("$.jobs[%d].options", i), reflect.TypeOf(spec.Config()), &out)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].line != out[b].line {
			return out[a].line < out[b].line
		}
		return out[a].col < out[b].col
	})
	return out
}

// walkKeys checks the keys of node, a mapping, against the yaml fields of
// t, and descends into fields that are structs (or pointers to, or lists
// of, structs). Maps (a job's options) are not walked: unknownKeys walks
// each job's options against its connector's config.
func walkKeys(node ast.Node, path string, t reflect.Type, out *[]unknownKey) {
	t = structType(t)
	if t == nil || hasCustomUnmarshal(t) {
		return
	}
	fields := yamlFields(t)
	for _, mv := range mappingValues(node) {
		key := mv.Key.String()
		f, ok := fields[key]
		if !ok {
			tok := mv.Key.GetToken()
			*out = append(*out, unknownKey{path: path + "." + key, key: key, line: tok.Position.Line, col: tok.Position.Column, known: sortedNames(fields)})
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Slice {
			for i, item := range sequenceValues(mv.Value) {
				walkKeys(item, fmt.Sprintf("%s.%s[%d]", path, key, i), ft.Elem(), out)
			}
			continue
		}
		walkKeys(mv.Value, path+"."+key, ft, out)
	}
}

// structType is t's struct type through pointers and slices, or nil.
func structType(t reflect.Type) reflect.Type {
	for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice) {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	return t
}

// hasCustomUnmarshal says whether t decodes itself (a scalar such as a
// file mode): its keys are not fields.
func hasCustomUnmarshal(t reflect.Type) bool {
	for _, name := range []string{"UnmarshalYAML", "UnmarshalText"} {
		if _, ok := reflect.PointerTo(t).MethodByName(name); ok {
			return true
		}
	}
	return false
}

// yamlFields maps each yaml key of struct t to its field.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	if t == nil {
		return out
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f
	}
	return out
}

func sortedNames(fields map[string]reflect.StructField) []string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// mappingValues returns the key-value pairs of a mapping node.
func mappingValues(node ast.Node) []*ast.MappingValueNode {
	switch n := node.(type) {
	case *ast.MappingNode:
		return n.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{n}
	case *ast.TagNode:
		return mappingValues(n.Value)
	case *ast.AnchorNode:
		return mappingValues(n.Value)
	}
	return nil
}

// sequenceValues returns the items of a sequence node.
func sequenceValues(node ast.Node) []ast.Node {
	switch n := node.(type) {
	case *ast.SequenceNode:
		return n.Values
	case *ast.TagNode:
		return sequenceValues(n.Value)
	case *ast.AnchorNode:
		return sequenceValues(n.Value)
	}
	return nil
}

// valueOf returns the value of key in mapping node, or nil.
func valueOf(node ast.Node, key string) ast.Node {
	for _, mv := range mappingValues(node) {
		if mv.Key.String() == key {
			return mv.Value
		}
	}
	return nil
}

// sequenceAt returns the items of the top-level key's sequence.
func sequenceAt(file *ast.File, key string) []ast.Node {
	for _, doc := range file.Docs {
		if v := valueOf(doc.Body, key); v != nil {
			return sequenceValues(v)
		}
	}
	return nil
}

func scalarValue(node ast.Node) string {
	if node == nil {
		return ""
	}
	return strings.Trim(node.String(), `"'`)
}

// closest returns the known name nearest to key (a likely typo), or "".
func closest(key string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := editDistance(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// unknownKeyErrors is one ConfigError per unknown key of file, naming the
// nearest known key when there is one.
func unknownKeyErrors(path string, file *ast.File) ConfigErrors {
	var errs ConfigErrors
	for _, u := range unknownKeys(file) {
		msg := fmt.Sprintf("unknown field %q", u.key)
		if near := closest(u.key, u.known); near != "" {
			msg += fmt.Sprintf(" (did you mean %q? see docs/config.md)", near)
		} else {
			msg += fmt.Sprintf(" (known here: %s; see docs/config.md)", strings.Join(u.known, ", "))
		}
		errs = append(errs, ConfigError{File: path, Line: u.line, Column: u.col, Msg: msg})
	}
	return errs
}

// dropUnknownOptions removes the unknown keys of each job's options, so
// that the connector's strict decoding goes on to check the rest instead
// of stopping, again, at a key already reported.
func dropUnknownOptions(cfg *Config, file *ast.File) {
	for _, u := range unknownKeys(file) {
		var i int
		var key string
		if n, _ := fmt.Sscanf(u.path, "$.jobs[%d].options.%s", &i, &key); n == 2 && i < len(cfg.Jobs) && !strings.Contains(key, ".") {
			delete(cfg.Jobs[i].Options, key)
		}
	}
}
