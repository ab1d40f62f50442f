package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/sqlite"
)

var day = time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)

func hours(from, to float64) gateway.Slot {
	return gateway.Slot{Start: day.Add(time.Duration(from * float64(time.Hour))), End: day.Add(time.Duration(to * float64(time.Hour)))}
}

func createGateway(t *testing.T, s *sqlite.Store, pool string, i int) gateway.Gateway {
	t.Helper()
	g, err := s.CreateGateway(context.Background(), gateway.Gateway{Name: fmt.Sprint("g", i), Pool: pool, Order: i,
		Server: gateway.Server{URL: fmt.Sprintf("https://%s-%d.example.org", pool, i)}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// The Store remembers a refusal until the data changes: a write of its
// own or of another connection, and answers each owner with the
// conflicts but its own.
func TestRefusalRemembered(t *testing.T) {
	t.Parallel()
	type world struct {
		s    *sqlite.Store
		path string
		g    gateway.Gateway
	}
	tests := []struct {
		name string
		then func(t *testing.T, w world) // after c's refusal
		// the answer to owner over slot: the gateway booked, or the
		// owners of the conflicts of a refusal
		owner     string
		slot      gateway.Slot
		booked    bool
		conflicts []string
		gateways  int
	}{
		{name: "the same request", owner: "c", slot: hours(9.5, 10.5), conflicts: []string{"a", "b"}, gateways: 1},
		{name: "an owner among the conflicts", owner: "a", slot: hours(9.5, 10.5), conflicts: []string{"b"}, gateways: 1},
		{name: "another slot", owner: "c", slot: hours(10.5, 11.5), conflicts: []string{"b"}, gateways: 1},
		{name: "released through the store", then: func(t *testing.T, w world) {
			for _, o := range []string{"a", "b"} {
				if _, err := w.s.Release(context.Background(), o); err != nil {
					t.Fatal(err)
				}
			}
		}, owner: "c", slot: hours(9.5, 10.5), booked: true},
		{name: "gateway disabled through the store", then: func(t *testing.T, w world) {
			w.g.Enabled = false
			if err := w.s.UpdateGateway(context.Background(), w.g); err != nil {
				t.Fatal(err)
			}
		}, owner: "c", slot: hours(9.5, 10.5), gateways: 0},
		{name: "released by another connection", then: func(t *testing.T, w world) {
			execRaw(t, w.path, `DELETE FROM bookings`)
		}, owner: "c", slot: hours(9.5, 10.5), booked: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, path := openAt(t)
			w := world{s: s, path: path, g: createGateway(t, s, "p", 0)}
			for _, b := range []struct {
				owner string
				slot  gateway.Slot
			}{{"a", hours(9, 10)}, {"b", hours(10, 11)}} {
				if _, err := s.Allocate(ctx, gateway.Request{Owner: b.owner, Pool: "p", Slot: b.slot}); err != nil {
					t.Fatal(err)
				}
			}
			var none *gateway.NoGatewayFreeError
			if _, err := s.Allocate(ctx, gateway.Request{Owner: "c", Pool: "p", Slot: hours(9.5, 10.5)}); !errors.As(err, &none) {
				t.Fatalf("first request: %v", err)
			}
			if tc.then != nil {
				tc.then(t, w)
			}

			got, err := s.Allocate(ctx, gateway.Request{Owner: tc.owner, Pool: "p", Slot: tc.slot})
			if tc.booked {
				if err != nil || got.GatewayID != w.g.ID {
					t.Fatalf("got %+v, %v; want a booking of gateway %d", got, err, w.g.ID)
				}
				return
			}
			if !errors.As(err, &none) {
				t.Fatalf("got %+v, %v; want a refusal", got, err)
			}
			var owners []string
			for _, c := range none.Conflicts {
				owners = append(owners, c.Owner)
			}
			if fmt.Sprint(owners) != fmt.Sprint(tc.conflicts) || none.Gateways != tc.gateways {
				t.Errorf("refusal of %d gateways, conflicts %v; want %d, %v", none.Gateways, owners, tc.gateways, tc.conflicts)
			}
		})
	}
}

// The triggers of migration 3 refuse two bookings of one gateway that
// overlap, which the allocation queries rely on.
func TestNoOverlapTrigger(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query string
		refused     bool
	}{
		{"insert overlapping", `INSERT INTO bookings VALUES ('x', 1, 15, 25)`, true},
		{"insert inside", `INSERT INTO bookings VALUES ('x', 1, 12, 13)`, true},
		{"insert back to back", `INSERT INTO bookings VALUES ('x', 1, 20, 30)`, false},
		{"insert at the time of one on another gateway", `INSERT INTO bookings VALUES ('x', 2, 0, 10)`, false},
		{"move onto it", `UPDATE bookings SET gateway_id = 1 WHERE owner = 'b'`, true},
		{"stretch over it", `UPDATE bookings SET end_ns = 15 WHERE owner = 'c'`, true},
		{"the owner's own, again", `INSERT INTO bookings VALUES ('a', 1, 15, 25)
			ON CONFLICT (owner) DO UPDATE SET start_ns = excluded.start_ns, end_ns = excluded.end_ns`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, path := openAt(t)
			for i := range 2 {
				createGateway(t, s, "p", i)
			}
			execRaw(t, path, `INSERT INTO bookings VALUES ('a', 1, 10, 20), ('b', 2, 10, 20), ('c', 1, 0, 10)`)
			_, err := raw(t, path).Exec(tc.query)
			if refused := err != nil; refused != tc.refused {
				t.Errorf("error %v, want refused %v", err, tc.refused)
			}
		})
	}
}

// Open analyzes tables that were never analyzed and hold rows.
func TestOpenAnalyzes(t *testing.T) {
	t.Parallel()
	s, path := openAt(t)
	for i := range 3 {
		createGateway(t, s, "p", i)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var n int
	if err := raw(t, path).QueryRow(`SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'gateways'`).Scan(&n); err != nil || n == 0 {
		t.Fatalf("statistics of gateways: %d rows, %v", n, err)
	}
}

func TestClosed(t *testing.T) {
	t.Parallel()
	s, _ := openAt(t)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Gateways(context.Background()); !errors.Is(err, sqlite.ErrClosed) {
		t.Errorf("Gateways after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
