package hl7gen

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestGenerateDeterministic(t *testing.T) {
	var a, b, c bytes.Buffer
	if err := Generate(&a, 200, 7, 0.1); err != nil {
		t.Fatal(err)
	}
	if err := Generate(&b, 200, 7, 0.1); err != nil {
		t.Fatal(err)
	}
	if err := Generate(&c, 200, 8, 0.1); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("same seed, different output")
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("different seeds, same output")
	}
	if n := strings.Count(a.String(), "MSH|"); n != 200 {
		t.Errorf("%d messages, want 200", n)
	}
	if !utf8.Valid(a.Bytes()) || !strings.Contains(a.String(), "ORU^R01") || !strings.Contains(a.String(), "ADT^A0") {
		t.Error("output is not a UTF-8 mix of ADT and ORU")
	}
	if err := Generate(&a, 1, 1, 2); err == nil {
		t.Error("badFraction 2 accepted")
	}
}

func TestGenerateOrdersDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	if err := GenerateOrders(&a, 200, 7, 0.1); err != nil {
		t.Fatal(err)
	}
	if err := GenerateOrders(&b, 200, 7, 0.1); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("same seed, different output")
	}
	if n := strings.Count(a.String(), "MSH|"); n != 200 {
		t.Errorf("%d messages, want 200", n)
	}
	if !strings.Contains(a.String(), "ORM^O01") || !strings.Contains(a.String(), "VXU^V04") {
		t.Error("output is not a mix of ORM and VXU")
	}
}
