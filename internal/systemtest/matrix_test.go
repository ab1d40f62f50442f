package systemtest_test

import (
	"testing"

	"github.com/bbbcast/bbbcast/internal/systemtest"
	"github.com/bbbcast/bbbcast/store/memory"
)

func TestCrashMatrixMemory(t *testing.T) {
	t.Parallel()
	res := systemtest.RunMatrix(t, func(*testing.T) systemtest.Store { return memory.New() })
	t.Logf("memory store: %d scenarios, %d kill points, %d violations", res.Scenarios, res.KillPoints, res.Violations)
}

func TestFaultsMemory(t *testing.T) {
	t.Parallel()
	systemtest.RunFaults(t, func(*testing.T) systemtest.Store { return memory.New() })
}
