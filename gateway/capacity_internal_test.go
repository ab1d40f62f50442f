package gateway

import (
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var day = time.Date(2031, time.March, 3, 0, 0, 0, 0, time.UTC)

func hs(from, to float64) Slot {
	return Slot{Start: day.Add(time.Duration(from * float64(time.Hour))), End: day.Add(time.Duration(to * float64(time.Hour)))}
}

func bk(gw int64, from, to float64) Booking {
	return Booking{Owner: "o", GatewayID: gw, Slot: hs(from, to)}
}

func capa(from, to float64, total, free int) Capacity {
	return Capacity{Slot: hs(from, to), Total: total, Free: free}
}

func TestCapacityTimeline(t *testing.T) {
	t.Parallel()
	all := func(Booking) bool { return true }
	window := hs(8, 12)
	for _, tc := range []struct {
		name     string
		total    int
		bookings []Booking
		counts   func(Booking) bool
		want     []Capacity
	}{
		{"no bookings", 3, nil, all, []Capacity{capa(8, 12, 3, 3)}},
		{"one inside", 3, []Booking{bk(1, 9, 10)}, all,
			[]Capacity{capa(8, 9, 3, 3), capa(9, 10, 3, 2), capa(10, 12, 3, 3)}},
		{"starting before the window", 3, []Booking{bk(1, 7, 9)}, all,
			[]Capacity{capa(8, 9, 3, 2), capa(9, 12, 3, 3)}},
		{"ending after the window", 3, []Booking{bk(1, 11, 13)}, all,
			[]Capacity{capa(8, 11, 3, 3), capa(11, 12, 3, 2)}},
		{"covering the window", 3, []Booking{bk(1, 6, 14)}, all, []Capacity{capa(8, 12, 3, 2)}},
		{"at the window's start", 3, []Booking{bk(1, 8, 9)}, all, []Capacity{capa(8, 9, 3, 2), capa(9, 12, 3, 3)}},
		{"touching the window from outside", 3, []Booking{bk(1, 6, 8), bk(2, 12, 13)}, all, []Capacity{capa(8, 12, 3, 3)}},
		{"back to back on one gateway: merged", 3, []Booking{bk(1, 9, 10), bk(1, 10, 11)}, all,
			[]Capacity{capa(8, 9, 3, 3), capa(9, 11, 3, 2), capa(11, 12, 3, 3)}},
		{"back to back on two gateways: merged", 3, []Booking{bk(2, 10, 11), bk(1, 9, 10)}, all,
			[]Capacity{capa(8, 9, 3, 3), capa(9, 11, 3, 2), capa(11, 12, 3, 3)}},
		{"overlapping", 3, []Booking{bk(1, 9, 11), bk(2, 10, 12)}, all,
			[]Capacity{capa(8, 9, 3, 3), capa(9, 10, 3, 2), capa(10, 11, 3, 1), capa(11, 12, 3, 2)}},
		{"all busy", 3, []Booking{bk(1, 9, 10), bk(2, 9, 10), bk(3, 9, 10)}, all,
			[]Capacity{capa(8, 9, 3, 3), capa(9, 10, 3, 0), capa(10, 12, 3, 3)}},
		{"unsorted", 2, []Booking{bk(2, 11, 11.5), bk(1, 8.5, 9), bk(2, 9.5, 10), bk(1, 10, 11.5)}, all,
			[]Capacity{capa(8, 8.5, 2, 2), capa(8.5, 9, 2, 1), capa(9, 9.5, 2, 2), capa(9.5, 11, 2, 1), capa(11, 11.5, 2, 0), capa(11.5, 12, 2, 2)}},
		{"disabled gateways not counted", 2, []Booking{bk(1, 9, 10), bk(9, 8, 12)}, func(b Booking) bool { return b.GatewayID != 9 },
			[]Capacity{capa(8, 9, 2, 2), capa(9, 10, 2, 1), capa(10, 12, 2, 2)}},
		{"no gateway", 0, nil, all, []Capacity{capa(8, 12, 0, 0)}},
	} {
		assert.Equal(t, tc.want, capacityTimeline(window, tc.total, tc.bookings, tc.counts), tc.name)
	}
}

// A sweep against brute force: random bookings, none overlapping on one
// gateway; the timeline must cover the window with contiguous intervals,
// no two neighbours alike, and give at every instant where anything
// changes the count of gateways free then.
func TestCapacityTimelineMatchesBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(1))
	for run := range 300 {
		total := 1 + rng.Intn(6)
		var bookings []Booking
		for gw := int64(1); gw <= int64(total)+1; gw++ { // one more: disabled
			at := -4 + rng.Intn(8)
			for at < 40 {
				d := 1 + rng.Intn(6)
				if rng.Intn(3) > 0 {
					bookings = append(bookings, Booking{GatewayID: gw, Slot: hs(float64(at)/2, float64(at+d)/2)})
				}
				at += d + rng.Intn(3) // often back to back
			}
		}
		rng.Shuffle(len(bookings), func(i, j int) { bookings[i], bookings[j] = bookings[j], bookings[i] })
		counts := func(b Booking) bool { return b.GatewayID <= int64(total) }
		window := hs(float64(rng.Intn(10))/2, 10+float64(rng.Intn(10))/2)
		got := capacityTimeline(window, total, bookings, counts)

		require.NotEmpty(t, got)
		require.True(t, got[0].Slot.Start.Equal(window.Start))
		require.True(t, got[len(got)-1].Slot.End.Equal(window.End))
		freeAt := func(at time.Time) int {
			n := total
			for _, b := range bookings {
				if counts(b) && b.Slot.Contains(at) {
					n--
				}
			}
			return n
		}
		for i, c := range got {
			require.True(t, c.Slot.End.After(c.Slot.Start), "run %d: empty interval %s", run, c.Slot)
			require.Equal(t, total, c.Total)
			if i > 0 {
				require.True(t, got[i-1].Slot.End.Equal(c.Slot.Start), "run %d: gap before %s", run, c.Slot)
				require.NotEqual(t, got[i-1].Free, c.Free, "run %d: neighbours alike at %s", run, c.Slot)
			}
			require.Equal(t, freeAt(c.Slot.Start), c.Free, "run %d at %s", run, c.Slot.Start)
			// Nothing changes inside the interval.
			for _, b := range bookings {
				for _, edge := range []time.Time{b.Slot.Start, b.Slot.End} {
					if c.Slot.Contains(edge) {
						require.Equal(t, c.Free, freeAt(edge), "run %d: %s changes inside %s", run, edge, c.Slot)
					}
				}
			}
		}
	}
}
