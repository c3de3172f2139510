package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/healthanchor/healthanchor"
	"github.com/healthanchor/healthanchor/anchor/replication/localcluster"
	"github.com/healthanchor/healthanchor/pipeline"
)

// demoPatient is the sample patient with records in the three granted
// schemas (the radiology feed's admission, its patient and its result).
const demoPatient = "RIS-4410"

// demoGrantedSchemas are what node1 grants node2 for TREAT.
var demoGrantedSchemas = []string{"patient/1", "encounter/1", "observation/1"}

// demoHL7Job is node1's second job: the sample HL7 v2 feed.
const demoHL7Job = `  # The sample HL7 v2 feed (ADT, lab, orders, radiology): one batch per schema.
  - name: hl7-feed
    connector: hl7
    schedule: "@every 5s"
    options:
      input: inbox/hl7/*.hl7
      fallback_charset: windows-1252
`

// demoGrants is node1's sharing section.
const demoGrants = `
# node1 shares with node2, for treatment only; node3 has no grant.
sharing:
  grants:
    - to: node2
      schemas: [patient/1, encounter/1, observation/1]
      purposes: [TREAT]
`

// runConsortiumDemo sets up three agencies in dir (or reuses an earlier
// consortium demo there), runs their nodes, goes through the exchange
// and stops the nodes, whatever happens.
func runConsortiumDemo(ctx context.Context, w io.Writer, dir string) (err error) {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	created, err := setupConsortium(dir)
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(dir)
	if created {
		fmt.Fprintf(w, "Created a three-agency consortium in %s (node1, node2, node3, and the CA in ca/)\n\n", abs)
	} else {
		fmt.Fprintf(w, "Re-running the three-agency consortium in %s\n\n", abs)
	}
	p := &demoProcs{exe: exe, dir: abs, out: w}
	// Shutdown order: the steps have ended (or ctx was cancelled by
	// Ctrl-C); every node gets SIGTERM, finishes and closes its stores.
	defer func() {
		fmt.Fprintf(w, "\nStopping the three nodes.\n")
		p.stop(20 * time.Second)
	}()
	for _, id := range []string{"node1", "node2", "node3"} {
		if err := p.serve(id); err != nil {
			return err
		}
		fmt.Fprintf(w, "started: healthanchor --config %s/healthanchor.yaml serve   (log %s/node.log)\n", id, id)
	}
	if err := consortiumSteps(ctx, p); ctx.Err() != nil {
		return fmt.Errorf("demo: interrupted (%v); the nodes are stopped and %s is kept for a re-run", err, abs)
	} else if err != nil {
		return &exitError{code: exitFailed, err: err}
	}
	return nil
}

// setupConsortium creates the three agency folders (keys, certificates,
// genesis, configs) with the sample data in node1's inbox and node1's
// grants, unless dir holds an earlier consortium demo.
func setupConsortium(dir string) (created bool, err error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return false, fmt.Errorf("demo: %w", err)
	case len(entries) > 0:
		if _, err := os.Stat(filepath.Join(dir, pipeline.DemoMarker)); err != nil {
			return false, &exitError{code: exitUsage, err: fmt.Errorf("demo: %s is not empty and is not an earlier demo; choose another --dir", dir)}
		}
		if _, err := os.Stat(filepath.Join(dir, "node3", "healthanchor.yaml")); err != nil {
			return false, &exitError{code: exitUsage, err: fmt.Errorf("demo: %s holds a one-agency demo; choose another --dir for --agencies 3", dir)}
		}
		return false, os.RemoveAll(filepath.Join(dir, "node2", "fetched-"+demoPatient))
	}
	nodes, err := localcluster.Init(dir, 3, 0, time.Now())
	if err != nil {
		return false, &exitError{code: exitUsage, err: err}
	}
	n1 := nodes[0]
	if err := n1.AddJobs(demoHL7Job); err != nil {
		return false, err
	}
	f, err := os.OpenFile(n1.ConfigPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	_, err = f.WriteString(demoGrants)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, fmt.Errorf("demo: %s: %w", n1.ConfigPath, err)
	}
	samples, err := fs.Sub(healthanchor.DemoFS, "testdata/demo")
	if err != nil {
		return false, err
	}
	if err := pipeline.CopySamples(samples, n1.Dir); err != nil {
		return false, err
	}
	marker := []byte("created by healthanchor demo --agencies 3\n")
	if err := os.WriteFile(filepath.Join(dir, pipeline.DemoMarker), marker, 0o644); err != nil {
		return false, fmt.Errorf("demo: %w", err)
	}
	return true, nil
}

