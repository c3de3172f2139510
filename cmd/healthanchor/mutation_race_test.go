//go:build !mutation && race

package main

// Under the race detector the harness runs ten times slower: the default
// run keeps to 300 mutations there (go test -race ./... in CI), and the
// full run (-tags mutation) runs without it.
const (
	defaultMutations  = 300
	mutationCLISample = 10
)
