// Package benchcpu reports the process CPU time of a benchmark, user and
// system, every thread included. On a machine with more than one core the
// wall time hides work done on the others (the garbage collector's, most
// of all), so claims about CPU are made with this, not ns/op.
package benchcpu

import (
	"syscall"
	"testing"
	"time"
)

// Used returns the CPU time the process has used so far.
func Used(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Start begins measuring; the function it returns reports, as metric
// unit of b ("cpu-ms/tick", "cpu-µs/op"), the CPU time per iteration
// since, counted in units of scale (time.Millisecond, time.Microsecond).
// Call it after the timed loop.
func Start(b *testing.B, unit string, scale time.Duration) (stop func()) {
	b.Helper()
	began := Used(b)
	return func() {
		b.ReportMetric(float64(Used(b)-began)/float64(scale)/float64(b.N), unit)
	}
}
