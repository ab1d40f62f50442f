package benchcpu_test

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/internal/benchcpu"
)

// A fixed amount of work shows up as CPU time used.
func TestUsedCountsWork(t *testing.T) {
	t.Parallel()
	began := benchcpu.Used(t)
	buf := make([]byte, 1<<20)
	for range 100 { // 100 MB of hashing: tens of milliseconds
		sum := sha256.Sum256(buf)
		buf[0] = sum[0]
	}
	if got := benchcpu.Used(t) - began; got <= 0 {
		t.Errorf("%v of CPU for 100 MB of SHA-256", got)
	}
}

func BenchmarkStart(b *testing.B) {
	stop := benchcpu.Start(b, "cpu-ns/op", time.Nanosecond)
	buf := make([]byte, 1024)
	for range b.N {
		sha256.Sum256(buf)
	}
	stop()
}
