package replication_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/healthanchor/healthanchor/anchor"
	"github.com/healthanchor/healthanchor/anchor/replication"
	"github.com/healthanchor/healthanchor/anchor/replication/localcluster"
)

// benchCluster is a 3-node cluster in this process, on loopback with
// mutual TLS and the durable stores of a real node (SQLite, WAL,
// synchronous=FULL).
type benchCluster struct {
	nodes  []*replication.Node
	chains []*anchor.Chain
	keys   []ed25519.PrivateKey
	ids    []string
}

func newBenchCluster(b *testing.B) *benchCluster {
	b.Helper()
	dir := b.TempDir()
	lay, err := localcluster.Init(dir, 3, 0, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	bc := &benchCluster{}
	ctx := context.Background()
	for _, nd := range lay {
		chain, err := anchor.OpenChain(filepath.Join(nd.Dir, "chain.db"))
		if err != nil {
			b.Fatal(err)
		}
		key, err := anchor.ReadSigningKey(filepath.Join(nd.Dir, "keys/agency.key"))
		if err != nil {
			b.Fatal(err)
		}
		n, err := replication.Start(ctx, nd.Cluster, nd.Dir, chain, nd.ID, key, nil)
		if err != nil {
			b.Fatal(err)
		}
		bc.nodes, bc.chains, bc.keys, bc.ids = append(bc.nodes, n), append(bc.chains, chain), append(bc.keys, key), append(bc.ids, nd.ID)
	}
	b.Cleanup(func() {
		for i, n := range bc.nodes {
			n.Close()
			bc.chains[i].Close()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for bc.leader() < 0 {
		if time.Now().After(deadline) {
			b.Fatal("no leader elected in 30s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return bc
}

// leader returns the index of the leading node, -1 while there is none.
func (bc *benchCluster) leader() int {
	for i, n := range bc.nodes {
		if n.Status().Role == "leader" {
			return i
		}
	}
	return -1
}

// waitAll waits until every node stores height h.
func (bc *benchCluster) waitAll(b *testing.B, h int64) {
	for _, n := range bc.nodes {
		if err := n.WaitHeight(b.Context(), h); err != nil {
			b.Fatal(err)
		}
	}
}

// manifest signs a manifest of node i's agency at producer_seq seq.
func (bc *benchCluster) manifest(i int, seq int64, job string) (anchor.Manifest, error) {
	wk := anchor.NewWatermarkKey([]byte(bc.ids[i]))
	empty := wk.Digest(nil)
	w := []byte(job)
	m := anchor.Manifest{
		Version: anchor.ManifestVersion, ChainID: bc.chains[i].ChainID(), Agency: bc.ids[i], ProducerSeq: seq,
		BatchID: wk.BatchID(job, "bench", "patient/1", false, nil, w), Job: job, Source: "bench",
		WindowFrom: empty, WindowTo: wk.Digest(w), Schema: "patient/1", Fingerprint: empty,
		MerkleRoot: empty, RejectsRoot: empty, ParquetSHA256: empty, RejectsSHA256: empty,
		CreatedAt: time.Now().UTC().Format(time.RFC3339),
	}
	return m, m.Sign(bc.keys[i])
}

// entry signs a timestamp entry of node i.
func (bc *benchCluster) entry(i int, tag string) (anchor.Entry, error) {
	return anchor.NewEntry(bc.chains[i].ChainID(), anchor.KindTimestamp, bc.ids[i], map[string]any{"tag": tag}, bc.keys[i], time.Now())
}

// stageMeans reads the mean of each healthanchor_block_stage_seconds
// stage over the nodes' collectors, in milliseconds.
func (bc *benchCluster) stageMeans(b *testing.B) map[string]float64 {
	sum, count := map[string]float64{}, map[string]uint64{}
	for _, n := range bc.nodes {
		reg := prometheus.NewRegistry()
		for _, c := range n.Collectors() {
			reg.MustRegister(c)
		}
		fams, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range fams {
			if f.GetName() != "healthanchor_block_stage_seconds" {
				continue
			}
			for _, m := range f.GetMetric() {
				stage := labelValue(m, "stage")
				sum[stage] += m.GetHistogram().GetSampleSum()
				count[stage] += m.GetHistogram().GetSampleCount()
			}
		}
	}
	out := map[string]float64{}
	for s, c := range count {
		if c > 0 {
			out[s] = 1000 * sum[s] / float64(c)
		}
	}
	return out
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func reportLatency(b *testing.B, lat []time.Duration) {
	b.ReportMetric(float64(percentile(lat, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 0.99).Microseconds())/1000, "p99-ms")
}

func logStages(b *testing.B, bc *benchCluster) {
	st := bc.stageMeans(b)
	b.Logf("mean per block (ms): queue %.2f, build %.2f, replicate %.2f, apply %.2f",
		st["queue"], st["build"], st["replicate"], st["apply"])
}

// BenchmarkCommit measures a block's commit on a 3-node loopback
// cluster in this process (go test ./anchor/replication -run X -bench
// Commit -benchtime 200x):
//
//   - latency: one manifest at a time submitted at a follower, until its
//     block is stored on all three nodes (p50-ms, p99-ms);
//   - concurrent16: 16 submitters at once, spread over the three nodes,
//     each submitting one signed entry at a time (entries carry no
//     producer_seq, so one agency's submissions may run concurrently);
//     leaves/s is the rate of entries committed, the latency is a
//     submission's until its own node stores it;
//   - agencies3x4 and agencies3x64: each agency submits 4 (or 64)
//     manifests at a time back to back (the chain's producer_seq orders one
//     agency's manifests; a run anchors all its batches in one call),
//     manifests/s.
func BenchmarkCommit(b *testing.B) {
	b.Run("latency", func(b *testing.B) {
		bc := newBenchCluster(b)
		ctx := context.Background()
		f := (bc.leader() + 1) % 3
		var lat []time.Duration
		b.ResetTimer()
		for i := range b.N {
			m, err := bc.manifest(f, int64(i+1), fmt.Sprintf("lat-%d", i))
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			blk, err := bc.nodes[f].Anchor(ctx, []anchor.Manifest{m})
			if err != nil {
				b.Fatal(err)
			}
			bc.waitAll(b, blk.Height)
			lat = append(lat, time.Since(start))
		}
		b.StopTimer()
		reportLatency(b, lat)
		logStages(b, bc)
	})
	b.Run("concurrent16", func(b *testing.B) {
		bc := newBenchCluster(b)
		ctx := context.Background()
		const submitters = 16
		var mu sync.Mutex
		var lat []time.Duration
		first := bc.nodes[0].Status().Height
		b.ResetTimer()
		el, err := together(submitters, func(s int) error {
			i := s % 3
			for k := s; k < b.N; k += submitters {
				e, err := bc.entry(i, fmt.Sprintf("c-%d", k))
				if err != nil {
					return err
				}
				t0 := time.Now()
				if _, err := bc.nodes[i].AnchorEntries(ctx, []anchor.Entry{e}); err != nil {
					return err
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
			return nil
		})
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if len(lat) != b.N {
			b.Fatalf("%d submissions committed, want %d", len(lat), b.N)
		}
		reportLatency(b, lat)
		b.ReportMetric(float64(b.N)/el.Seconds(), "leaves/s")
		b.ReportMetric(float64(bc.nodes[0].Status().Height-first), "blocks")
		logStages(b, bc)
	})
	for _, per := range []int{4, 64} {
		b.Run(fmt.Sprintf("agencies3x%d", per), func(b *testing.B) { benchAgencies(b, per) })
	}
}

// benchAgencies has each of the three agencies submit per manifests at a
// time, back to back, as a run anchoring that many batches does; b.N
// counts submissions, so b.N*per manifests are anchored.
func benchAgencies(b *testing.B, per int) {
	bc := newBenchCluster(b)
	ctx := context.Background()
	b.ResetTimer()
	el, err := together(3, func(i int) error {
		seq := int64(1)
		for k := i; k < b.N; k += 3 {
			var ms []anchor.Manifest
			for j := range per {
				m, err := bc.manifest(i, seq, fmt.Sprintf("tp-%d-%d", k, j))
				if err != nil {
					return err
				}
				ms = append(ms, m)
				seq++
			}
			if _, err := bc.nodes[i].Anchor(ctx, ms); err != nil {
				return err
			}
		}
		return nil
	})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N*per)/el.Seconds(), "manifests/s")
	logStages(b, bc)
}

// together runs fn(0) ... fn(n-1) at once and returns how long they took
// and their errors.
func together(n int, fn func(i int) error) (time.Duration, error) {
	start := time.Now()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	return time.Since(start), errors.Join(errs...)
}
