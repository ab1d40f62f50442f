package gateway

import (
	"fmt"
	"time"
)

// Slot is a half-open time interval [Start, End): back-to-back slots (one
// ending when the next starts) do not overlap.
type Slot struct {
	Start time.Time
	End   time.Time
}

// Duration is End - Start.
func (s Slot) Duration() time.Duration { return s.End.Sub(s.Start) }

// Overlaps reports whether s and o share an instant.
func (s Slot) Overlaps(o Slot) bool { return s.Start.Before(o.End) && o.Start.Before(s.End) }

// Contains reports whether t is in s.
func (s Slot) Contains(t time.Time) bool { return !t.Before(s.Start) && t.Before(s.End) }

// String prints the slot in RFC 3339.
func (s Slot) String() string {
	return "[" + s.Start.Format(time.RFC3339) + ", " + s.End.Format(time.RFC3339) + ")"
}

// Validate refuses empty and inverted slots, and slots longer than max
// when max > 0. The error matches ErrInvalidSlot.
func (s Slot) Validate(max time.Duration) error {
	switch {
	case s.Start.IsZero() || s.End.IsZero():
		return &SlotError{Slot: s, Reason: "start and end are required"}
	case !s.End.After(s.Start):
		return &SlotError{Slot: s, Reason: "end must be after start"}
	case max > 0 && s.Duration() > max:
		return &SlotError{Slot: s, Reason: fmt.Sprintf("longer than the maximum of %s", max)}
	}
	return nil
}
