package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// fetchRetrying runs the fetch, again while the newest checkpoint still
// lacks a quorum's cosignatures (a moment after each block), as an
// operator would.
func fetchRetrying(ctx context.Context, p *demoProcs, args []string) error {
	var last stepResult
	err := p.waitFor(ctx, "node2's fetch", 60*time.Second, func() (bool, error) {
		r, err := p.run(ctx, args...)
		last = r
		return err != nil || r.code == 0 || !strings.Contains(r.stderr, "quorum"), err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(p.out, "$ healthanchor %s\n", strings.Join(args, " "))
	indent(p.out, last.stdout)
	if last.code != 0 {
		indent(p.out, last.stderr)
		return fmt.Errorf("demo: node2's fetch failed (exit %d)", last.code)
	}
	return nil
}

func hasLeader(ctx context.Context, p *demoProcs, cfg string) (bool, error) {
	r, err := p.run(ctx, "--config", cfg, "chain", "status", "--json")
	var st struct {
		Role, Leader string
	}
	if err != nil || r.code != 0 || json.Unmarshal([]byte(r.stdout), &st) != nil {
		return false, err
	}
	return st.Leader != "" && st.Role != "offline", nil
}

// demoAnchored reports whether node1 holds anchored batches of every
// granted schema from its HL7 feed.
func demoAnchored(ctx context.Context, p *demoProcs, cfg string) (bool, error) {
	r, err := p.run(ctx, "--config", cfg, "batches", "--json")
	var list []struct {
		Job, Schema string
		BlockHeight int64 `json:"block_height"`
	}
	if err != nil || r.code != 0 || json.Unmarshal([]byte(r.stdout), &list) != nil {
		return false, err
	}
	var got []string
	for _, b := range list {
		if b.Job == "hl7-feed" && b.BlockHeight > 0 {
			got = append(got, b.Schema)
		}
	}
	for _, s := range demoGrantedSchemas {
		if !slices.Contains(got, s) {
			return false, nil
		}
	}
	return true, nil
}

// hasReceipt reports whether the replica at cfg holds a disclosure from
// node1 to node2 that node2 acknowledged.
func hasReceipt(ctx context.Context, p *demoProcs, cfg string) (bool, error) {
	r, err := p.run(ctx, "--config", cfg, "disclosures", "--json")
	var list []disclosureListing
	if err != nil || r.code != 0 || json.Unmarshal([]byte(r.stdout), &list) != nil {
		return false, err
	}
	return slices.ContainsFunc(list, func(d disclosureListing) bool {
		return d.Discloser == "node1" && d.Recipient == "node2" && d.Purpose == "TREAT" && d.Receipt
	}), nil
}
