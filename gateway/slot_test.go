package gateway_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
)

var t0 = time.Date(2031, time.March, 3, 0, 0, 0, 0, time.UTC)

const ns = time.Nanosecond

// at is t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// sl is [t0+from, t0+to).
func sl(from, to time.Duration) gateway.Slot { return gateway.Slot{Start: at(from), End: at(to)} }

func TestSlotOverlaps(t *testing.T) {
	t.Parallel()
	h := time.Hour
	for _, tc := range []struct {
		name string
		a, b gateway.Slot
		want bool
	}{
		{"back to back", sl(9*h, 10*h), sl(10*h, 11*h), false},
		{"apart", sl(9*h, 10*h), sl(11*h, 12*h), false},
		{"one nanosecond", sl(9*h, 10*h), sl(10*h-ns, 11*h), true},
		{"one nanosecond at the start", sl(9*h, 10*h), sl(8*h, 9*h+ns), true},
		{"identical", sl(9*h, 10*h), sl(9*h, 10*h), true},
		{"contained", sl(9*h, 12*h), sl(10*h, 11*h), true},
		{"same start", sl(9*h, 12*h), sl(9*h, 10*h), true},
		{"same end", sl(9*h, 12*h), sl(11*h, 12*h), true},
		{"one nanosecond slots back to back", sl(9*h, 9*h+ns), sl(9*h+ns, 9*h+2*ns), false},
		{"other locations", sl(9*h, 10*h), gateway.Slot{Start: at(10 * h).In(time.FixedZone("CET", 3600)), End: at(11 * h).In(time.FixedZone("CET", 3600))}, false},
	} {
		assert.Equal(t, tc.want, tc.a.Overlaps(tc.b), "%s: %s and %s", tc.name, tc.a, tc.b)
		assert.Equal(t, tc.want, tc.b.Overlaps(tc.a), "%s, swapped", tc.name)
	}
}

// Overlaps promises "whether s and o share an instant": an empty slot has
// no instant, so it shares none, even with a slot around it.
func TestSlotOverlapsEmptySharesNoInstant(t *testing.T) {
	t.Parallel()
	h := time.Hour
	empty := sl(10*h, 10*h)
	inverted := sl(11*h, 10*h)
	around := sl(9*h, 12*h)
	assert.False(t, empty.Overlaps(around), "empty %s overlaps %s", empty, around)
	assert.False(t, around.Overlaps(empty), "%s overlaps empty %s", around, empty)
	assert.False(t, inverted.Overlaps(around), "inverted %s overlaps %s", inverted, around)
}

func TestSlotContains(t *testing.T) {
	t.Parallel()
	h := time.Hour
	s := sl(9*h, 10*h)
	assert.True(t, s.Contains(at(9*h)), "the start is in")
	assert.True(t, s.Contains(at(10*h-ns)), "the last nanosecond is in")
	assert.True(t, s.Contains(at(9*h+30*time.Minute).In(time.FixedZone("X", -7200))))
	assert.False(t, s.Contains(at(10*h)), "the end is out")
	assert.False(t, s.Contains(at(9*h-ns)))
	assert.False(t, sl(9*h, 9*h).Contains(at(9*h)), "an empty slot holds nothing")
}

func TestSlotDurationAndString(t *testing.T) {
	t.Parallel()
	s := sl(9*time.Hour, 10*time.Hour+30*time.Minute)
	assert.Equal(t, 90*time.Minute, s.Duration())
	assert.Equal(t, "[2031-03-03T09:00:00Z, 2031-03-03T10:30:00Z)", s.String())
}

func TestSlotValidate(t *testing.T) {
	t.Parallel()
	h := time.Hour
	for _, tc := range []struct {
		name   string
		s      gateway.Slot
		max    time.Duration
		reason string // "" when valid
	}{
		{"valid", sl(9*h, 10*h), 24 * h, ""},
		{"one nanosecond", sl(9*h, 9*h+ns), 24 * h, ""},
		{"exactly the maximum", sl(0, 24*h), 24 * h, ""},
		{"no maximum", sl(0, 24*365*h), 0, ""},
		{"negative maximum is none", sl(0, 48*h), -1, ""},
		{"zero", gateway.Slot{}, 0, "start and end are required"},
		{"zero start", gateway.Slot{End: at(h)}, 0, "start and end are required"},
		{"zero end", gateway.Slot{Start: at(h)}, 0, "start and end are required"},
		{"empty", sl(9*h, 9*h), 0, "end must be after start"},
		{"inverted", sl(10*h, 9*h), 0, "end must be after start"},
		{"inverted by a nanosecond", sl(10*h, 10*h-ns), 24 * h, "end must be after start"},
		{"over the maximum by a nanosecond", sl(0, 24*h+ns), 24 * h, "longer than the maximum of 24h0m0s"},
		{"over a short maximum", sl(0, 3*h), 2 * h, "longer than the maximum of 2h0m0s"},
	} {
		err := tc.s.Validate(tc.max)
		if tc.reason == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		require.Error(t, err, tc.name)
		assert.ErrorIs(t, err, gateway.ErrInvalidSlot, tc.name)
		var se *gateway.SlotError
		require.True(t, errors.As(err, &se), tc.name)
		assert.Equal(t, tc.reason, se.Reason, tc.name)
		assert.Equal(t, "gateway: invalid slot "+tc.s.String()+": "+tc.reason, err.Error(), tc.name)
	}
}
