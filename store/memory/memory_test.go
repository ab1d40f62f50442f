package memory_test

import (
	"testing"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/store/storetest"
	"github.com/bbbcast/bbbcast/webinar"
)

func TestConformance(t *testing.T) {
	storetest.RunGateway(t, func(*testing.T) gateway.Store { return memory.New() })
	storetest.RunWebinar(t, func(*testing.T) webinar.Store { return memory.New() })
}
