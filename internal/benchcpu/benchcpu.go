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

// Start begins measuring; the function it returns reports the CPU time
// per iteration since, in unit ("cpu-ms/tick", "cpu-ns/op": the part
// before "/" names the scale, ms, µs or ns), as a metric of b. Call it
// after the timed loop, before b's other metrics if order matters.
func Start(b *testing.B, unit string) (stop func()) {
	b.Helper()
	began := Used(b)
	return func() {
		per := float64(Used(b)-began) / float64(b.N)
		switch {
		case len(unit) >= 6 && unit[:6] == "cpu-ms":
			per /= float64(time.Millisecond)
		case len(unit) >= 7 && unit[:7] == "cpu-µs":
			per /= float64(time.Microsecond)
		}
		b.ReportMetric(per, unit)
	}
}
