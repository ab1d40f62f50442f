package webinar

import (
	"errors"
	"fmt"
	"slices"
)

// State is where a webinar is in its life.
type State string

// The states. A webinar starts Scheduled and ends Ended; Failed holds a
// reason and can be started again or ended.
const (
	Scheduled    State = "scheduled"     // booked, nothing running
	Starting     State = "starting"      // BBB meeting and stream being started
	Live         State = "live"          // the stream runs
	StoppingLive State = "stopping-live" // the stream is being stopped
	LiveStopped  State = "live-stopped"  // the meeting goes on, the stream is stopped
	Ending       State = "ending"        // the meeting and the stream are being ended
	Ended        State = "ended"         // over, for good
	Failed       State = "failed"        // a step failed; see the reason
)

// States lists every state in the order of a webinar's life.
var States = []State{Scheduled, Starting, Live, StoppingLive, LiveStopped, Ending, Ended, Failed}

// transitions is the state machine: from each state, where it may go.
var transitions = map[State][]State{
	Scheduled:    {Starting, Ending, Failed},
	Starting:     {Live, StoppingLive, Ending, Failed},
	Live:         {StoppingLive, Ending, Failed},
	StoppingLive: {LiveStopped, Ending, Failed},
	LiveStopped:  {Starting, Ending, Failed},
	Ending:       {Ended, Failed},
	Failed:       {Starting, StoppingLive, Ending},
	Ended:        nil,
}

// ErrInvalidState is matched by every refused transition (*StateError).
var ErrInvalidState = errors.New("webinar: invalid state")

// StateError is a transition the state machine refuses.
type StateError struct {
	From, To State
}

func (e *StateError) Error() string {
	return fmt.Sprintf("webinar: invalid state: cannot go from %s to %s", e.From, e.To)
}

// Unwrap lets errors.Is(err, ErrInvalidState) match.
func (e *StateError) Unwrap() error { return ErrInvalidState }

// Valid reports whether s is one of the states.
func (s State) Valid() bool { return slices.Contains(States, s) }

// CanGo reports whether the machine allows s → to.
func (s State) CanGo(to State) bool { return slices.Contains(transitions[s], to) }

// Next returns the states s may go to.
func (s State) Next() []State { return slices.Clone(transitions[s]) }

// Check returns a *StateError unless s → to is allowed.
func (s State) Check(to State) error {
	if !s.CanGo(to) {
		return &StateError{From: s, To: to}
	}
	return nil
}

// Transient reports whether s is a step in progress, which a crash can
// leave behind and Reconcile must drive to a stable state.
func (s State) Transient() bool { return s == Starting || s == StoppingLive || s == Ending }

// Streaming reports whether a stream may be running in s.
func (s State) Streaming() bool { return s == Starting || s == Live || s == StoppingLive }

// Over reports whether the webinar is over.
func (s State) Over() bool { return s == Ended }
