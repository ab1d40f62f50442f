package webinar

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
)

// Errors of the store.
var (
	// ErrNotFound: no such webinar.
	ErrNotFound = errors.New("webinar: not found")
	// ErrExists: a webinar with that ID or meeting ID exists.
	ErrExists = errors.New("webinar: already exists")
	// ErrConflict: the webinar changed since it was read (its version
	// moved on); read it again and retry the decision.
	ErrConflict = errors.New("webinar: changed concurrently")
)

// Store is what the webinar package needs from storage. Adapters live in
// store/memory, store/sqlite and store/postgres; store/storetest holds
// the conformance suite they all pass.
type Store interface {
	// CreateWebinar stores w with Version 1 and returns it (ErrExists
	// when its ID or MeetingID is taken).
	CreateWebinar(ctx context.Context, w Webinar) (Webinar, error)
	// Webinar returns one webinar (ErrNotFound).
	Webinar(ctx context.Context, id string) (Webinar, error)
	// Webinars lists webinars matching q, by slot start then ID.
	Webinars(ctx context.Context, q Query) ([]Webinar, error)
	// UpdateWebinar stores w if the stored version is still w.Version,
	// and returns it with the version incremented: a compare-and-set.
	// ErrConflict when the version moved on, ErrNotFound when gone.
	UpdateWebinar(ctx context.Context, w Webinar) (Webinar, error)
	// DeleteWebinar deletes the webinar if its version is still version
	// (ErrConflict, ErrNotFound).
	DeleteWebinar(ctx context.Context, id string, version int64) error

	// AcquireLease gives holder the lease on key until now+ttl when it is
	// free, expired or already holder's (then renewed). It reports
	// whether holder has it.
	AcquireLease(ctx context.Context, key, holder string, ttl time.Duration, now time.Time) (bool, error)
	// ReleaseLease frees holder's lease on key; someone else's lease is
	// left alone.
	ReleaseLease(ctx context.Context, key, holder string) error
}

// Query selects webinars; zero fields match everything.
type Query struct {
	States []State
	// User matches the owner or a co-owner.
	User string
	// Window, when set, keeps webinars whose slot overlaps it.
	Window *gateway.Slot
	// MeetingID, when set, keeps the webinar of that BBB meeting.
	MeetingID string
	// GatewayID, when not 0, keeps the webinars on that gateway.
	GatewayID int64
}

// Matches reports whether w is selected by q: what a store that filters
// only part of q in its own query language checks on the rest.
func (q *Query) Matches(w *Webinar) bool {
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

// SortWebinars orders list as Store.Webinars returns it: by slot start,
// then by ID.
func SortWebinars(list []Webinar) {
	slices.SortFunc(list, func(a, b Webinar) int {
		if c := a.Slot.Start.Compare(b.Slot.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
