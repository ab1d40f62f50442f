package webinar_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/webinar"
)

// Shorter names for the table.
const (
	sch = webinar.Scheduled
	sta = webinar.Starting
	liv = webinar.Live
	stp = webinar.StoppingLive
	lst = webinar.LiveStopped
	eng = webinar.Ending
	end = webinar.Ended
	fai = webinar.Failed
)

// allowed is the state machine as the tests expect it, written out by
// hand: a change to the machine must change this table too.
var allowed = map[webinar.State][]webinar.State{
	sch: {sta, eng, fai},
	sta: {liv, stp, eng, fai},
	liv: {stp, eng, fai},
	stp: {lst, eng, fai},
	lst: {sta, eng, fai},
	eng: {end, fai},
	end: {},
	fai: {sta, stp, eng},
}

// invalid are strings that are not states.
var invalid = []webinar.State{"", "bogus", "Live", "LIVE", " live", "stopped"}

func TestStatesList(t *testing.T) {
	assert.Equal(t, []webinar.State{sch, sta, liv, stp, lst, eng, end, fai}, webinar.States,
		"every state, in the order of a webinar's life")
	require.Len(t, allowed, len(webinar.States), "the table covers every state")
}

func TestTransitionTable(t *testing.T) {
	froms := append(slices.Clone(webinar.States), invalid...)
	tos := append(slices.Clone(webinar.States), invalid...)
	for _, from := range froms {
		for _, to := range tos {
			want := slices.Contains(allowed[from], to)
			assert.Equal(t, want, from.CanGo(to), "CanGo %q → %q", from, to)
			err := from.Check(to)
			if want {
				assert.NoError(t, err, "Check %q → %q", from, to)
				continue
			}
			require.Error(t, err, "Check %q → %q", from, to)
			assert.ErrorIs(t, err, webinar.ErrInvalidState, "Check %q → %q", from, to)
			var se *webinar.StateError
			require.True(t, errors.As(err, &se), "Check %q → %q returns a *StateError, got %T", from, to, err)
			assert.Equal(t, from, se.From)
			assert.Equal(t, to, se.To)
			msg := err.Error()
			assert.Contains(t, msg, "from "+string(from), "the message names the origin")
			assert.Contains(t, msg, "to "+string(to), "the message names the destination")
			assert.True(t, strings.HasPrefix(msg, "webinar: invalid state"), "message %q", msg)
		}
	}
}

func TestNoSelfTransitions(t *testing.T) {
	for _, s := range webinar.States {
		assert.False(t, s.CanGo(s), "%s → %s", s, s)
	}
}

func TestStateErrorUnwrap(t *testing.T) {
	err := &webinar.StateError{From: end, To: sta}
	assert.Equal(t, webinar.ErrInvalidState, errors.Unwrap(err))
	assert.Equal(t, "webinar: invalid state: cannot go from ended to starting", err.Error())
	assert.NotErrorIs(t, errors.New("webinar: invalid state"), webinar.ErrInvalidState,
		"matching is by identity, not by text")
}

func TestValid(t *testing.T) {
	for _, s := range webinar.States {
		assert.True(t, s.Valid(), "%q", s)
	}
	for _, s := range invalid {
		assert.False(t, s.Valid(), "%q", s)
	}
}

func TestNext(t *testing.T) {
	for _, s := range webinar.States {
		got := s.Next()
		assert.ElementsMatch(t, allowed[s], got, "Next of %s", s)
		for _, to := range got {
			assert.True(t, s.CanGo(to), "Next and CanGo agree: %s → %s", s, to)
		}
	}
	for _, s := range invalid {
		assert.Empty(t, s.Next(), "Next of %q", s)
	}
}

func TestNextIsACopy(t *testing.T) {
	for _, s := range webinar.States {
		got := s.Next()
		for i := range got {
			got[i] = end
		}
		longer := append(got, end, liv)
		assert.Len(t, longer, len(allowed[s])+2)
		assert.ElementsMatch(t, allowed[s], s.Next(), "modifying Next's result leaves the machine of %s alone", s)
		for _, to := range webinar.States {
			assert.Equal(t, slices.Contains(allowed[s], to), s.CanGo(to), "%s → %s after modifying Next", s, to)
		}
	}
}

func TestTransient(t *testing.T) {
	want := []webinar.State{sta, stp, eng}
	for _, s := range append(slices.Clone(webinar.States), invalid...) {
		assert.Equal(t, slices.Contains(want, s), s.Transient(), "Transient %q", s)
	}
}

func TestStreaming(t *testing.T) {
	want := []webinar.State{sta, liv, stp}
	for _, s := range append(slices.Clone(webinar.States), invalid...) {
		assert.Equal(t, slices.Contains(want, s), s.Streaming(), "Streaming %q", s)
	}
}

func TestOver(t *testing.T) {
	for _, s := range append(slices.Clone(webinar.States), invalid...) {
		assert.Equal(t, s == end, s.Over(), "Over %q", s)
	}
}

func TestEndedIsTerminal(t *testing.T) {
	assert.Empty(t, end.Next())
	for _, to := range append(slices.Clone(webinar.States), invalid...) {
		assert.False(t, end.CanGo(to), "ended → %q", to)
		assert.ErrorIs(t, end.Check(to), webinar.ErrInvalidState, "ended → %q", to)
	}
}

// reachable is every state reachable from s through Next (s included).
func reachable(s webinar.State) map[webinar.State]bool {
	seen := map[webinar.State]bool{s: true}
	queue := []webinar.State{s}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, n := range cur.Next() {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return seen
}

func TestEveryStateCanEnd(t *testing.T) {
	for _, s := range webinar.States {
		r := reachable(s)
		assert.True(t, r[end], "%s can reach ended", s)
		for n := range r {
			assert.True(t, n.Valid(), "%s reaches only valid states, not %q", s, n)
		}
	}
	all := reachable(sch)
	for _, s := range webinar.States {
		assert.True(t, all[s], "%s is reachable from scheduled", s)
	}
}

func TestFailedCanStartAgain(t *testing.T) {
	require.NoError(t, fai.Check(sta))
	// And from there, live again.
	require.NoError(t, sta.Check(liv))
	// Failed ends through Ending, never straight to Ended.
	require.NoError(t, fai.Check(eng))
	assert.ErrorIs(t, fai.Check(end), webinar.ErrInvalidState)
	// Every non-final state can fail.
	for _, s := range webinar.States {
		if s != end && s != fai {
			assert.True(t, s.CanGo(fai), "%s → failed", s)
		}
	}
}
