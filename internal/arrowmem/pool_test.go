package arrowmem

import (
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func aligned(b []byte) bool {
	return uintptr(unsafe.Pointer(unsafe.SliceData(b)))%alignment == 0
}

func TestReusedBuffersAreZeroedAndAligned(t *testing.T) {
	p := NewPool(1 << 20)
	for _, size := range []int{1, 100, minPooled, 5000, 70000} {
		b := p.Allocate(size)
		if len(b) != size || !aligned(b) {
			t.Fatalf("Allocate(%d): len %d, aligned %v", size, len(b), aligned(b))
		}
		for i := range b[:cap(b)] {
			b[:cap(b)][i] = 0xff
		}
		p.Free(b)
		again := p.Allocate(size)
		if size >= minPooled && unsafe.SliceData(again) != unsafe.SliceData(b) {
			t.Errorf("Allocate(%d) after Free did not reuse the buffer", size)
		}
		for i, c := range again[:cap(again)] {
			if c != 0 {
				t.Fatalf("Allocate(%d) after Free: byte %d is %#x, want 0", size, i, c)
			}
		}
		if !aligned(again) {
			t.Fatalf("Allocate(%d) after Free: not aligned", size)
		}
	}
}

func TestReallocateKeepsContent(t *testing.T) {
	p := NewPool(1 << 20)
	b := p.Allocate(5000)
	for i := range b {
		b[i] = byte(i)
	}
	grown := p.Reallocate(40000, b)
	if len(grown) != 40000 {
		t.Fatalf("len %d", len(grown))
	}
	for i := range 5000 {
		if grown[i] != byte(i) {
			t.Fatalf("byte %d is %d after Reallocate, want %d", i, grown[i], byte(i))
		}
	}
	for i := 5000; i < len(grown); i++ {
		if grown[i] != 0 {
			t.Fatalf("byte %d is %d past the old length, want 0", i, grown[i])
		}
	}
	// The old buffer went back to the pool.
	if got := p.Allocate(5000); unsafe.SliceData(got) != unsafe.SliceData(b) {
		t.Error("the buffer Reallocate replaced was not kept for reuse")
	}
}

func TestHeldBytesStayUnderTheLimit(t *testing.T) {
	p := NewPool(3 * 8192)
	var bufs [][]byte
	for range 10 {
		bufs = append(bufs, p.Allocate(8192))
	}
	for _, b := range bufs {
		p.Free(b)
	}
	if p.held != 3*8192 {
		t.Fatalf("pool holds %d bytes, want %d", p.held, 3*8192)
	}
	// Buffers of a capacity the pool does not hand out are left to the collector.
	p = NewPool(1 << 20)
	p.Free(make([]byte, 5000))
	p.Free(make([]byte, 100, 6000))
	p.Free(make([]byte, 1024))
	if p.held != 0 {
		t.Fatalf("pool kept %d bytes of buffers it did not allocate", p.held)
	}
}

func TestDrainDropsFreeBuffers(t *testing.T) {
	p := NewPool(1 << 20)
	b := p.Allocate(8192)
	p.Free(b)
	p.Drain()
	if p.held != 0 {
		t.Fatalf("a drained pool holds %d bytes", p.held)
	}
	if got := p.Allocate(8192); unsafe.SliceData(got) == unsafe.SliceData(b) {
		t.Error("a drained pool handed out a buffer it held before")
	}
}

// TestArrowBuildersOnThePool builds and releases record batches on the
// pool many times; every batch must read back exactly what was appended,
// nulls included (Arrow's builders rely on zeroed validity bitmaps).
func TestArrowBuildersOnThePool(t *testing.T) {
	p := NewPool(1 << 20)
	mem := memory.NewCheckedAllocator(p)
	defer mem.AssertSize(t, 0)
	for round := range 20 {
		b := array.NewStringBuilder(mem)
		n := 3000 + round*100
		for i := range n {
			if (i+round)%7 == 0 {
				b.AppendNull()
			} else {
				b.Append(string(rune('a' + (i+round)%26)))
			}
		}
		arr := b.NewStringArray()
		for i := range n {
			wantNull := (i+round)%7 == 0
			if arr.IsNull(i) != wantNull {
				t.Fatalf("round %d row %d: null %v, want %v", round, i, arr.IsNull(i), wantNull)
			}
			if !wantNull && arr.Value(i) != string(rune('a'+(i+round)%26)) {
				t.Fatalf("round %d row %d: %q", round, i, arr.Value(i))
			}
		}
		arr.Release()
		b.Release()
	}
}
