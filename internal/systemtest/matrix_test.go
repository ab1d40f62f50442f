package systemtest_test

import (
	"testing"

	"github.com/bbbcast/bbbcast/internal/systemtest"
	"github.com/bbbcast/bbbcast/store/memory"
)

func TestSystemMemory(t *testing.T) {
	t.Parallel()
	systemtest.RunAll(t, "memory store", func(*testing.T) systemtest.Store { return memory.New() })
}
