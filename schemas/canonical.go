package schemas

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"

	"github.com/healthanchor/healthanchor/internal/swar"
)

// LeafEncoder writes the canonical record (docs/format.md) of each row of
// Arrow record batches that share one schema. It works on any Arrow schema
// whose columns have a canonical kind, so the writer and an auditor's
// verifier encode a batch file's rows with the same code. Its own
// AppendRow and AppendLeaf keep state: call them from one goroutine (the
// encoders Batch returns are independent).
type LeafEncoder struct {
	order   []int        // column indexes sorted by name bytes
	keys    [][]byte     // `"name":` prefixes, in order
	scratch BatchEncoder // for AppendRow
}

// NewLeafEncoder prepares an encoder for record batches of schema sc.
func NewLeafEncoder(sc *arrow.Schema) (*LeafEncoder, error) {
	n := sc.NumFields()
	e := &LeafEncoder{order: make([]int, n), keys: make([][]byte, n)}
	for i := range e.order {
		e.order[i] = i
		if err := checkCanonicalType(sc.Field(i).Type); err != nil {
			return nil, fmt.Errorf("schemas: column %q: %w", sc.Field(i).Name, err)
		}
	}
	sort.Slice(e.order, func(a, b int) bool { return sc.Field(e.order[a]).Name < sc.Field(e.order[b]).Name })
	for k, i := range e.order {
		name := sc.Field(i).Name
		if k > 0 && sc.Field(e.order[k-1]).Name == name {
			return nil, fmt.Errorf("schemas: column %q appears twice", name)
		}
		key := AppendJSONString(nil, name)
		e.keys[k] = append(key, ':')
	}
	return e, nil
}

func checkCanonicalType(t arrow.DataType) error {
	switch t.ID() {
	case arrow.STRING, arrow.LARGE_STRING, arrow.BINARY, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY,
		arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.BOOL, arrow.DATE32, arrow.TIMESTAMP, arrow.DECIMAL128:
		return nil
	}
	return fmt.Errorf("type %s has no canonical form", t)
}

// AppendRow appends the canonical JSON of row i of rec to dst. It fails
// on text that is not valid UTF-8. Encoding many rows of one batch is
// faster through Batch.
func (e *LeafEncoder) AppendRow(dst []byte, rec arrow.RecordBatch, i int) ([]byte, error) {
	e.scratch.reset(e, rec)
	dst, err := e.scratch.AppendRow(dst, i)
	e.scratch.rec = nil
	return dst, err
}

// BatchEncoder encodes the rows of one record batch, its columns' types
// resolved once for the whole batch.
type BatchEncoder struct {
	enc  *LeafEncoder
	rec  arrow.RecordBatch
	cols []cellColumn // in e.order
}

// cellColumn is one column of a batch with its array's concrete type
// resolved for the kinds of the canonical schemas; other arrays go
// through appendCell.
type cellColumn struct {
	arr   arrow.Array
	str   *array.String    // text
	bin   *array.Binary    // binary (salts)
	date  *array.Date32    // dates
	ts    *array.Timestamp // timestamps in microseconds
	nulls bool             // the column has nulls
}

// Batch prepares rec for AppendRow and AppendLeaf by row number. The
// result is valid while rec is, and is its own: several goroutines may
// each encode a batch of the same LeafEncoder at once.
func (e *LeafEncoder) Batch(rec arrow.RecordBatch) *BatchEncoder {
	b := new(BatchEncoder)
	b.reset(e, rec)
	return b
}

func (b *BatchEncoder) reset(e *LeafEncoder, rec arrow.RecordBatch) {
	b.enc, b.rec = e, rec
	if cap(b.cols) < len(e.order) {
		b.cols = make([]cellColumn, len(e.order))
	}
	b.cols = b.cols[:len(e.order)]
	for k, c := range e.order {
		arr := rec.Column(c)
		col := cellColumn{arr: arr, nulls: arr.NullN() > 0}
		switch a := arr.(type) {
		case *array.String:
			col.str = a
		case *array.Binary:
			col.bin = a
		case *array.Date32:
			col.date = a
		case *array.Timestamp:
			if a.DataType().(*arrow.TimestampType).Unit == arrow.Microsecond {
				col.ts = a
			}
		}
		b.cols[k] = col
	}
}

