//go:build mutation

package main

// The full run (go test -tags mutation): 10,000 mutations, 100 of each
// area also through the binary.
const (
	defaultMutations  = 10000
	mutationCLISample = 100
)
