package hl7

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// BenchmarkMLLPListener: 10 senders on loopback, each on its own
// connection waiting for every ACK before the next message (as interface
// engines do), against a spool on disk that fsyncs each message alone
// (per-message) or as many as are waiting at once (group). It reports
// messages acknowledged per second and the p50/p99 ACK latency.
//
//	go test ./connectors/hl7 -run X -bench MLLPListener -benchtime 20000x
func BenchmarkMLLPListener(b *testing.B) {
	const senders = 10
	for _, mode := range []struct {
		name       string
		perMessage bool
	}{{"fsync=per-message", true}, {"fsync=group", false}} {
		b.Run(mode.name, func(b *testing.B) {
			_, addr := startListener(b, nil, mode.perMessage)
			clients := make([]*mllpClient, senders)
			for i := range clients {
				clients[i] = dial(b, addr)
			}
			lat := make([][]time.Duration, senders)
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for s := range senders {
				n := b.N / senders
				if s < b.N%senders {
					n++
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range n {
						t0 := time.Now()
						ack, err := clients[s].send(adtMsg("HOSP", fmt.Sprintf("B%d-%d", s, i)))
						if err != nil || msa(ack)[:2] != "AA" {
							b.Errorf("ack %q, %v", ack, err)
							return
						}
						lat[s] = append(lat[s], time.Since(t0))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			var all []time.Duration
			for _, l := range lat {
				all = append(all, l...)
			}
			sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
			if len(all) == 0 {
				return
			}
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "acks/s")
			b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