// AppendRow appends the canonical JSON of row i of the batch to dst. It
// fails on text that is not valid UTF-8.
func (b *BatchEncoder) AppendRow(dst []byte, i int) ([]byte, error) {
	dst = append(dst, '{')
	for k := range b.cols {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, b.enc.keys[k]...)
		c := &b.cols[k]
		var err error
		switch {
		case c.nulls && c.arr.IsNull(i):
			dst = append(dst, "null"...)
		case c.str != nil:
			var ok bool
			dst = append(dst, '"')
			if dst, ok = appendText(dst, c.str.Value(i)); !ok {
				err = errNotUTF8
			}
			dst = append(dst, '"')
		case c.bin != nil:
			dst = append(hex.AppendEncode(append(dst, '"'), c.bin.Value(i)), '"')
		case c.date != nil:
			dst = append(AppendDate(append(dst, '"'), int64(c.date.Value(i))), '"')
		case c.ts != nil:
			dst = append(AppendTimestamp(append(dst, '"'), int64(c.ts.Value(i))), '"')
		default:
			dst, err = appendCell(dst, c.arr, i)
		}
		if err != nil {
			return nil, fmt.Errorf("schemas: row %d column %q: %w", i, b.rec.Schema().Field(b.enc.order[k]).Name, err)
		}
	}
	return append(dst, '}'), nil
}

// AppendLeaf appends 0x00 and then row i's canonical record to dst, as
// LeafEncoder.AppendLeaf does.
func (b *BatchEncoder) AppendLeaf(dst []byte, i int) ([]byte, error) {
	return b.AppendRow(append(dst, 0), i)
}

var errNotUTF8 = errors.New("text is not valid UTF-8")

func appendCell(dst []byte, col arrow.Array, i int) ([]byte, error) {
	if col.IsNull(i) {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '"')
	switch a := col.(type) {
	case *array.String:
		var ok bool
		if dst, ok = appendText(dst, a.Value(i)); !ok {
			return nil, errNotUTF8
		}
	case *array.LargeString:
		var ok bool
		if dst, ok = appendText(dst, a.Value(i)); !ok {
			return nil, errNotUTF8
		}
	case *array.Binary:
		dst = hex.AppendEncode(dst, a.Value(i))
	case *array.LargeBinary:
		dst = hex.AppendEncode(dst, a.Value(i))
	case *array.FixedSizeBinary:
		dst = hex.AppendEncode(dst, a.Value(i))
	case *array.Int8:
		dst = strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Int16:
		dst = strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Int32:
		dst = strconv.AppendInt(dst, int64(a.Value(i)), 10)
	case *array.Int64:
		dst = strconv.AppendInt(dst, a.Value(i), 10)
	case *array.Uint8:
		dst = strconv.AppendUint(dst, uint64(a.Value(i)), 10)
	case *array.Uint16:
		dst = strconv.AppendUint(dst, uint64(a.Value(i)), 10)
	case *array.Uint32:
		dst = strconv.AppendUint(dst, uint64(a.Value(i)), 10)
	case *array.Uint64:
		dst = strconv.AppendUint(dst, a.Value(i), 10)
	case *array.Boolean:
		dst = strconv.AppendBool(dst, a.Value(i))
	case *array.Date32:
		dst = AppendDate(dst, int64(a.Value(i)))
	case *array.Timestamp:
		unit := a.DataType().(*arrow.TimestampType).Unit
		dst = AppendTimestamp(dst, toMicros(int64(a.Value(i)), unit))
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		dst = appendDecimal128(dst, a.Value(i), scale)
	default:
		return nil, fmt.Errorf("type %s has no canonical form", col.DataType())
	}
	return append(dst, '"'), nil
}

func toMicros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1e6
	case arrow.Millisecond:
		return v * 1e3
	case arrow.Nanosecond:
		return floorDiv(v, 1e3)
	}
	return v
}

// AppendDate appends days since 1970-01-01 as YYYY-MM-DD (proleptic
// Gregorian, four-digit year).
func AppendDate(dst []byte, days int64) []byte {
	y, m, d := civil(days)
	return appendYMD(dst, y, m, d)
}

