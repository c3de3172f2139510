//go:build !mutation && !race

package main

// The default run applies 1,000 mutations, so that go test ./... stays
// quick; build with -tags mutation for the full run (mutation_full_test.go).
const (
	defaultMutations  = 1000
	mutationCLISample = 20 // mutations of each area also run through the binary
)
