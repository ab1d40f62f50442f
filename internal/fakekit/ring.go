package fakekit

// Ring keeps the latest entries added, up to the size given to Add.
type Ring[T any] struct {
	buf  []T
	next int // oldest entry once buf is full
}

// NewRing returns a ring that preallocates room for min(size, 1024).
func NewRing[T any](size int) Ring[T] { return Ring[T]{buf: make([]T, 0, min(size, 1024))} }

// Add appends v, dropping the oldest entry once size entries are kept.
func (r *Ring[T]) Add(v T, size int) {
	if len(r.buf) < size {
		r.buf = append(r.buf, v)
		return
	}
	r.buf[r.next] = v
	r.next = (r.next + 1) % len(r.buf)
}

// Snapshot returns the entries, oldest first.
func (r *Ring[T]) Snapshot() []T {
	out := make([]T, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}