// consortiumSteps goes through the exchange on running nodes, printing
// each command and what it showed, and checks what each step claims.
func consortiumSteps(ctx context.Context, p *demoProcs) error {
	w := p.out
	cfg := func(id string) string { return filepath.Join(id, "healthanchor.yaml") }

	fmt.Fprintf(w, "\n1. The three nodes elect a leader.\n")
	if err := p.waitFor(ctx, "a leader", 60*time.Second, func() (bool, error) { return hasLeader(ctx, p, cfg("node1")) }); err != nil {
		return err
	}
	if _, err := p.show(ctx, "--config", cfg("node1"), "chain", "status"); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n2. node1 anchors the sample data (its csv and hl7-feed jobs run every 5 s).\n")
	if err := p.waitFor(ctx, "node1's sample batches on the chain", 120*time.Second, func() (bool, error) { return demoAnchored(ctx, p, cfg("node1")) }); err != nil {
		return err
	}
	if _, err := p.show(ctx, "--config", cfg("node1"), "batches"); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n3. node1 grants node2 TREAT on %s (node1/healthanchor.yaml, sharing:).\n", strings.Join(demoGrantedSchemas, ", "))
	if r, err := p.show(ctx, "--config", cfg("node1"), "config", "check"); err != nil {
		return err
	} else if r.code != 0 {
		return fmt.Errorf("demo: node1's config check failed (exit %d)", r.code)
	}

	out := filepath.Join("node2", "fetched-"+demoPatient)
	fmt.Fprintf(w, "\n4. node2 fetches patient %s's records from node1, each checked against node2's own replica.\n", demoPatient)
	fetch := []string{"--config", cfg("node2"), "fetch", "--from", "node1", "--patient", demoPatient, "--purpose", "TREAT", "--out", out}
	if err := fetchRetrying(ctx, p, fetch); err != nil {
		return err
	}

	fmt.Fprintf(w, "\n5. Anyone can check each fetched record's proof bundle with the members' keys alone.\n")
	if r, err := p.show(ctx, "verify", "proof", filepath.Join(out, "proofs"), "--genesis", filepath.Join("node3", "genesis.json")); err != nil {
		return err
	} else if r.code != 0 {
		return fmt.Errorf("demo: verify proof failed on %s (exit %d)", out, r.code)
	}

	fmt.Fprintf(w, "\n6. The disclosure entry, with node2's receipt, is on all three replicas.\n")
	for _, id := range []string{"node1", "node2", "node3"} {
		if err := p.waitFor(ctx, id+"'s copy of the disclosure and its receipt", 60*time.Second, func() (bool, error) { return hasReceipt(ctx, p, cfg(id)) }); err != nil {
			return err
		}
		if _, err := p.show(ctx, "--config", cfg(id), "disclosures"); err != nil {
			return err
		}
	}

	fmt.Fprintf(w, "\n7. node3 has no grant: node1 refuses it and nothing is written.\n")
	refused := filepath.Join("node3", "fetched-"+demoPatient)
	r, err := p.show(ctx, "--config", cfg("node3"), "fetch", "--from", "node1", "--patient", demoPatient, "--purpose", "TREAT", "--out", refused)
	if err != nil {
		return err
	}
	if _, serr := os.Stat(filepath.Join(p.dir, refused)); r.code != exitFailed || !strings.Contains(r.stderr, "no grant to node3") || serr == nil {
		return fmt.Errorf("demo: node3's fetch was not refused as it should be (exit %d)", r.code)
	}
	fmt.Fprintf(w, "    refused as expected (exit 1); %s was not created\n", refused)

	fmt.Fprintf(w, "\nEvery claim above checked. To repeat the steps by hand, in another terminal:\n")
	fmt.Fprintf(w, "  cd %s\n", p.dir)
	for _, id := range []string{"node1", "node2", "node3"} {
		fmt.Fprintf(w, "  healthanchor --config %s serve &\n", cfg(id))
	}
	fmt.Fprintf(w, `  healthanchor --config node1/healthanchor.yaml chain status
  healthanchor --config node1/healthanchor.yaml batches
  healthanchor --config node2/healthanchor.yaml fetch --from node1 --patient %[1]s --purpose TREAT --out node2/again
  healthanchor verify proof node2/again/proofs --genesis node3/genesis.json
  healthanchor --config node3/healthanchor.yaml disclosures --json
  healthanchor --config node1/healthanchor.yaml disclosures --patient %[1]s
  healthanchor --config node3/healthanchor.yaml fetch --from node1 --patient %[1]s --purpose TREAT --out node3/refused
Drop a CSV of patients into node1/inbox/csv/ and node1 anchors it within 5 s.
`, demoPatient)
	return nil
}