// AppendTimestamp appends microseconds since the epoch as
// YYYY-MM-DDTHH:MM:SS.ffffffZ (always six fractional digits, UTC).
func AppendTimestamp(dst []byte, micros int64) []byte {
	days := floorDiv(micros, 86400e6)
	rest := micros - days*86400e6
	y, m, d := civil(days)
	dst = appendYMD(dst, y, m, d)
	sec := rest / 1e6
	dst = append(dst, 'T')
	dst = append2(dst, sec/3600)
	dst = append(dst, ':')
	dst = append2(dst, sec/60%60)
	dst = append(dst, ':')
	dst = append2(dst, sec%60)
	dst = append(dst, '.')
	frac := rest % 1e6
	for div := int64(100000); div > 0; div /= 10 {
		dst = append(dst, byte('0'+frac/div%10))
	}
	return append(dst, 'Z')
}

// civil converts days since 1970-01-01 to a proleptic Gregorian date
// (H. Hinnant's days_from_civil inverse).
func civil(days int64) (y, m, d int64) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func appendYMD(dst []byte, y, m, d int64) []byte {
	if y < 0 {
		dst = append(dst, '-')
		y = -y
	}
	dst = append2(dst, y/100)
	dst = append2(dst, y%100)
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d)
}

func append2(dst []byte, v int64) []byte {
	return append(dst, byte('0'+v/10%10), byte('0'+v%10))
}

// AppendDecimal appends an unscaled integer as a decimal with exactly
// scale fractional digits ("12.50", "-0.50", "0.00").
func AppendDecimal(dst []byte, unscaled int64, scale int32) []byte {
	return appendDecimal128(dst, decimal128.FromI64(unscaled), scale)
}

func appendDecimal128(dst []byte, v decimal128.Num, scale int32) []byte {
	neg := v.Sign() < 0
	if neg {
		v = v.Negate()
		dst = append(dst, '-')
	}
	digits := v.BigInt().String()
	if scale <= 0 {
		dst = append(dst, digits...)
		for ; scale < 0; scale++ {
			dst = append(dst, '0')
		}
		return dst
	}
	for int32(len(digits)) <= scale {
		digits = "0" + digits
	}
	cut := len(digits) - int(scale)
	dst = append(dst, digits[:cut]...)
	dst = append(dst, '.')
	return append(dst, digits[cut:]...)
}

const hexDigits = "0123456789abcdef"

// appendEscaped appends s escaped as RFC 8785 does for JSON strings:
// `\"`, `\\`, `\b \f \n \r \t`, other control characters as \u00xx with
// lower-case hex, every other character as itself.
func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// plainByte marks the bytes appendText copies as they are: printable
// ASCII other than `"` and `\`.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendText appends s escaped as appendEscaped does, checking in the
// same pass that s is valid UTF-8 (as utf8.ValidString does); ok is false
// when it is not.
func appendText(dst []byte, s string) (_ []byte, ok bool) {
	start := 0
	b := unsafe.Slice(unsafe.StringData(s), len(s)) // s's bytes, only read
	for i := 0; i < len(s); {
		for i+8 <= len(b) && swar.PlainJSON(swar.Load(b, i)) {
			i += 8
		}
		for i < len(s) && plainByte[s[i]] {
			i++
		}
		if i == len(s) {
			break
		}
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return dst, false
			}
			i += size
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscape(dst, c)
		i++
		start = i
	}
	return append(dst, s[start:]...), true
}

// appendEscape appends the escape of c, one of `"`, `\` or a control
// character.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}

// AppendJSONString appends s as a JSON string escaped as RFC 8785 does.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, s)
	return append(dst, '"')
}

// LeafHash returns the RFC 6962 leaf hash SHA-256(0x00 || canonical).
func LeafHash(canonical []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(canonical)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// AppendLeaf appends 0x00 and then row i's canonical record to dst, so
// that sha256.Sum256 of the result is the leaf hash without another copy
// or a hasher allocation. The canonical record is the result minus its
// first byte.
func (e *LeafEncoder) AppendLeaf(dst []byte, rec arrow.RecordBatch, i int) ([]byte, error) {
	return e.AppendRow(append(dst, 0), rec, i)
}
