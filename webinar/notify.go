package webinar

import (
	"context"

	"github.com/bbbcast/bbbcast/gateway"
)

// EventKind says what happened.
type EventKind string

// The events a host is told about.
const (
	LiveEventCreated EventKind = "live-event-created"
	LiveEventUpdated EventKind = "live-event-updated"
	LiveEventDeleted EventKind = "live-event-deleted"
	StateChanged     EventKind = "state-changed"
	CapacityExceeded EventKind = "capacity-exceeded"
	ErrorOccurred    EventKind = "error"
	// RecordingReady: BBB published a recording of the webinar's
	// meeting (Event.Recording), as its recording-ready callback said.
	// The host hears of a recording once per process; a host running
	// several replicas should treat a repeat by RecordID as done.
	RecordingReady EventKind = "recording-ready"
)

// Event is what happened to a webinar.
type Event struct {
	Kind      EventKind
	WebinarID string
	// LiveEvent is the audience's view, for the live-event kinds.
	LiveEvent *LiveEvent
	// From and To are the states of StateChanged.
	From, To State
	// Capacity is the shortage of CapacityExceeded.
	Capacity *gateway.CapacityEvent
	// Err is the error of ErrorOccurred.
	Err error
	// Recording is the published recording of RecordingReady.
	Recording *Recording
}

// Notifier is told about events, synchronously: keep it quick, hand slow
// work (mail, websockets) to a goroutine or a queue.
type Notifier interface {
	Notify(ctx context.Context, e Event)
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, e Event)

// Notify calls f.
func (f NotifierFunc) Notify(ctx context.Context, e Event) { f(ctx, e) }

type nopNotifier struct{}

func (nopNotifier) Notify(context.Context, Event) {}
