package sipmediagwtest_test

import (
	"testing"

	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// MaxRunning records the most streams that ran at once, across stops.
func TestMaxRunning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		v      sipmediagwtest.Version
		slots  int
		rooms  []string // started in order, each after the previous stopped when serial
		serial bool
		want   int
	}{
		{"one at a time", sipmediagwtest.V16, 2, []string{"room-a", "room-b", "room-c"}, true, 1},
		{"two overlapping", sipmediagwtest.V16, 2, []string{"room-a", "room-b"}, false, 2},
		{"one slot refuses the second", sipmediagwtest.V17, 1, []string{"room-a", "room-b"}, false, 1},
		{"v1.8 proxy gateways overlapping", sipmediagwtest.V18, 1, []string{"room-aaaa", "room-bbbb"}, false, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, tt.v, sipmediagwtest.WithSlots(tt.slots))
			c := srv.Client()
			ctx := testCtx(t)
			if got := srv.MaxRunning(); got != 0 {
				t.Fatalf("a new server ran %d streams", got)
			}
			for _, room := range tt.rooms {
				s, err := c.Start(ctx, sipmediagw.StartParams{Room: room, Domain: "portal.example.org/bot", RTMPURL: rtmpURL})
				if err != nil {
					continue // the one-slot server refuses the second start
				}
				if tt.serial {
					if err := c.Stop(ctx, s); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := srv.MaxRunning(); got != tt.want {
				t.Errorf("MaxRunning = %d, want %d", got, tt.want)
			}
		})
	}
}
