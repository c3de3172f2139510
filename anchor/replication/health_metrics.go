package replication

import "github.com/prometheus/client_golang/prometheus"

// healthCollector serves the node's Health at each scrape: whether it
// is ready, and per peer whether it answers, how long ago it last did,
// and (on the leader) how many Raft entries it is behind.
type healthCollector struct {
	n         *Node
	ready     *prometheus.Desc
	reachable *prometheus.Desc
	contact   *prometheus.Desc
	lag       *prometheus.Desc
}

func newHealthCollector(n *Node) *healthCollector {
	peer := []string{"peer"}
	return &healthCollector{
		n: n,
		ready: prometheus.NewDesc("healthanchor_replica_ready",
			"1 when this node reaches a quorum of voters and applies blocks (what /healthz reports), else 0.", nil, nil),
		reachable: prometheus.NewDesc("healthanchor_peer_reachable",
			"1 when the peer answered or sent a message within a few election timeouts, else 0 (peers this node exchanges nothing with are left out).", peer, nil),
		contact: prometheus.NewDesc("healthanchor_peer_last_contact_seconds",
			"Seconds since the last message exchanged with the peer (Raft or peer API).", peer, nil),
		lag: prometheus.NewDesc("healthanchor_peer_replication_lag_entries",
			"Raft log entries the peer is behind the leader (on the leader only).", peer, nil),
	}
}

// Describe sends the metrics' descriptions.
func (c *healthCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.ready
	ch <- c.reachable
	ch <- c.contact
	ch <- c.lag
}

// Collect reads the node's health now.
func (c *healthCollector) Collect(ch chan<- prometheus.Metric) {
	h := c.n.Health()
	ch <- prometheus.MustNewConstMetric(c.ready, prometheus.GaugeValue, boolGauge(h.Ready))
	for _, p := range h.Peers {
		if p.Reachability == Unknown {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.reachable, prometheus.GaugeValue, boolGauge(p.Reachability == Reachable), p.ID)
		if p.LastContactSeconds != nil {
			ch <- prometheus.MustNewConstMetric(c.contact, prometheus.GaugeValue, *p.LastContactSeconds, p.ID)
		}
		if p.LagEntries != nil {
			ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(*p.LagEntries), p.ID)
		}
	}
}

func boolGauge(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
