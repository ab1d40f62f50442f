package memory_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/store/memory"
)

// The memory store is what tests and single-process hosts give to the
// gateway and webinar services.
func Example() {
	ctx := context.Background()
	gws := gateway.NewService(gateway.Config{Store: memory.New()})
	_, err := gws.CreateGateway(ctx, gateway.Gateway{
		Name:    "Amphi A",
		RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/key"),
		HLSURL:  "https://live.example.org/hls/a.m3u8",
		Server: gateway.Server{URL: "https://gw1.example.org", Token: gateway.NewSecret("a-long-random-token"),
			Protocol: sipmediagw.Legacy},
		Enabled: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)
	b, err := gws.Allocate(ctx, "webinar-1", "", gateway.Slot{Start: start, End: start.Add(2 * time.Hour)})
	fmt.Println(b.GatewayID, err)
	_, err = gws.Allocate(ctx, "webinar-2", "", gateway.Slot{Start: start.Add(time.Hour), End: start.Add(3 * time.Hour)})
	fmt.Println(errors.Is(err, gateway.ErrNoGatewayFree))
	// Output:
	// 1 <nil>
	// true
}
