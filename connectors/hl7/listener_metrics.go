package hl7

import "github.com/prometheus/client_golang/prometheus"

// mllpMetrics are the listener's Prometheus metrics; serve labels them
// with the job.
type mllpMetrics struct {
	received prometheus.Counter
	bytes    prometheus.Counter
	dups     prometheus.Counter
	acks     *prometheus.CounterVec
	conns    prometheus.Gauge
	depth    prometheus.GaugeFunc
	commits  prometheus.CounterFunc
}

func newMLLPMetrics(sp *Spool) *mllpMetrics {
	m := &mllpMetrics{
		received: prometheus.NewCounter(prometheus.CounterOpts{Name: "healthanchor_mllp_messages_received_total",
			Help: "MLLP blocks received, whatever their ACK."}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{Name: "healthanchor_mllp_received_bytes_total",
			Help: "Bytes of the MLLP blocks received."}),
		dups: prometheus.NewCounter(prometheus.CounterOpts{Name: "healthanchor_mllp_duplicates_total",
			Help: "Resends of a stored message (same MSH-4 and MSH-10), acknowledged AA and not stored again."}),
		acks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "healthanchor_mllp_acks_total",
			Help: "ACKs sent, by MSA-1 code (AA, AE, AR)."}, []string{"code"}),
		conns: prometheus.NewGauge(prometheus.GaugeOpts{Name: "healthanchor_mllp_connections",
			Help: "MLLP connections open."}),
		depth: prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "healthanchor_mllp_spool_depth",
			Help: "Messages in the spool not yet taken by a run of the job."}, func() float64 { return float64(sp.depth()) }),
		commits: prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "healthanchor_mllp_spool_fsyncs_total",
			Help: "Group commits of the spool (one write and one fsync each)."}, func() float64 { return float64(sp.commits.Load()) }),
	}
	for _, c := range []AckCode{AckAccept, AckError, AckReject} {
		m.acks.WithLabelValues(string(c))
	}
	return m
}

func (m *mllpMetrics) register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.received, m.bytes, m.dups, m.acks, m.conns, m.depth, m.commits} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}
