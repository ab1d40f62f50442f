package storekit

import (
	"cmp"
	"slices"
	"strings"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// IsFirstFree reports whether r is gateway.FirstFree (or nil, which means
// it), so that a store may take the first free gateway in allocation
// order without listing the others as candidates.
func IsFirstFree(r gateway.Rule) bool { return r == nil || r == gateway.FirstFree }

// CompareGateways orders gateways for allocation, as gateway.Store's
// Gateways lists them and a Rule sees its candidates: by Order, then by
// ID. It returns a negative number when a comes first, a positive one
// when b does, 0 when they are the same gateway; slices.SortFunc takes
// it.
func CompareGateways(a, b *gateway.Gateway) int {
	return cmp.Or(cmp.Compare(a.Order, b.Order), cmp.Compare(a.ID, b.ID))
}

// Matches reports whether q selects w: what a store that filters only
// part of q in its own query language checks on the rest.
func Matches(q *webinar.Query, w *webinar.Webinar) bool {
	if q.MeetingID != "" && w.MeetingID != q.MeetingID {
		return false
	}
	if q.GatewayID != 0 && w.GatewayID != q.GatewayID {
		return false
	}
	if len(q.States) > 0 && !slices.Contains(q.States, w.State) {
		return false
	}
	if q.User != "" && !w.IsOwner(q.User) {
		return false
	}
	return q.Window == nil || w.Slot.Overlaps(*q.Window)
}

// SortWebinars orders list as webinar.Store's Webinars returns it: by
// slot start, then by ID.
func SortWebinars(list []webinar.Webinar) {
	slices.SortFunc(list, func(a, b webinar.Webinar) int {
		if c := a.Slot.Start.Compare(b.Slot.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
