package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"testing"
	"time"
)

// The mutation harness damages proof bundles, batch and rejects files and
// the chain store's rows in seeded random ways, and checks that the
// matching verify command fails (exit 1) on every damage, unless the
// harness proves that the damage left every byte the verifier checks the
// same (each such exemption is counted apart, with its reason).
//
// The bulk runs the CLI's own root command in this process (the same
// code the binary runs, without a process per mutation); a sample of
// each area also runs through the built binary, which must agree.
//
//	go test ./cmd/healthanchor -run TestMutations -v -seed 42
//	go test -tags mutation ./cmd/healthanchor -run TestMutations   (10,000 mutations)
var (
	mutationSeed  = flag.Uint64("seed", 0, "mutation harness: seed (0 picks one from the clock; it is printed)")
	mutationCount = flag.Int("mutations", 0, "mutation harness: how many mutations (0: the build's default)")
)

// Areas of the harness: what is damaged, and which verify checks it.
const (
	areaBundle = "bundle" // verify proof BUNDLE --genesis G
	areaBatch  = "batch"  // verify batch FILE (rows and rejects files)
	areaChain  = "chain"  // verify chain
)

// trial is one applied mutation, ready to be checked.
type trial struct {
	kind string
	desc string     // what was changed, precisely enough to redo it
	runs [][]string // verify invocations that must each exit 1
	// same, when set, is the proof that the mutation left everything the
	// verifier checks unchanged: then every run must exit 0. rederived
	// says the proof is that the node re-creates what was removed byte
	// for byte (a deleted checkpoint it signed), counted apart.
	same      string
	rederived bool
	// check, if set, says what the failure must name ("" when it does).
	check func(err error) string
	undo  func()
}

// area is one kind of artifact with its mutators.
type area interface {
	name() string
	// mutate applies one mutation chosen with rng and returns it.
	mutate(t *testing.T, rng *rand.Rand) trial
	// control returns verify invocations of the pristine artifacts, which
	// must exit 0 (to show that restoring works and failures are earned).
	control() [][]string
}

type tally struct{ applied, detected, same, rederived, cli, cliAgreed int }

func TestMutations(t *testing.T) {
	seed := *mutationSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	total := defaultMutations
	if *mutationCount > 0 {
		total = *mutationCount
	}
	t.Logf("mutation harness: seed %d, %d mutations (re-run with -seed %d -mutations %d)", seed, total, seed, total)
	fx := newMutationFixture(t)
	areas := []area{fx.bundles(t), fx.batchFiles(t), fx.chainStore(t)}
	perArea := (total + len(areas) - 1) / len(areas)
	cliEvery := max(1, perArea/min(mutationCLISample, perArea))

	for _, a := range areas {
		for _, args := range a.control() {
			if code, err := inProcess(args...); code != 0 {
				t.Fatalf("%s: pristine artifact fails %v: exit %d: %v", a.name(), args, code, err)
			}
		}
	}

	rng := rand.New(rand.NewPCG(seed, seed^0x6d75746174696f6e))
	tallies := map[string]*tally{}
	var missed []string
	start := time.Now()
	quiet := silenceStderr(t)
	for i := 0; i < total; i++ {
		a := areas[i%len(areas)]
		tr := a.mutate(t, rng)
		key := a.name() + "/" + tr.kind
		tl := tallies[key]
		if tl == nil {
			tl = &tally{}
			tallies[key] = tl
		}
		tl.applied++
		what := fmt.Sprintf("mutation %d (seed %d) %s: %s", i, seed, key, tr.desc)
		ok, why := judge(tr)
		switch {
		case !ok:
			missed = append(missed, what+": "+why)
		case tr.rederived:
			tl.rederived++
		case tr.same != "":
			tl.same++
		default:
			tl.detected++
		}
		if (i/len(areas))%cliEvery == 0 {
			tl.cli++
			if agree, why := cliAgrees(t, tr); agree {
				tl.cliAgreed++
			} else {
				missed = append(missed, what+": the binary disagrees: "+why)
			}
		}
		tr.undo()
		if (i/len(areas))%100 == 99 || i == total-1 {
			for _, args := range a.control() {
				if code, err := inProcess(args...); code != 0 {
					quiet()
					t.Fatalf("after %s, the restored artifact fails %v: exit %d: %v", what, args, code, err)
				}
			}
		}
	}
	quiet()
	report(t, seed, tallies, time.Since(start))
	for _, m := range missed {
		t.Error(m)
	}
}

