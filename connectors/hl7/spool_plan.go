package hl7

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/healthanchor/healthanchor/connectors"
)

// spoolWatermark is the watermark of a listening job: the last spool
// segment anchored. Segments are sealed before a run takes them and never
// change afterwards, so a window (from, to] is the segments numbered
// from+1 to to, read the same way every time.
type spoolWatermark struct {
	Seq uint64 `json:"spool_seq"`
}

func parseSpoolWatermark(w connectors.Watermark) (spoolWatermark, error) {
	var wm spoolWatermark
	if len(w) == 0 {
		return wm, nil
	}
	if err := json.Unmarshal(w, &wm); err != nil {
		return wm, fmt.Errorf("hl7: spool watermark: %w", err)
	}
	return wm, nil
}

// planSpool seals what the listener holds open (in this process: its
// open segment; in another process: it asks for a seal and waits a
// little; when no listener holds the folder: what a crash left open),
// prunes anchored segments past the resend window, and returns the last
// sealed segment.
func (c *Connector) planSpool(ctx context.Context, from connectors.Watermark) (connectors.Watermark, error) {
	wm, err := parseSpoolWatermark(from)
	if err != nil {
		return nil, err
	}
	dir := c.spoolDir()
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("hl7: spool: %w", err)
	}
	if err := sealForPlan(dir, wm.Seq); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, wrap(err)
	}
	segs, err := listSegments(dir)
	if err != nil {
		return nil, err
	}
	if err := prune(dir, segs, wm.Seq, c.cfg.dedupWindow()); err != nil {
		return nil, err
	}
	last := wm.Seq
	for _, s := range segs {
		if !s.open {
			last = max(last, s.seq)
		}
	}
	if last == wm.Seq {
		return from, nil
	}
	b, _ := json.Marshal(spoolWatermark{Seq: last})
	return b, nil
}

// sealForPlan seals the spool's open segment before a run lists the
// sealed ones; taken is the run's watermark.
func sealForPlan(dir string, taken uint64) error {
	if live, ok := liveSpools.Load(dir); ok {
		sp := live.(*Spool)
		sp.setTaken(taken)
		_, err := sp.Seal()
		if !errors.Is(err, ErrSpoolClosed) {
			return err
		}
		// The listener is closing: it seals on its way out.
	}
	lock, ok, err := lockSpool(dir)
	if err != nil {
		return err
	}
	if !ok {
		return askSeal(dir, 5*time.Second)
	}
	defer unlockSpool(lock)
	return recoverSpool(dir)
}

// prune records taken as anchored and removes the sealed segments up to
// it last written before the resend window; the newest segment stays, so
// that numbers are never reused.
func prune(dir string, segs []spoolFile, taken uint64, window time.Duration) error {
	if taken == 0 {
		return nil
	}
	if readTaken(dir) < taken {
		if err := writeTaken(dir, taken); err != nil {
			return err
		}
	}
	cutoff := time.Now().Add(-window)
	for i, s := range segs {
		if s.open || s.seq > taken || i == len(segs)-1 {
			continue
		}
		if st, err := os.Stat(s.path); err == nil && st.ModTime().Before(cutoff) {
			if err := os.Remove(s.path); err != nil {
				return fmt.Errorf("hl7: spool: prune: %w", err)
			}
		}
	}
	return nil
}

// readSpool streams the segments of the window (from, to] in order.
func (c *Connector) readSpool(ctx context.Context, from, to connectors.Watermark, emit connectors.EmitFunc) error {
	a, err := parseSpoolWatermark(from)
	if err != nil {
		return err
	}
	b, err := parseSpoolWatermark(to)
	if err != nil {
		return err
	}
	dir := c.spoolDir()
	for seq := a.Seq + 1; seq <= b.Seq; seq++ {
		if err := ctx.Err(); err != nil {
			return wrap(err)
		}
		name := segmentName(seq, sealedExt)
		f, err := os.Open(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			return fmt.Errorf("hl7: spool: segment %s of the window is missing (segments anchored are pruned after dedup_window): %w", name, err)
		}
		if err != nil {
			return fmt.Errorf("hl7: spool: %w", err)
		}
		err = c.readStream(ctx, f, c.spoolKey(name), emit)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// spoolKey names a segment in source_ref: its path from the job's folder.
func (c *Connector) spoolKey(name string) string {
	if rel, err := filepath.Rel(c.env.BaseDir, filepath.Join(c.spoolDir(), name)); err == nil && !filepath.IsAbs(c.cfg.Spool) {
		return filepath.ToSlash(rel)
	}
	return filepath.Join(c.spoolDir(), name)
}
