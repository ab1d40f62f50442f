package postgres_test

import (
	"testing"

	"github.com/bbbcast/bbbcast/internal/systemtest"
)

// The system on PostgreSQL: a crash at every side effect of every lifecycle
// operation, and the faults of the real world; the promises (one stream
// per gateway, every stream owned, bookings equal to the webinars'
// gateways) hold after recovery.
func TestSystem(t *testing.T) {
	t.Parallel()
	systemtest.RunAll(t, "PostgreSQL", func(t *testing.T) systemtest.Store { return open(t) })
}
