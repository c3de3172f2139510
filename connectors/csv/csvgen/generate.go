package csvgen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
)

// Header is the first line Generate writes: the patient/1 columns.
const Header = "patient_id,family_name,given_name,birth_date,sex,address,city,postal_code,country,phone,death_date,updated_at\n"

// Generate writes a header and rows patient records (about 200 bytes
// each) as UTF-8 CSV to w. The same rows and seed always give the same
// bytes. A fraction badFraction (0 to 1) of the rows are deliberately bad:
// an impossible or malformed date, or a missing or extra field.
func Generate(w io.Writer, rows int, seed int64, badFraction float64) error {
	if rows < 0 || badFraction < 0 || badFraction > 1 {
		return fmt.Errorf("csvgen: rows %d, bad fraction %g: want rows >= 0 and a fraction in [0, 1]", rows, badFraction)
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	g := gen{rnd: rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)), bad: uint64(badFraction * (1 << 32))}
	if _, err := bw.WriteString(Header); err != nil {
		return fmt.Errorf("csvgen: %w", err)
	}
	buf := make([]byte, 0, 512)
	for i := 0; i < rows; i++ {
		buf = g.row(buf[:0], i)
		if _, err := bw.Write(buf); err != nil {
			return fmt.Errorf("csvgen: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("csvgen: %w", err)
	}
	return nil
}

type gen struct {
	rnd *rand.Rand
	bad uint64 // rows are bad when a 32-bit draw is below this
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// row appends row i (0-based) with its line end.
func (g *gen) row(b []byte, i int) []byte {
	r := g.rnd
	c := &countries[r.IntN(len(countries))]
	bad := r.Uint64()&(1<<32-1) < g.bad
	fault := -1
	if bad {
		fault = r.IntN(4)
	}
	// patient_id
	b = append(b, 'P')
	b = digits(b, uint64(i+1), 9)
	b = append(b, ',')
	b = appendField(b, pick(r, c.family))
	if r.IntN(4) == 0 { // double-barrelled
		b = append(b, '-')
		b = appendField(b, pick(r, c.family))
	}
	b = append(b, ',')
	b = appendField(b, pick(r, c.given))
	if r.IntN(2) == 0 { // a second given name
		b = append(b, ' ')
		b = appendField(b, pick(r, c.given))
	}
	b = append(b, ',')
	// birth_date
	by, bm, bd := 1925+r.IntN(100), 1+r.IntN(12), 1+r.IntN(28)
	switch fault {
	case 0:
		b = append(b, "1980-02-31"...)
	case 1:
		b = appendDMY(b, bd, bm, by) // no layout reads a letter in the year
		b = append(b[:len(b)-4], "19x0"...)
	default:
		b = appendYMD(b, by, bm, bd)
	}
	b = append(b, ',')
	b = append(b, pick(r, sexes)...)
	b = append(b, ',')
	b = g.address(b, c)
	b = append(b, ',')
	b = appendField(b, pick(r, c.cities))
	b = append(b, ',')
	b = c.postal(b, r.Uint64())
	b = append(b, ',')
	b = append(b, c.code...)
	b = append(b, ',')
	if r.IntN(10) != 0 { // +33 6 12 34 56 78
		b = append(b, c.phone...)
		b = append(b, ' ')
		b = append(b, byte('1'+r.IntN(9)))
		for range 4 {
			b = append(b, ' ')
			b = digits(b, uint64(r.IntN(100)), 2)
		}
	}
	if fault == 2 {
		return append(b, '\n') // fields missing
	}
	b = append(b, ',')
	if by < 1950 && r.IntN(4) == 0 {
		b = appendYMD(b, by+60+r.IntN(15), 1+r.IntN(12), 1+r.IntN(28))
	}
	b = append(b, ',')
	b = appendYMD(b, 2026, 1+r.IntN(11), 1+r.IntN(28))
	b = append(b, 'T')
	b = digits(b, uint64(r.IntN(24)), 2)
	b = append(b, ':')
	b = digits(b, uint64(r.IntN(60)), 2)
	b = append(b, ':')
	b = digits(b, uint64(r.IntN(60)), 2)
	if r.IntN(2) == 0 {
		b = append(b, '.')
		b = digits(b, uint64(r.IntN(1e6)), 6)
	}
	b = append(b, 'Z')
	if fault == 3 {
		b = append(b, ",extra"...)
	}
	return append(b, '\n')
}

var sexes = []string{"F", "M", "F", "M", "F", "M", "f", "m", "female", "male", "U", "O", ""}

// address appends a quoted address, sometimes on two lines.
func (g *gen) address(b []byte, c *country) []byte {
	r := g.rnd
	b = append(b, '"')
	n := int64(1 + r.IntN(199))
	if c.numFirst {
		b = strconv.AppendInt(b, n, 10)
		b = append(b, ", "...)
		b = appendQuoted(b, pick(r, c.streets))
	} else {
		b = appendQuoted(b, pick(r, c.streets))
		b = append(b, ' ')
		b = strconv.AppendInt(b, n, 10)
	}
	switch k := r.IntN(20); {
	case k == 0:
		b = append(b, '\n')
		b = appendQuoted(b, pick(r, buildings))
	case k < 18:
		b = append(b, ", "...)
		b = appendQuoted(b, pick(r, buildings))
	}
	return append(b, '"')
}

// appendField appends s, quoted when it holds a comma or a quote.
func appendField(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' || s[i] == '\n' {
			b = append(b, '"')
			b = appendQuoted(b, s)
			return append(b, '"')
		}
	}
	return append(b, s...)
}

// appendQuoted appends s with its quotes doubled.
func appendQuoted(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return b
}

func appendYMD(b []byte, y, m, d int) []byte {
	b = digits(b, uint64(y), 4)
	b = append(b, '-')
	b = digits(b, uint64(m), 2)
	b = append(b, '-')
	return digits(b, uint64(d), 2)
}

func appendDMY(b []byte, d, m, y int) []byte {
	b = digits(b, uint64(d), 2)
	b = append(b, '/')
	b = digits(b, uint64(m), 2)
	b = append(b, '/')
	return digits(b, uint64(y), 4)
}
