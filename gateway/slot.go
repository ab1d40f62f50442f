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

// Overlaps reports whether s and o share an instant; an empty or inverted
// slot shares none.
func (s Slot) Overlaps(o Slot) bool {
	return s.Start.Before(s.End) && o.Start.Before(o.End) && s.Start.Before(o.End) && o.Start.Before(s.End)
}

// The range of instants a slot may span: stores keep times as Unix
// nanoseconds, which reach from 1678 to 2262.
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Contains reports whether t is in s.
func (s Slot) Contains(t time.Time) bool { return !t.Before(s.Start) && t.Before(s.End) }

// String prints the slot in RFC 3339.
func (s Slot) String() string {
	return "[" + s.Start.Format(time.RFC3339) + ", " + s.End.Format(time.RFC3339) + ")"
}

// Validate refuses empty and inverted slots, slots outside [MinTime,
// MaxTime], and slots longer than max when max > 0. The error matches
// ErrInvalidSlot.
func (s Slot) Validate(max time.Duration) error {
	switch {
	case s.Start.IsZero() || s.End.IsZero():
		return &SlotError{Slot: s, Reason: "start and end are required"}
	case !s.End.After(s.Start):
		return &SlotError{Slot: s, Reason: "end must be after start"}
	case s.Start.Before(MinTime) || s.End.After(MaxTime):
		return &SlotError{Slot: s, Reason: "must lie between 1970 and 2200"}
	case max > 0 && s.Duration() > max:
		return &SlotError{Slot: s, Reason: fmt.Sprintf("longer than the maximum of %s", max)}
	}
	return nil
}
