package storetest_test

import (
	"testing"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/store/storetest"
)

// An adapter's test file runs the suite with a factory of fresh stores.
func ExampleRunGateway() {
	_ = func(t *testing.T) {
		storetest.RunGateway(t, func(*testing.T) gateway.Store { return memory.New() })
	}
}
