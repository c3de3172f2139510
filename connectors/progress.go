package connectors

import "sync/atomic"

// Progress counts the input bytes a read has consumed out of those it
// will consume, where a connector knows them (files in a drop folder), so
// that a progress report can say how much is left. It is safe for
// concurrent use; a nil *Progress ignores everything.
type Progress struct {
	done, total atomic.Int64
}

// AddTotal adds n bytes to read.
func (p *Progress) AddTotal(n int64) {
	if p != nil {
		p.total.Add(n)
	}
}

// Add records n bytes read.
func (p *Progress) Add(n int64) {
	if p != nil {
		p.done.Add(n)
	}
}

// Bytes returns the bytes read and the bytes to read (0 when unknown).
func (p *Progress) Bytes() (done, total int64) {
	if p == nil {
		return 0, 0
	}
	return p.done.Load(), p.total.Load()
}
