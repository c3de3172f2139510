package hl7

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Listening reports whether the job receives messages over MLLP (its
// listen option is set); serve then calls Receive.
func (c *Connector) Listening() bool { return c.cfg.Listen != "" }

// Receive accepts MLLP connections on the listen address until ctx is
// done. Each message is stored durably in the job's spool before its ACK
// is sent (AA), or refused with AE or AR (docs/hl7.md); the job's next
// run anchors the spool. Metrics are registered on reg; ready, when set,
// gets the address listened on.
//
// Shutdown order, when ctx is done: stop accepting; stop reading (a
// message half received is not acknowledged: its sender sends it again);
// let the messages being stored reach the disk and their ACKs go out;
// seal the open segment and release the spool.
func (c *Connector) Receive(ctx context.Context, reg prometheus.Registerer, ready func(addr string)) error {
	if !c.Listening() {
		return fmt.Errorf("hl7: receive: listen is not set")
	}
	tlsConf, err := c.tlsConfig()
	if err != nil {
		return err
	}
	sp, err := openSpool(c.spoolDir(), spoolOptions{perMessage: c.perMessage, window: c.cfg.dedupWindow()})
	if err != nil {
		return err
	}
	defer sp.Close()
	ln, err := net.Listen("tcp", c.cfg.Listen)
	if err != nil {
		return fmt.Errorf("hl7: listen %s: %w", c.cfg.Listen, err)
	}
	if tlsConf != nil {
		ln = tls.NewListener(ln, tlsConf)
	}
	l := &listener{cfg: &c.cfg, log: c.log.With("listen", ln.Addr().String()), spool: sp,
		conns: map[net.Conn]struct{}{}, metrics: newMLLPMetrics(sp)}
	if reg != nil {
		if err := l.metrics.register(reg); err != nil {
			ln.Close()
			return fmt.Errorf("hl7: metrics: %w", err)
		}
	}
	l.log.Info("mllp listening", "spool", sp.Dir(), "tls", tlsConf != nil)
	if ready != nil {
		ready(ln.Addr().String())
	}
	stop := context.AfterFunc(ctx, func() { ln.Close(); l.stop() })
	defer stop()
	err = l.accept(ln)
	l.wg.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// tlsConfig loads the listener's certificates, when tls is set.
func (c *Connector) tlsConfig() (*tls.Config, error) {
	t := c.cfg.TLS
	if t == nil {
		return nil, nil
	}
	path := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(c.env.BaseDir, p)
	}
	cert, err := tls.LoadX509KeyPair(path(t.CertFile), path(t.KeyFile))
	if err != nil {
		return nil, fmt.Errorf("hl7: tls: %w", err)
	}
	conf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if t.ClientCAFile != "" {
		pem, err := os.ReadFile(path(t.ClientCAFile))
		if err != nil {
			return nil, fmt.Errorf("hl7: tls: client_ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("hl7: tls: client_ca_file %s: no PEM certificate", t.ClientCAFile)
		}
		conf.ClientCAs, conf.ClientAuth = pool, tls.RequireAndVerifyClientCert
	}
	return conf, nil
}

// listener serves the connections of one Receive.
type listener struct {
	cfg     *Config
	log     *slog.Logger
	spool   *Spool
	metrics *mllpMetrics
	wg      sync.WaitGroup

	stopping atomic.Bool
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
}

// accept serves connections, at most max_connections at once, until the
// listener is closed.
func (l *listener) accept(ln net.Listener) error {
	sem := make(chan struct{}, l.cfg.MaxConnections)
	for {
		sem <- struct{}{}
		conn, err := ln.Accept()
		if err != nil {
			if l.stopping.Load() || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("hl7: accept: %w", err)
		}
		l.mu.Lock()
		if l.stopping.Load() {
			l.mu.Unlock()
			conn.Close()
			return nil
		}
		l.conns[conn] = struct{}{}
		l.wg.Add(1)
		l.mu.Unlock()
		go func() {
			defer func() { <-sem }()
			defer l.wg.Done()
			l.serve(conn)
		}()
	}
}

// stop makes every connection's next read fail at once.
func (l *listener) stop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.stopping.Store(true)
	for c := range l.conns {
		c.SetReadDeadline(time.Now())
	}
}

// serve reads a connection's blocks and answers each with its ACK, one
// at a time (MLLP is a request-response protocol).
func (l *listener) serve(conn net.Conn) {
	l.metrics.conns.Inc()
	defer func() {
		l.mu.Lock()
		delete(l.conns, conn)
		l.mu.Unlock()
		conn.Close()
		l.metrics.conns.Dec()
	}()
	log := l.log.With("peer", conn.RemoteAddr().String())
	r := newMLLPReader(&deadlineReader{l: l, c: conn}, l.cfg.MaxMessageBytes)
	var p Parser
	var msg Message
	var out []byte
	for {
		b, err := r.next()
		if err != nil {
			var ne net.Error
			switch {
			case errors.Is(err, io.EOF), l.stopping.Load():
			case errors.As(err, &ne) && ne.Timeout():
				log.Info("mllp connection closed: silent past read_timeout", "read_timeout", l.cfg.ReadTimeout.String())
			default:
				log.Warn("mllp connection closed", "err", err)
			}
			return
		}
		if b.Skipped > 0 {
			log.Warn("mllp: bytes outside a block skipped", "bytes", b.Skipped)
		}
		l.metrics.received.Inc()
		l.metrics.bytes.Add(float64(b.Size))
		code, ack := l.answer(b, &p, &msg, log)
		l.metrics.acks.WithLabelValues(string(code)).Inc()
		out = append(append(append(out[:0], mllpStart), ack...), mllpEnd, mllpCR)
		conn.SetWriteDeadline(time.Now().Add(l.cfg.ReadTimeout))
		if _, err := conn.Write(out); err != nil {
			log.Warn("mllp: could not send the ACK (a sender resending the message gets AA again)", "err", err)
			return
		}
	}
}

// answer stores or refuses one block and returns its ACK.
func (l *listener) answer(b block, p *Parser, msg *Message, log *slog.Logger) (AckCode, []byte) {
	h := readHeader(b.Msg)
	refuse := func(code AckCode, errCode, reason string) (AckCode, []byte) {
		log.Warn("mllp: message not accepted", "ack", string(code), "control_id", printable(h.field(10)), "reason", reason)
		return code, buildAck(h, code, errCode, reason, time.Now())
	}
	switch {
	case b.Over:
		return refuse(AckReject, errInternal, fmt.Sprintf("message of %d bytes exceeds max_message_bytes (%d)", b.Size, l.cfg.MaxMessageBytes))
	case !h.ok:
		return refuse(AckError, errSegmentSequence, "not an HL7 message: the block must start with an MSH segment with valid encoding characters (one message per block; no FHS/BHS batches)")
	case bytes.IndexByte(b.Msg, mllpStart) >= 0:
		return refuse(AckError, errSegmentSequence, "a 0x0B byte inside the message")
	}
	if err := p.ParseInto(msg, b.Msg); err != nil {
		return refuse(AckError, errSegmentSequence, Reason(err))
	}
	if len(h.field(10)) == 0 {
		return refuse(AckError, errRequiredMissing, "MSH-10 (message control id) is required: resends are recognised by it")
	}
	if want := l.cfg.ReceivingApplication; want != "" {
		if got := h.field(5); string(got) != want && string(h.comp(5, 1)) != want {
			return refuse(AckReject, errInternal, fmt.Sprintf("MSH-5 %q is not this receiving application (%s)", got, want))
		}
	}
	dup, err := l.spool.put(b.Msg, h)
	if err != nil {
		log.Error("mllp: message not stored", "err", err)
		return AckError, buildAck(h, AckError, errInternal, "not stored, send it again later: "+err.Error(), time.Now())
	}
	if dup {
		l.metrics.dups.Inc()
		log.Info("mllp: resend of a stored message acknowledged again", "control_id", printable(h.field(10)))
	}
	return AckAccept, buildAck(h, AckAccept, "", "", time.Now())
}

// deadlineReader gives every read of a connection read_timeout.
type deadlineReader struct {
	l *listener
	c net.Conn
}

func (r *deadlineReader) Read(p []byte) (int, error) {
	if r.l.stopping.Load() {
		return 0, net.ErrClosed
	}
	r.c.SetReadDeadline(time.Now().Add(r.l.cfg.ReadTimeout))
	return r.c.Read(p)
}
