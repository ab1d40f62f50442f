package storetest

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bbbcast/bbbcast/gateway"
)

// Sizes of the rush test.
const (
	rushGateways = 12
	rushRounds   = 6
	rushClients  = 8
	rushRequests = 3 // per client and round
)

// testRush: in each round, 8 goroutines ask at once for slots that all
// overlap (the same hour, or shifted by 15 minutes), by every rule and
// some pinned to a gateway, more than the pool can take. Every request
// ends in a booking or a *gateway.NoGatewayFreeError; no gateway is
// booked twice; and a refusal of an unpinned request means the pool was
// full: every gateway holds a booking of the round.
func testRush(x *harness) {
	pool := x.gws("rush", rushGateways)
	rules := []gateway.Rule{nil, gateway.FirstFree, gateway.LeastRecentlyUsed, gateway.SpreadLoad}
	for round := range rushRounds {
		from := 24 * h * time.Duration(round)
		var (
			wg             sync.WaitGroup
			mu             sync.Mutex
			unpinnedRefuse int
		)
		start := make(chan struct{})
		for c := range rushClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				for i := range rushRequests {
					n := c*rushRequests + i
					shift := time.Duration(n%4) * 15 * time.Minute
					req := gateway.Request{
						Owner: fmt.Sprintf("rush-r%d-c%d-%d", round, c, i),
						Pool:  "rush",
						Slot:  slot(from+shift, from+shift+h),
						Rule:  rules[n%len(rules)],
					}
					if n%5 == 4 {
						req.GatewayID = pool[n%rushGateways].ID
					}
					b, err := x.store.Allocate(x.ctx, req)
					var full *gateway.NoGatewayFreeError
					switch {
					case err == nil:
						assert.Equal(x.t, req.Owner, b.Owner)
					case errors.As(err, &full):
						if req.GatewayID == 0 {
							mu.Lock()
							unpinnedRefuse++
							mu.Unlock()
						}
					default:
						assert.NoError(x.t, err, "%s: a booking or a refusal, nothing else", req.Owner)
					}
				}
			}()
		}
		close(start)
		wg.Wait()

		window := slot(from, from+2*h)
		busy := map[int64]bool{}
		for _, g := range pool {
			list := x.bookingsOf(g.ID, window)
			for i := 1; i < len(list); i++ {
				assert.False(x.t, list[i-1].Slot.Overlaps(list[i].Slot), "round %d: gateway %d double-booked: %s and %s",
					round, g.ID, list[i-1].Owner, list[i].Owner)
			}
			busy[g.ID] = len(list) > 0
		}
		if unpinnedRefuse > 0 {
			for _, g := range pool {
				assert.True(x.t, busy[g.ID], "round %d: %d unpinned requests refused while gateway %d stayed free",
					round, unpinnedRefuse, g.ID)
			}
		}
	}
}
