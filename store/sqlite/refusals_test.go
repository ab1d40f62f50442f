package sqlite

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bbbcast/bbbcast/gateway"
)

// A remembered refusal lists, for each owner, the conflicts but its own,
// gateway.MaxConflicts at most, and says when there were more.
func TestRefusalErrorFor(t *testing.T) {
	t.Parallel()
	// conflicts returns the bookings of owners c0 to c(n-1).
	conflicts := func(n int) []gateway.Booking {
		out := make([]gateway.Booking, n)
		for i := range out {
			out[i] = gateway.Booking{Owner: fmt.Sprint("c", i), GatewayID: int64(i + 1), Pool: "p"}
		}
		return out
	}
	limit := gateway.MaxConflicts
	tests := []struct {
		name       string
		remembered int // conflicts remembered: all of them below limit+2
		owner      string
		listed     int
		first      string // owner of the first conflict listed
		truncated  bool
	}{
		{"none", 0, "x", 0, "", false},
		{"a few", 3, "x", 3, "c0", false},
		{"a few, the owner's among them", 3, "c0", 2, "c1", false},
		{"exactly the limit", limit, "x", limit, "c0", false},
		{"one more than the limit", limit + 1, "x", limit, "c0", true},
		{"one more than the limit, the owner's among them", limit + 1, "c7", limit, "c0", false},
		{"one more than the limit, the owner's last", limit + 1, "c50", limit, "c0", false},
		{"more than the limit", limit + 2, "x", limit, "c0", true},
		{"more than the limit, the owner's among them", limit + 2, "c0", limit, "c1", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ref := refusal{gateways: 9, conflicts: conflicts(tc.remembered)}
			nerr := ref.errorFor(gateway.Request{Owner: tc.owner, Pool: "p"})
			if len(nerr.Conflicts) != tc.listed || nerr.Truncated != tc.truncated || nerr.Gateways != 9 {
				t.Fatalf("%d conflicts, truncated %v, %d gateways; want %d, %v, 9",
					len(nerr.Conflicts), nerr.Truncated, nerr.Gateways, tc.listed, tc.truncated)
			}
			if tc.listed == 0 {
				if nerr.Conflicts != nil {
					t.Error("an empty list, not nil")
				}
				return
			}
			if nerr.Conflicts[0].Owner != tc.first {
				t.Errorf("first conflict of %s, want %s", nerr.Conflicts[0].Owner, tc.first)
			}
			if slices.ContainsFunc(nerr.Conflicts, func(b gateway.Booking) bool { return b.Owner == tc.owner }) {
				t.Errorf("the owner's own booking is listed")
			}
		})
	}
}
