package postgres_test

import (
	"testing"

	"github.com/bbbcast/bbbcast/internal/systemtest"
)

// The crash matrix of the whole system, on PostgreSQL: a crash at every side
// effect of every lifecycle operation, then recovery, and the promises
// (one stream per gateway, every stream owned, bookings equal to the
// webinars' gateways) hold.
func TestCrashMatrix(t *testing.T) {
	t.Parallel()
	res := systemtest.RunMatrix(t, func(t *testing.T) systemtest.Store { return open(t) })
	t.Logf("PostgreSQL: %d scenarios, %d kill points, %d violations", res.Scenarios, res.KillPoints, res.Violations)
}

// The faults of the real world (a stop that fails or hangs past the
// lease, a launch that fails or outlasts the client, early starts and
// overruns) against the system on this store.
func TestFaults(t *testing.T) {
	t.Parallel()
	systemtest.RunFaults(t, func(t *testing.T) systemtest.Store { return open(t) })
}
