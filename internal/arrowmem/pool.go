// Package arrowmem provides an Arrow memory allocator that reuses the
// buffers of released record batches. A batch writer builds record
// batches of the same shape over and over; recycling their buffers saves
// the allocation, page faults and garbage collection of fresh ones.
package arrowmem

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

const (
	alignment = 64       // bytes; as Arrow's Go allocator aligns
	minPooled = 4 << 10  // smaller buffers come from the Go heap and are not kept
	maxPooled = 64 << 20 // larger ones neither
)

// Pool is a memory.Allocator that keeps freed buffers, by power-of-two
// capacity, for later allocations, up to a bound on the bytes it holds.
// Buffers it returns are zeroed and 64-byte aligned, as memory.GoAllocator's
// are. It is safe for concurrent use: batches are built on one goroutine
// and released on others.
type Pool struct {
	mu    sync.Mutex
	free  [bits.UintSize][][]byte // free[k]: buffers of capacity 1<<k
	held  int                     // bytes in free
	limit int
}

// NewPool returns a pool that keeps at most limit bytes of free buffers.
func NewPool(limit int) *Pool { return &Pool{limit: limit} }

var _ memory.Allocator = (*Pool)(nil)

// class is the power-of-two capacity class of a size, or -1 for sizes
// the pool does not keep.
func class(size int) int {
	if size < minPooled || size > maxPooled {
		return -1
	}
	return bits.Len(uint(size - 1))
}

// Allocate returns a zeroed buffer of size bytes.
func (p *Pool) Allocate(size int) []byte {
	k := class(size)
	if k < 0 {
		return alignedMake(size, size)
	}
	p.mu.Lock()
	list := p.free[k]
	if n := len(list); n > 0 {
		b := list[n-1]
		list[n-1] = nil
		p.free[k] = list[:n-1]
		p.held -= cap(b)
		p.mu.Unlock()
		clear(b)
		return b[:size]
	}
	p.mu.Unlock()
	return alignedMake(size, 1<<k)
}

// Reallocate resizes b to size bytes, keeping its content; bytes past the
// old length are zero.
func (p *Pool) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// Free gives b back to the pool, which keeps it if it has room.
func (p *Pool) Free(b []byte) {
	b = b[:cap(b)]
	k := class(len(b))
	if k < 0 || len(b) != 1<<k {
		return // not one of ours: the garbage collector takes it
	}
	p.mu.Lock()
	if p.held+len(b) <= p.limit {
		p.free[k] = append(p.free[k], b)
		p.held += len(b)
	}
	p.mu.Unlock()
}

// Held returns the bytes of free buffers the pool holds.
func (p *Pool) Held() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// Drain drops every free buffer the pool holds, for the garbage collector
// to take: a pool shared by writers is drained when the last one is done,
// so that its buffers do not outlive the writing.
func (p *Pool) Drain() {
	p.mu.Lock()
	clear(p.free[:])
	p.held = 0
	p.mu.Unlock()
}

// alignedMake returns a zeroed, 64-byte aligned slice of length size and
// capacity capacity.
func alignedMake(size, capacity int) []byte {
	buf := make([]byte, capacity+alignment)
	shift := 0
	if rem := int(uintptr(unsafe.Pointer(unsafe.SliceData(buf))) % alignment); rem != 0 {
		shift = alignment - rem
	}
	return buf[shift : shift+size : shift+capacity]
}
