package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/store/memory"
)

// exampleService returns a Service configured by cfg over an in-memory
// store, with two gateways in the pool "campus".
func exampleService(cfg gateway.Config) *gateway.Service {
	ctx := context.Background()
	cfg.Store = memory.New()
	svc := gateway.NewService(cfg)
	for _, name := range []string{"amphi-a", "amphi-b"} {
		g, err := svc.CreateGateway(ctx, gateway.Gateway{
			Name:    name,
			Pool:    "campus",
			RTMPURL: gateway.NewSecret("rtmps://live.example.org/live/" + name + "-stream-key"),
			HLSURL:  "https://live.example.org/hls/" + name + ".m3u8",
			Server: gateway.Server{
				URL:      "https://" + name + ".sip.example.org",
				Token:    gateway.NewSecret("a-long-random-token"),
				Protocol: sipmediagw.V18,
			},
			Enabled: true,
		})
		if err != nil {
			panic(err)
		}
		fmt.Printf("gateway %d: %s, %v\n", g.ID, g.Name, g.Server)
	}
	return svc
}

var exampleDay = time.Date(2031, time.March, 3, 0, 0, 0, 0, time.UTC)

// hours is a slot of exampleDay, from and to in hours.
func hours(from, to float64) gateway.Slot {
	return gateway.Slot{
		Start: exampleDay.Add(time.Duration(from * float64(time.Hour))),
		End:   exampleDay.Add(time.Duration(to * float64(time.Hour))),
	}
}

// clockTimes prints a slot of exampleDay as [hh:mm, hh:mm).
func clockTimes(s gateway.Slot) string {
	return "[" + s.Start.Format("15:04") + ", " + s.End.Format("15:04") + ")"
}

// Three overlapping webinars, two gateways: the third is refused, and the
// error says who holds the gateways. The capacity handler is where a
// host warns its administrators.
func ExampleService_Allocate() {
	ctx := context.Background()
	svc := exampleService(gateway.Config{
		CapacityHandler: func(_ context.Context, e gateway.CapacityEvent) {
			fmt.Printf("capacity event: %s found the %d gateways of %q booked\n", e.Owner, e.Gateways, e.Pool)
		},
	})

	for _, w := range []struct {
		owner string
		slot  gateway.Slot
	}{
		{"webinar-1", hours(9, 11)},
		{"webinar-2", hours(10, 12)},
		{"webinar-3", hours(10.5, 11.5)},
	} {
		b, err := svc.Allocate(ctx, w.owner, "campus", w.slot)
		var full *gateway.NoGatewayFreeError
		switch {
		case errors.As(err, &full):
			fmt.Printf("%s %s: refused (ErrNoGatewayFree: %t)\n", w.owner, clockTimes(w.slot), errors.Is(err, gateway.ErrNoGatewayFree))
			for _, c := range full.Conflicts {
				fmt.Printf("  gateway %d is held by %s %s\n", c.GatewayID, c.Owner, clockTimes(c.Slot))
			}
		case err != nil:
			fmt.Println(err)
		default:
			fmt.Printf("%s %s: gateway %d\n", b.Owner, clockTimes(b.Slot), b.GatewayID)
		}
	}
	// Output:
	// gateway 1: amphi-a, {https://amphi-a.sip.example.org [REDACTED] v1.8 false }
	// gateway 2: amphi-b, {https://amphi-b.sip.example.org [REDACTED] v1.8 false }
	// webinar-1 [09:00, 11:00): gateway 1
	// webinar-2 [10:00, 12:00): gateway 2
	// capacity event: webinar-3 found the 2 gateways of "campus" booked
	// webinar-3 [10:30, 11:30): refused (ErrNoGatewayFree: true)
	//   gateway 1 is held by webinar-1 [09:00, 11:00)
	//   gateway 2 is held by webinar-2 [10:00, 12:00)
}

// Editing a webinar's slot is another Allocate for the same owner: it
// keeps its gateway when that is free for the new slot, moves when it is
// not, and is refused, changing nothing, when no gateway is free.
func ExampleService_Allocate_editSlot() {
	ctx := context.Background()
	svc := exampleService(gateway.Config{})
	show := func(owner string, s gateway.Slot) {
		b, err := svc.Allocate(ctx, owner, "campus", s)
		if err != nil {
			fmt.Printf("%s → %s: %v\n", owner, clockTimes(s), errors.Is(err, gateway.ErrNoGatewayFree))
			return
		}
		fmt.Printf("%s → %s: gateway %d\n", owner, clockTimes(s), b.GatewayID)
	}
	show("webinar-1", hours(9, 10))
	show("webinar-2", hours(10, 11))       // back to back: the same gateway
	show("webinar-1", hours(8.5, 10))      // longer, still free: kept
	show("webinar-1", hours(9.5, 10.5))    // collides with webinar-2: moved
	show("webinar-3", hours(8, 9))         // gateway 1 is free again at 8
	show("webinar-3", hours(10.25, 10.75)) // every gateway busy: refused
	b, _ := svc.Booking(ctx, "webinar-3")
	fmt.Printf("webinar-3 still holds gateway %d %s\n", b.GatewayID, clockTimes(b.Slot))
	// Output:
	// gateway 1: amphi-a, {https://amphi-a.sip.example.org [REDACTED] v1.8 false }
	// gateway 2: amphi-b, {https://amphi-b.sip.example.org [REDACTED] v1.8 false }
	// webinar-1 → [09:00, 10:00): gateway 1
	// webinar-2 → [10:00, 11:00): gateway 1
	// webinar-1 → [08:30, 10:00): gateway 1
	// webinar-1 → [09:30, 10:30): gateway 2
	// webinar-3 → [08:00, 09:00): gateway 1
	// webinar-3 → [10:15, 10:45): true
	// webinar-3 still holds gateway 1 [08:00, 09:00)
}

// FreeCapacity tells how many gateways are free across a window, for a
// calendar or a warning before anyone asks.
func ExampleService_FreeCapacity() {
	ctx := context.Background()
	svc := exampleService(gateway.Config{})
	for _, w := range []struct {
		owner string
		slot  gateway.Slot
	}{
		{"webinar-1", hours(9, 11)},
		{"webinar-2", hours(10, 12)},
		{"webinar-3", hours(11, 12)}, // back to back with webinar-1
	} {
		if _, err := svc.Allocate(ctx, w.owner, "campus", w.slot); err != nil {
			fmt.Println(err)
		}
	}
	free, err := svc.FreeCapacity(ctx, "campus", hours(8, 13))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range free {
		fmt.Printf("%s %d of %d free\n", clockTimes(c.Slot), c.Free, c.Total)
	}
	// Output:
	// gateway 1: amphi-a, {https://amphi-a.sip.example.org [REDACTED] v1.8 false }
	// gateway 2: amphi-b, {https://amphi-b.sip.example.org [REDACTED] v1.8 false }
	// [08:00, 09:00) 2 of 2 free
	// [09:00, 10:00) 1 of 2 free
	// [10:00, 12:00) 0 of 2 free
	// [12:00, 13:00) 2 of 2 free
}

// Slots are half-open: a webinar ending at 10:00 and one starting at
// 10:00 can share a gateway.
func ExampleSlot_Overlaps() {
	a := hours(9, 10)
	fmt.Println(a.Overlaps(hours(10, 11)))
	fmt.Println(a.Overlaps(gateway.Slot{Start: a.End.Add(-time.Nanosecond), End: a.End.Add(time.Hour)}))
	fmt.Println(a.Contains(a.Start), a.Contains(a.End))
	// Output:
	// false
	// true
	// true false
}
