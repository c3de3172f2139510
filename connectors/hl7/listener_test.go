package hl7

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
)

// startListener runs Receive for a listening connector over a fresh
// spool and returns it with its address.
func startListener(t testing.TB, opts connectors.Options, perMessage bool) (*Connector, string) {
	t.Helper()
	dir := t.TempDir()
	o := connectors.Options{"listen": "127.0.0.1:0"}
	for k, v := range opts {
		o[k] = v
	}
	var cfg Config
	if err := connectors.Decode(o, &cfg); err != nil {
		t.Fatal(err)
	}
	c, err := New(cfg, connectors.Env{BaseDir: dir, Job: "adt"})
	if err != nil {
		t.Fatal(err)
	}
	c.perMessage = perMessage
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- c.Receive(ctx, nil, func(a string) { addr <- a }) }()
	select {
	case a := <-addr:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Receive: %v", err)
			}
		})
		return c, a
	case err := <-done:
		cancel()
		t.Fatalf("Receive: %v", err)
	}
	return nil, ""
}

// mllpClient sends blocks and reads ACKs.
type mllpClient struct {
	conn net.Conn
	r    *bufio.Reader
}

func dial(t testing.TB, addr string) *mllpClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &mllpClient{conn: conn, r: bufio.NewReader(conn)}
}

func (c *mllpClient) send(msg string) (string, error) {
	if _, err := c.conn.Write([]byte("\x0b" + msg + "\x1c\r")); err != nil {
		return "", err
	}
	c.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	ack, err := c.r.ReadString(mllpEnd)
	if err != nil {
		return "", err
	}
	c.r.ReadByte()
	return strings.TrimPrefix(strings.TrimSuffix(ack, "\x1c"), "\x0b"), nil
}

// msa returns MSA-1 and MSA-2 of an ACK.
func msa(ack string) string {
	for _, seg := range strings.Split(ack, "\r") {
		if strings.HasPrefix(seg, "MSA|") {
			f := strings.Split(seg, "|")
			return f[1] + " " + f[2]
		}
	}
	return "no MSA in " + ack
}

func adtMsg(facility, id string) string {
	return fmt.Sprintf("MSH|^~\\&|ADT|%s|HA|AGENCY|20261202101500||ADT^A01^ADT_A01|%s|P|2.5.1\rPID|1||%s^^^H^MR||DOE^JANE||19800101|F\r", facility, id, id)
}

// anchorable plans and reads the job's spool from the watermark from, as
// a run does, and returns the watermark and the patient rows' refs.
func anchorable(t *testing.T, c *Connector, from connectors.Watermark) (connectors.Watermark, []string) {
	t.Helper()
	to, err := c.Plan(context.Background(), from)
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	err = c.Read(context.Background(), from, to, func(r connectors.Record) error {
		if r.Reject != nil {
			refs = append(refs, "reject:"+r.SourceRef)
		} else if r.Schema.ID() == "patient/1" {
			refs = append(refs, r.SourceRef)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return to, refs
}

func TestListenerAcks(t *testing.T) {
	c, addr := startListener(t, connectors.Options{"receiving_application": "HA", "max_message_bytes": 2048}, false)
	cl := dial(t, addr)
	tests := []struct{ name, msg, want string }{
		{"accepted", adtMsg("HOSP", "M1"), "AA M1"},
		{"resend after a lost ACK", adtMsg("HOSP", "M1"), "AA M1"},
		{"same id from another facility", adtMsg("CLINIC", "M1"), "AA M1"},
		{"garbage", "hello, world", "AE "},
		{"no control id", adtMsg("HOSP", ""), "AE "},
		{"too large", adtMsg("HOSP", "BIG") + "NTE|1||" + strings.Repeat("x", 3000) + "\r", "AR BIG"},
		{"another receiving application", strings.Replace(adtMsg("HOSP", "M9"), "|HA|", "|LIS|", 1), "AR M9"},
		{"still serving", adtMsg("HOSP", "M2"), "AA M2"},
	}
	for _, tt := range tests {
		ack, err := cl.send(tt.msg)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := msa(ack); got != tt.want {
			t.Errorf("%s: MSA = %q, want %q (ACK %q)", tt.name, got, tt.want, ack)
		}
		if strings.HasPrefix(tt.want, "A") && tt.want[1] != 'A' && !strings.Contains(ack, "\rERR|") {
			t.Errorf("%s: no ERR segment in %q", tt.name, ack)
		}
	}
	wm, refs := anchorable(t, c, nil)
	if want := 3; len(refs) != want {
		t.Errorf("anchorable = %q, want %d messages", refs, want)
	}
	if _, again := anchorable(t, c, wm); len(again) != 0 {
		t.Errorf("taken again: %q", again)
	}
	if ack, _ := cl.send(adtMsg("HOSP", "M3")); msa(ack) != "AA M3" {
		t.Errorf("after a run: %q", ack)
	}
	if _, next := anchorable(t, c, wm); len(next) != 1 || !strings.HasSuffix(next[0], "/M3") {
		t.Errorf("next run = %q, want M3 only", next)
	}
}

// TestListenerConcurrentResend: the same message sent at once on many
// connections is stored once, and each gets AA.
func TestListenerConcurrentResend(t *testing.T) {
	c, addr := startListener(t, nil, false)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		cl := dial(t, addr)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				if ack, err := cl.send(adtMsg("HOSP", fmt.Sprintf("C%d", j))); err != nil || msa(ack) != fmt.Sprintf("AA C%d", j) {
					t.Errorf("ack %q, %v", ack, err)
				}
			}
		}()
	}
	wg.Wait()
	if _, refs := anchorable(t, c, nil); len(refs) != 20 {
		t.Errorf("anchorable = %d messages, want 20", len(refs))
	}
}

// TestListenerSlowSender: a sender trickling one byte at a time does not
// hold up another.
func TestListenerSlowSender(t *testing.T) {
	_, addr := startListener(t, nil, false)
	slow := dial(t, addr)
	slow.conn.Write([]byte("\x0bMSH|^~\\&|A"))
	fast := dial(t, addr)
	start := time.Now()
	if ack, err := fast.send(adtMsg("HOSP", "F1")); err != nil || msa(ack) != "AA F1" {
		t.Fatalf("fast sender: %q, %v", ack, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("fast sender waited %v", d)
	}
}
