package sql

import (
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/schemas"
)

func TestConvert(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	wall := time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)
	f := func(k schemas.Kind, scale int32) schemas.Field {
		return schemas.Field{Name: "c", Kind: k, Scale: scale}
	}
	for _, tc := range []struct {
		in      any
		kind    colKind
		field   schemas.Field
		want    schemas.Value
		wantErr string
	}{
		{"12.5", kindDecimal, f(schemas.Decimal, 2), schemas.DecimalValue(1250), ""},
		{"-0.50", kindDecimal, f(schemas.Decimal, 2), schemas.DecimalValue(-50), ""},
		{"1.005", kindDecimal, f(schemas.Decimal, 2), schemas.Null, `"1.005" has more than 2 decimal places`},
		{"1.500", kindDecimal, f(schemas.Decimal, 2), schemas.DecimalValue(150), ""},
		{int64(7), kindPlain, f(schemas.Decimal, 3), schemas.DecimalValue(7000), ""},
		{"12.00", kindDecimal, f(schemas.Int, 0), schemas.IntValue(12), ""},
		{"12.5", kindDecimal, f(schemas.Int, 0), schemas.Null, `"12.5" is not an integer`},
		{int32(5), kindPlain, f(schemas.Int, 0), schemas.IntValue(5), ""},
		{int64(1), kindPlain, f(schemas.Bool, 0), schemas.BoolValue(true), ""},
		{int64(2), kindPlain, f(schemas.Bool, 0), schemas.Null, "2 is not a boolean (0 or 1)"},
		{"n", kindPlain, f(schemas.Bool, 0), schemas.BoolValue(false), ""},
		{[]byte{0, 0xff}, kindBinary, f(schemas.Binary, 0), schemas.TextValue("\x00\xff"), ""},
		{[]byte{0, 0xff}, kindBinary, f(schemas.Text, 0), schemas.TextValue("00ff"), ""},
		{[]byte("caf\xe9"), kindPlain, f(schemas.Text, 0), schemas.Null, `"caf\xe9" is not valid UTF-8`},
		{wall, kindNaive, f(schemas.Timestamp, 0), schemas.TimestampValue(wall.Add(-2 * time.Hour)), ""},
		{wall, kindInstant, f(schemas.Timestamp, 0), schemas.TimestampValue(wall), ""},
		{"2024-07-01 12:00:00", kindNaive, f(schemas.Timestamp, 0), schemas.TimestampValue(wall.Add(-2 * time.Hour)), ""},
		{"2024-07-01 12:00:00", kindInstant, f(schemas.Timestamp, 0), schemas.TimestampValue(wall), ""},
		{"2024-07-01T12:00:00+02:00", kindNaive, f(schemas.Timestamp, 0), schemas.TimestampValue(wall.Add(-2 * time.Hour)), ""},
		{"0000-00-00 00:00:00", kindNaive, f(schemas.Timestamp, 0), schemas.Null, `"0000-00-00 00:00:00" is not a timestamp`},
		{"0000-00-00", kindDate, f(schemas.Date, 0), schemas.Null, `"0000-00-00" is not a date`},
		{time.Date(2024, 7, 1, 23, 30, 0, 0, time.UTC), kindInstant, f(schemas.Date, 0), schemas.DateValue(wall.AddDate(0, 0, 1)), ""},
		{nil, kindPlain, f(schemas.Date, 0), schemas.Null, ""},
		{true, kindPlain, f(schemas.Date, 0), schemas.Null, "a bool is not a date"},
	} {
		c := cellOf(tc.in)
		got, err := convert(&c, tc.kind, &tc.field, paris)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tc.want || gotErr != tc.wantErr {
			t.Errorf("convert(%#v, %s) = %+v, %q; want %+v, %q", tc.in, tc.field.Kind, got, gotErr, tc.want, tc.wantErr)
		}
	}
}
