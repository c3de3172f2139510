package connectors

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Expr is one compiled mapping value: a source column, a constant, or a
// call of one of the mapping functions (docs/connectors.md, "Mapping
// expressions"). Every value is text; the empty string is "no value".
type Expr struct {
	root node
}

// ColumnFunc returns the text of a source column (a CSV header, a JSON
// property); ok is false when the record has no such column.
type ColumnFunc func(column string) (value string, ok bool)

// CodeTables are the code tables of a job, by name: local code → canonical code.
type CodeTables map[string]map[string]string

// node is one piece of an expression tree.
type node interface {
	eval(get ColumnFunc, tables CodeTables) (string, error)
	String() string
}

// Eval computes the expression for one record.
func (e *Expr) Eval(get ColumnFunc, tables CodeTables) (string, error) {
	return e.root.eval(get, tables)
}

// String prints the expression in the syntax ParseExpr reads.
func (e *Expr) String() string { return e.root.String() }

// Columns lists the source columns the expression reads, in order of appearance.
func (e *Expr) Columns() []string {
	var out []string
	var walk func(n node)
	walk = func(n node) {
		switch n := n.(type) {
		case column:
			out = append(out, string(n))
		case *call:
			for _, a := range n.args {
				walk(a)
			}
		}
	}
	walk(e.root)
	return out
}

// Column returns the column name when the expression is a bare column.
func (e *Expr) Column() (string, bool) {
	c, ok := e.root.(column)
	return string(c), ok
}

// Tables lists the code tables the expression names.
func (e *Expr) Tables() []string {
	var out []string
	var walk func(n node)
	walk = func(n node) {
		if c, ok := n.(*call); ok {
			if c.fn == "code" {
				out = append(out, string(c.args[1].(tableRef)))
			}
			for _, a := range c.args {
				walk(a)
			}
		}
	}
	walk(e.root)
	return out
}

// ParseMapping reads one mapping value. A value that starts with a double
// quote, or with the name of a mapping function and "(", is an expression;
// a value holding a brace is a template ("{street} {number}", as YAML
// hands over a double-quoted value); anything else is a column name taken
// as written (so that existing mappings to headers such as "Date of
// Birth" keep their meaning).
func ParseMapping(s string) (*Expr, error) {
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, `"`) || looksLikeCall(t):
		return ParseExpr(t)
	case s == "":
		return nil, fmt.Errorf("empty column name")
	case strings.ContainsAny(s, "{}"):
		p := &parser{src: s}
		n, err := p.text(false)
		if err != nil {
			return nil, err
		}
		return &Expr{root: n}, nil
	}
	return &Expr{root: column(s)}, nil
}

func looksLikeCall(s string) bool {
	i := 0
	for i < len(s) && isIdent(s[i], i == 0) {
		i++
	}
	name := s[:i]
	rest := strings.TrimLeft(s[i:], " \t")
	_, known := functions[name]
	return known && strings.HasPrefix(rest, "(")
}

// ParseExpr parses the expression syntax:
//
//	expr   = call | column | string
//	call   = name "(" [ expr { "," expr } ] ")"
//	column = name | "`" any text but "`" "`"
//	string = '"' { char | "\\" ( '"' | "\\" | "n" | "t" ) | "{{" | "}}" | "{" column-name "}" } '"'
//	name   = letter_ { letter_ | digit | "." | "-" }
//
// A string without a {column} placeholder is a constant; with one, it is a
// template that concat computes: "{street} {number}" is
// concat(street, " ", number). In code(value, table[, default]) the
// second argument names a code table.
func ParseExpr(s string) (*Expr, error) {
	p := &parser{src: s}
	n, err := p.expr(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.src) {
		return nil, p.errf("unexpected %q after the expression", p.src[p.pos:])
	}
	return &Expr{root: n}, nil
}

// maxDepth bounds nesting so that hostile input cannot exhaust the stack.
const maxDepth = 32

type parser struct {
	src string
	pos int
}

func (p *parser) errf(format string, args ...any) error {
	return fmt.Errorf("expression %q: at %d: %s", p.src, p.pos+1, fmt.Sprintf(format, args...))
}

