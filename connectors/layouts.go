package connectors

import (
	"fmt"
	"regexp"
	"strings"
)

// Layouts is an ordered list of Go time layouts prepared for parsing
// values that must never be guessed: a value that two layouts read
// differently (03/04/2020 as 3 April or as 4 March) is an error naming
// both readings, whatever the order of the list.
//
// Two layouts can accept the same text only if their literal characters
// match, so each layout keeps the later layouts with the same skeleton
// (digit elements collapsed, every other character kept), and a value is
// parsed again only by those: a list without such pairs costs nothing.
type Layouts struct {
	list   []string
	rivals [][]int // rivals[i]: indexes j > i whose skeleton equals i's
	// dayMonth is true when some layout starts with the day or the month
	// (02/01/2006): the job has chosen an order.
	dayMonth bool
}

// NewLayouts prepares list (tried in order) for parsing.
func NewLayouts(list []string) Layouts {
	l := Layouts{list: list, rivals: make([][]int, len(list))}
	skel := make([]string, len(list))
	for i, s := range list {
		skel[i] = layoutSkeleton(s)
		if o := dateOrder(s); o != "" && o[0] != 'Y' {
			l.dayMonth = true
		}
	}
	for i := range list {
		for j := i + 1; j < len(list); j++ {
			if skel[i] == skel[j] {
				l.rivals[i] = append(l.rivals[i], j)
			}
		}
	}
	return l
}

// List returns the layouts in the order they are tried.
func (l Layouts) List() []string { return l.list }

// layoutSkeleton is layout with every run of digits, and the padded
// elements "_2" and "__2", written as one '9'.
func layoutSkeleton(layout string) string {
	layout = strings.ReplaceAll(layout, "__2", "2")
	layout = strings.ReplaceAll(layout, "_2", "2")
	var b strings.Builder
	prevDigit := false
	for i := 0; i < len(layout); i++ {
		c := layout[i]
		if c >= '0' && c <= '9' {
			if !prevDigit {
				b.WriteByte('9')
			}
			prevDigit = true
			continue
		}
		prevDigit = false
		b.WriteByte(c)
	}
	return b.String()
}

// ambiguity is the error for s read two ways, first by layout a as ra and
// then by layout b as rb.
func ambiguity(kind, s, a, ra, b, rb string) error {
	return fmt.Errorf("%q is an ambiguous %s: %s reads it as %s, %s as %s (keep one order in the job's formats)", s, kind, a, ra, b, rb)
}

// MixedDayMonthOrder returns a warning when list holds two layouts that
// write the same shape, year at the same place, with day and month in
// opposite orders (02/01/2006 and 01/02/2006): every value whose day is 12
// or less is then rejected as ambiguous. It returns "" when the list is
// consistent.
func MixedDayMonthOrder(list []string) string {
	for i, a := range list {
		for _, b := range list[i+1:] {
			if layoutSkeleton(a) != layoutSkeleton(b) {
				continue
			}
			oa, ob := dateOrder(a), dateOrder(b)
			if len(oa) == 3 && len(ob) == 3 && strings.IndexByte(oa, 'Y') == strings.IndexByte(ob, 'Y') && oa != ob {
				return fmt.Sprintf("layouts %q and %q write day and month in opposite orders: a value such as 03/04/2020 fits both and is rejected as ambiguous; keep the order your source uses", a, b)
			}
		}
	}
	return ""
}

// dateOrder is the order of layout's year, month and day elements, such
// as "DMY" for 02/01/2006; shorter when layout lacks one.
func dateOrder(layout string) string {
	var order []byte
	add := func(c byte) {
		if strings.IndexByte(string(order), c) < 0 {
			order = append(order, c)
		}
	}
	for i := 0; i < len(layout); {
		rest := layout[i:]
		switch {
		case strings.HasPrefix(rest, "2006"):
			add('Y')
			i += 4
		case strings.HasPrefix(rest, "January"):
			add('M')
			i += 7
		case strings.HasPrefix(rest, "Jan"):
			add('M')
			i += 3
		case strings.HasPrefix(rest, "01"):
			add('M')
			i += 2
		case strings.HasPrefix(rest, "02"), strings.HasPrefix(rest, "_2"):
			add('D')
			i += 2
		case strings.HasPrefix(rest, "06"):
			add('Y')
			i += 2
		case strings.HasPrefix(rest, "15"), strings.HasPrefix(rest, "04"), strings.HasPrefix(rest, "05"):
			i += 2
		case rest[0] == '1':
			add('M')
			i++
		case rest[0] == '2':
			add('D')
			i++
		default:
			i++
		}
	}
	return string(order)
}

// looksDayMonth matches text such as 12/01/1985 or 3.4.2020: a date whose
// day and month order only its source knows.
var looksDayMonth = regexp.MustCompile(`^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$`)

// orderHint is what to add to an unparsed date's error when it looks like a
// day/month date and no configured layout reads day/month dates.
func (l Layouts) orderHint(s string) string {
	if l.dayMonth || !looksDayMonth.MatchString(s) {
		return ""
	}
	return "; day and month order is never guessed: set date_formats to the order the source writes (02/01/2006 for DD/MM/YYYY, 01/02/2006 for MM/DD/YYYY)"
}
