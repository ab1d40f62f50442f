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
