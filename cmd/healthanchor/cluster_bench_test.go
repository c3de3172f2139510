package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
)

// TestClusterBenchmark measures, on a 3-node loopback cluster of serve
// processes, the latency from submitting one manifest to its block being
// committed on all three nodes (p50, p90, p99); the blocks and manifests
// per second when every agency submits 4 manifests at a time back to
// back; and the entries per second and their latency when 16 submitters
// each submit one signed entry at a time (entries carry no producer_seq,
// so they may be submitted concurrently by one agency). It logs the
// figures (go test -run ClusterBenchmark -v) and asserts no timing, only
// that every submission commits.
func TestClusterBenchmark(t *testing.T) {
	tc := newTestCluster(t, 3)
	tc.leader(tc.nodes)
	ctx := context.Background()
	type submitter struct {
		nd    *clusterNode
		c     *replication.Client
		chain *anchor.Chain
		key   []byte
	}
	var subs []submitter
	for _, nd := range tc.nodes {
		c, err := replication.NewClient(*nd.cfg, nd.dir)
		if err != nil {
			t.Fatal(err)
		}
		chain, err := anchor.OpenChain(filepath.Join(nd.dir, "chain.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer chain.Close()
		key, err := anchor.ReadSigningKey(filepath.Join(nd.dir, "keys/agency.key"))
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, submitter{nd, c, chain, key})
	}
	committedOnAll := func(h int64) {
		for _, s := range subs {
			for {
				st, err := s.c.Status(ctx, s.nd.cfg.APIAddr)
				if err == nil && st.Height >= h {
					break
				}
				time.Sleep(200 * time.Microsecond)
			}
		}
	}

	// Latency: one manifest at a time, submitted at a follower.
	const rounds = 100
	var lat []time.Duration
	s := subs[1]
	for i := range rounds {
		ms, err := testManifests(ctx, s.chain, s.nd.id, s.key, fmt.Sprintf("lat-%d", i), 1)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		b, err := s.c.Anchor(ctx, s.nd.cfg.APIAddr, ms)
		if err != nil {
			t.Fatal(err)
		}
		committedOnAll(b.Height)
		lat = append(lat, time.Since(start))
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	t.Logf("commit latency, submit at a follower to committed on all 3 nodes (%d rounds): p50 %v, p90 %v, p99 %v, max %v",
		rounds, lat[rounds/2].Round(time.Microsecond), lat[rounds*9/10].Round(time.Microsecond), lat[rounds*99/100].Round(time.Microsecond), lat[rounds-1].Round(time.Microsecond))

	// Throughput: each node submits batches of 4 manifests back to back.
	const perNode, per = 40, 4
	first, _ := subs[0].c.Status(ctx, subs[0].nd.cfg.APIAddr)
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(subs))
	for _, s := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perNode {
				ms, err := testManifests(ctx, s.chain, s.nd.id, s.key, fmt.Sprintf("tp-%s-%d", s.nd.id, i), per)
				if err != nil {
					errs <- err
					return
				}
				if _, err := s.c.Anchor(ctx, s.nd.cfg.APIAddr, ms); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	last, _ := subs[0].c.Status(ctx, subs[0].nd.cfg.APIAddr)
	committedOnAll(last.Height)
	el := time.Since(start)
	blocks := last.Height - first.Height
	manifests := len(subs) * perNode * per
	t.Logf("throughput, 3 submitters x %d submissions of %d manifests: %d blocks in %v = %.1f blocks/s, %.0f manifests/s",
		perNode, per, blocks, el.Round(time.Millisecond), float64(blocks)/el.Seconds(), float64(manifests)/el.Seconds())

	// Group commit: 16 submitters, each one entry at a time, spread over
	// the three nodes.
	const submitters, each = 16, 25
	first, _ = subs[0].c.Status(ctx, subs[0].nd.cfg.APIAddr)
	lats := make([][]time.Duration, submitters)
	errs = make(chan error, submitters)
	start = time.Now()
	for k := range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := subs[k%len(subs)]
			for i := range each {
				e, err := anchor.NewEntry(s.chain.ChainID(), anchor.KindTimestamp, s.nd.id, map[string]any{"submitter": k, "n": i}, s.key, time.Now())
				if err != nil {
					errs <- err
					return
				}
				t0 := time.Now()
				if _, err := s.c.AnchorEntries(ctx, s.nd.cfg.APIAddr, []anchor.Entry{e}); err != nil {
					errs <- err
					return
				}
				lats[k] = append(lats[k], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	el = time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	last, _ = subs[0].c.Status(ctx, subs[0].nd.cfg.APIAddr)
	var all []time.Duration
	for _, l := range lats {
		all = append(all, l...)
	}
	if len(all) != submitters*each {
		t.Fatalf("%d entries committed, want %d", len(all), submitters*each)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	t.Logf("group commit, %d submitters x %d entries: %d blocks in %v = %.0f entries/s; latency to stored on the submitter's node p50 %v, p99 %v",
		submitters, each, last.Height-first.Height, el.Round(time.Millisecond), float64(len(all))/el.Seconds(),
		all[len(all)/2].Round(time.Microsecond), all[len(all)*99/100].Round(time.Microsecond))
}