func (p *parser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func isIdent(b byte, first bool) bool {
	switch {
	case b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z':
		return true
	case first:
		return false
	}
	return b >= '0' && b <= '9' || b == '.' || b == '-'
}

func (p *parser) expr(depth int) (node, error) {
	if depth > maxDepth {
		return nil, p.errf("nested deeper than %d calls", maxDepth)
	}
	p.space()
	if p.pos >= len(p.src) {
		return nil, p.errf("expected a column, a string or a call")
	}
	switch c := p.src[p.pos]; {
	case c == '"':
		return p.str()
	case c == '`':
		end := strings.IndexByte(p.src[p.pos+1:], '`')
		if end < 0 {
			return nil, p.errf("unterminated `column`")
		}
		name := p.src[p.pos+1 : p.pos+1+end]
		if name == "" {
			return nil, p.errf("empty `column`")
		}
		p.pos += end + 2
		return column(name), nil
	case isIdent(c, true):
		start := p.pos
		for p.pos < len(p.src) && isIdent(p.src[p.pos], false) {
			p.pos++
		}
		name := p.src[start:p.pos]
		p.space()
		if p.pos < len(p.src) && p.src[p.pos] == '(' {
			return p.call(name, depth)
		}
		return column(name), nil
	}
	return nil, p.errf("unexpected %q", p.src[p.pos:])
}

func (p *parser) str() (node, error) {
	p.pos++ // opening quote
	return p.text(true)
}

// text reads a constant or a template: up to the closing quote when
// quoted (with the string's backslash escapes), else to the end of the
// source (a bare mapping value, whose escapes YAML has resolved). A
// {column} placeholder makes it a template, compiled to the concat of its
// pieces; {{ and }} are literal braces.
func (p *parser) text(quoted bool) (node, error) {
	var parts []node
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			parts = append(parts, literal(b.String()))
			b.Reset()
		}
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		next := byte(0)
		if p.pos+1 < len(p.src) {
			next = p.src[p.pos+1]
		}
		switch {
		case c == '"' && quoted:
			p.pos++
			if parts == nil {
				return literal(b.String()), nil
			}
			flush()
			return &call{fn: "concat", args: parts, template: true}, nil
		case c == '\\' && quoted:
			if p.pos+1 >= len(p.src) {
				return nil, p.errf("unterminated string")
			}
			switch next {
			case '"', '\\':
				b.WriteByte(next)
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			default:
				return nil, p.errf(`unknown escape \%c (use \" \\ \n \t)`, next)
			}
			p.pos += 2
		case (c == '{' || c == '}') && next == c:
			b.WriteByte(c)
			p.pos += 2
		case c == '{':
			name, err := p.placeholder()
			if err != nil {
				return nil, err
			}
			flush()
			parts = append(parts, column(name))
		case c == '}':
			return nil, p.errf("} without its { (write }} for a brace)")
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
	if quoted {
		return nil, p.errf("unterminated string")
	}
	if parts == nil {
		return literal(b.String()), nil
	}
	flush()
	return &call{fn: "concat", args: parts, template: true}, nil
}

// placeholder reads the {column} at p.pos and returns the column's name.
func (p *parser) placeholder() (string, error) {
	start := p.pos
	end := start + 1
	for end < len(p.src) && !strings.ContainsRune(`{}"\`, rune(p.src[end])) {
		end++
	}
	if end >= len(p.src) || p.src[end] != '}' {
		return "", p.errf("unterminated placeholder: { opens a column name closed by } (write {{ for a brace)")
	}
	name := strings.TrimSpace(p.src[start+1 : end])
	if name == "" {
		return "", p.errf("empty placeholder {}: name a column (write {{}} for braces)")
	}
	p.pos = end + 1
	return name, nil
}

func (p *parser) call(name string, depth int) (node, error) {
	fn, ok := functions[name]
	if !ok {
		return nil, p.errf("unknown function %s (known: %s)", name, functionNames())
	}
	p.pos++ // (
	c := &call{fn: name}
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
	} else {
		for {
			a, err := p.expr(depth + 1)
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, a)
			p.space()
			if p.pos >= len(p.src) {
				return nil, p.errf("missing ) after the arguments of %s", name)
			}
			if p.src[p.pos] == ')' {
				p.pos++
				break
			}
			if p.src[p.pos] != ',' {
				return nil, p.errf("expected , or ) in %s(...)", name)
			}
			p.pos++
		}
	}
	if len(c.args) < fn.min || fn.max >= 0 && len(c.args) > fn.max {
		return nil, p.errf("%s takes %s", name, fn.arity)
	}
	if name == "code" {
		t, ok := c.args[1].(column)
		if !ok {
			return nil, p.errf("the second argument of code is the name of a code table")
		}
		c.args[1] = tableRef(t)
	}
	return c, nil
}

// column reads a source column.
type column string

func (c column) eval(get ColumnFunc, _ CodeTables) (string, error) {
	v, _ := get(string(c))
	return v, nil
}

func (c column) String() string {
	s := string(c)
	for i := 0; i < len(s); i++ {
		if !isIdent(s[i], i == 0) {
			return "`" + s + "`"
		}
	}
	if _, fn := functions[s]; fn {
		return "`" + s + "`"
	}
	return s
}

// literal is a constant.
type literal string

func (l literal) eval(ColumnFunc, CodeTables) (string, error) { return string(l), nil }

func (l literal) String() string { return `"` + l.quoted() + `"` }

// quoted is the literal's text as written between the quotes of a string.
func (l literal) quoted() string {
	return stringEscapes.Replace(string(l))
}

var stringEscapes = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "{", "{{", "}", "}}")

// tableRef names a code table (the second argument of code).
type tableRef string

func (t tableRef) eval(ColumnFunc, CodeTables) (string, error) { return string(t), nil }
func (t tableRef) String() string                              { return column(t).String() }

// call applies a mapping function to its arguments.
type call struct {
	fn       string
	args     []node
	template bool // a concat written as "{street} {number}", and printed so
}

func (c *call) String() string {
	if c.template {
		var b strings.Builder
		b.WriteByte('"')
		for _, a := range c.args {
			switch a := a.(type) {
			case literal:
				b.WriteString(a.quoted())
			case column:
				b.WriteString("{" + string(a) + "}")
			}
		}
		b.WriteByte('"')
		return b.String()
	}
	parts := make([]string, len(c.args))
	for i, a := range c.args {
		parts[i] = a.String()
	}
	return c.fn + "(" + strings.Join(parts, ", ") + ")"
}

func (c *call) eval(get ColumnFunc, tables CodeTables) (string, error) {
	return functions[c.fn].eval(c.args, get, tables)
}

// quoteValue prints a source value in an error message, shortened.
func quoteValue(s string) string {
	if len(s) > 64 {
		cut := 64
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return strconv.Quote(s)
}
