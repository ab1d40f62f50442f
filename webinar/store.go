package webinar

import (
	"context"
	"errors"
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
// the conformance suite they all pass, store/storekit the helpers they
// share (the order of Webinars, a Query checked in Go).
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