// judge runs a trial's verify invocations in process: each must exit 1
// (and name what check wants), or 0 when the trial is a proven no-op.
func judge(tr trial) (bool, string) {
	for _, args := range tr.runs {
		code, err := inProcess(args...)
		if tr.same != "" {
			if code != 0 {
				return false, fmt.Sprintf("proven unchanged (%s), yet %v exits %d: %v", tr.same, args, code, err)
			}
			continue
		}
		if code != 1 {
			return false, fmt.Sprintf("NOT DETECTED: %v exits %d (want 1): %v", args, code, err)
		}
		if tr.check != nil {
			if why := tr.check(err); why != "" {
				return false, fmt.Sprintf("%v fails, but %s: %v", args, why, err)
			}
		}
	}
	return true, ""
}

// cliAgrees runs the trial's invocations through the built binary: the
// exit codes must be those the in-process runs gave.
func cliAgrees(t *testing.T, tr trial) (bool, string) {
	for _, args := range tr.runs {
		want, _ := inProcess(args...)
		r := ha(t, nil, args...)
		if r.code != want {
			return false, fmt.Sprintf("%v: binary exits %d, in process %d\n%s", args, r.code, want, r.stderr)
		}
	}
	return true, ""
}

// inProcess runs the CLI's root command with args in this process, as
// main does, and returns the exit code main would return.
func inProcess(args ...string) (int, error) {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	err := root.ExecuteContext(context.Background())
	return exitCode(err), err
}

// silenceStderr sends what the commands print on stderr (their error
// line and logs) to /dev/null while the harness runs thousands of them;
// the returned function restores it. Tests of this package do not run
// in parallel, so nothing else writes meanwhile.
func silenceStderr(t *testing.T) func() {
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = devnull
	return func() {
		if os.Stderr == devnull {
			os.Stderr = saved
			devnull.Close()
		}
	}
}

// report logs the counts per area and kind.
func report(t *testing.T, seed uint64, tallies map[string]*tally, took time.Duration) {
	keys := make([]string, 0, len(tallies))
	for k := range tallies {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	sums := map[string]*tally{}
	var all tally
	fmt.Fprintf(&b, "seed %d, %s (proven=: the checked content is provably the same; rederived: a row the node re-creates byte for byte)\n%-56s %8s %8s %8s %9s %9s\n",
		seed, took.Round(time.Second), "area/kind", "applied", "detected", "proven=", "rederived", "cli ok")
	for _, k := range keys {
		tl := tallies[k]
		fmt.Fprintf(&b, "%-56s %8d %8d %8d %9d %5d/%-3d\n", k, tl.applied, tl.detected, tl.same, tl.rederived, tl.cliAgreed, tl.cli)
		ar := strings.SplitN(k, "/", 2)[0]
		if sums[ar] == nil {
			sums[ar] = &tally{}
		}
		for _, s := range []*tally{sums[ar], &all} {
			s.applied += tl.applied
			s.detected += tl.detected
			s.same += tl.same
			s.rederived += tl.rederived
			s.cli += tl.cli
			s.cliAgreed += tl.cliAgreed
		}
	}
	for _, ar := range []string{areaBundle, areaBatch, areaChain} {
		if s := sums[ar]; s != nil {
			fmt.Fprintf(&b, "%-56s %8d %8d %8d %9d %5d/%-3d\n", ar+" (all kinds)", s.applied, s.detected, s.same, s.rederived, s.cliAgreed, s.cli)
		}
	}
	fmt.Fprintf(&b, "%-56s %8d %8d %8d %9d %5d/%-3d\n", "total", all.applied, all.detected, all.same, all.rederived, all.cliAgreed, all.cli)
	t.Log("mutation harness counts:\n" + b.String())
}
