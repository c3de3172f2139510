package connectors

import (
	"fmt"
	"sort"
	"strings"
)

// function is one mapping function.
type function struct {
	min, max int    // number of arguments; max -1 for any
	arity    string // for messages
	eval     func(args []node, get ColumnFunc, tables CodeTables) (string, error)
}

// functions are the mapping functions, by name (docs/connectors.md).
var functions map[string]function

func init() {
	functions = map[string]function{
		"concat":  {1, -1, "one or more arguments", concat},
		"code":    {2, 3, "a value, a code table and an optional default", code},
		"default": {2, -1, "a value and one or more fallbacks", firstSet},
		"upper":   {1, 1, "one argument", unary(strings.ToUpper)},
		"lower":   {1, 1, "one argument", unary(strings.ToLower)},
		"trim":    {1, 1, "one argument", unary(strings.TrimSpace)},
	}
}

func functionNames() string {
	names := make([]string, 0, len(functions))
	for n := range functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// concat joins its arguments; it is empty when every column it reads is
// empty, so that concat(first, " ", last) of a record without a name is
// no value rather than " ".
func concat(args []node, get ColumnFunc, tables CodeTables) (string, error) {
	var b strings.Builder
	any, anySet := false, false
	for _, a := range args {
		v, err := a.eval(get, tables)
		if err != nil {
			return "", err
		}
		if _, lit := a.(literal); !lit {
			any = true
			anySet = anySet || v != ""
		}
		b.WriteString(v)
	}
	if any && !anySet {
		return "", nil
	}
	return b.String(), nil
}

// code looks a value up in a code table (exactly, then with white space
// trimmed). An empty value stays empty; an unknown one is the default when
// there is one, else an error naming the value and the table.
func code(args []node, get ColumnFunc, tables CodeTables) (string, error) {
	v, err := args[0].eval(get, tables)
	if err != nil || v == "" {
		return "", err
	}
	name := string(args[1].(tableRef))
	table, ok := tables[name]
	if !ok {
		return "", fmt.Errorf("no code table %q", name)
	}
	if c, ok := table[v]; ok {
		return c, nil
	}
	if c, ok := table[strings.TrimSpace(v)]; ok {
		return c, nil
	}
	if len(args) == 3 {
		return args[2].eval(get, tables)
	}
	return "", fmt.Errorf("%s is not in code table %s", quoteValue(v), name)
}

// firstSet returns its first non-empty argument.
func firstSet(args []node, get ColumnFunc, tables CodeTables) (string, error) {
	for _, a := range args {
		v, err := a.eval(get, tables)
		if err != nil || v != "" {
			return v, err
		}
	}
	return "", nil
}

func unary(f func(string) string) func([]node, ColumnFunc, CodeTables) (string, error) {
	return func(args []node, get ColumnFunc, tables CodeTables) (string, error) {
		v, err := args[0].eval(get, tables)
		return f(v), err
	}
}
