package lifecycle

import "github.com/prometheus/client_golang/prometheus"

// TimestampMetrics count the requests to each TSA by outcome, and the
// time of its latest stored token; serve puts them on /metrics.
type TimestampMetrics struct {
	requests *prometheus.CounterVec
	last     *prometheus.GaugeVec
}

// NewTimestampMetrics makes the metrics (register them with Collectors).
func NewTimestampMetrics() *TimestampMetrics {
	return &TimestampMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "healthanchor_tsa_requests_total",
			Help: "Timestamp requests per TSA by outcome: ok, unreachable (retried), refused (the token did not verify)."}, []string{"tsa", "outcome"}),
		last: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "healthanchor_tsa_last_token_timestamp_seconds",
			Help: "Unix time of the latest token stored from the TSA."}, []string{"tsa"}),
	}
}

// Collectors are the metrics to register.
func (m *TimestampMetrics) Collectors() []prometheus.Collector {
	return []prometheus.Collector{m.requests, m.last}
}

func (m *TimestampMetrics) count(tsa, outcome string) {
	if m != nil {
		m.requests.WithLabelValues(tsa, outcome).Inc()
	}
}

func (m *TimestampMetrics) stored(tsa string, unix float64) {
	if m != nil {
		m.last.WithLabelValues(tsa).Set(unix)
	}
}
