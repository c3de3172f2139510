package main

import (
	"path/filepath"
	"testing"
)

// TestFetchFHIRGoldenValidates runs the outside FHIR validator on the
// golden rendering of exchange's TestFHIRGolden (every mapping case of
// patient/1, encounter/1 and observation/1, which exchange's test keeps
// equal to what fetch --format fhir writes).
func TestFetchFHIRGoldenValidates(t *testing.T) {
	validate := fhirValidator(t)
	golden := filepath.Join("..", "..", "exchange", "testdata", "fhir-golden")
	if out, err := validate(golden).CombinedOutput(); err != nil {
		t.Fatalf("the FHIR validator refuses the golden rendering: %v\n%s", err, out)
	}
}
