package storekit_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/storekit"
	"github.com/bbbcast/bbbcast/webinar"
)

// ruleFunc is a Rule of a type that == cannot compare.
type ruleFunc func(gateway.Slot, []gateway.Candidate) int

func (f ruleFunc) Pick(s gateway.Slot, free []gateway.Candidate) int { return f(s, free) }

type lastRule struct{}

func (lastRule) Pick(_ gateway.Slot, free []gateway.Candidate) int { return len(free) - 1 }

func TestIsFirstFree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rule gateway.Rule
		want bool
	}{
		{"nil", nil, true},
		{"FirstFree", gateway.FirstFree, true},
		{"LeastRecentlyUsed", gateway.LeastRecentlyUsed, false},
		{"SpreadLoad", gateway.SpreadLoad, false},
		{"another rule", lastRule{}, false},
		{"an incomparable rule", ruleFunc(func(gateway.Slot, []gateway.Candidate) int { return 0 }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.NotPanics(t, func() { assert.Equal(t, tt.want, storekit.IsFirstFree(tt.rule)) })
		})
	}
}

func TestCompareGateways(t *testing.T) {
	t.Parallel()
	a := &gateway.Gateway{ID: 1, Order: 2}
	b := &gateway.Gateway{ID: 2, Order: 1}
	c := &gateway.Gateway{ID: 3, Order: 1}
	tests := []struct {
		name string
		x, y *gateway.Gateway
		want int
	}{
		{"Order first", b, a, -1},
		{"Order first, reversed", a, b, 1},
		{"then ID", b, c, -1},
		{"then ID, reversed", c, b, 1},
		{"itself", b, b, 0},
		{"negative order", &gateway.Gateway{ID: 9, Order: -1}, b, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, storekit.CompareGateways(tt.x, tt.y))
		})
	}
	list := []*gateway.Gateway{a, c, b}
	slices.SortFunc(list, storekit.CompareGateways)
	assert.Equal(t, []*gateway.Gateway{b, c, a}, list)
}

func TestMatches(t *testing.T) {
	t.Parallel()
	at := time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)
	w := webinar.Webinar{ID: "w", Owner: "ada", CoOwners: []string{"grace"}, MeetingID: "m", GatewayID: 4, State: webinar.Live,
		Slot: gateway.Slot{Start: at, End: at.Add(time.Hour)}}
	window := func(from, to time.Duration) *gateway.Slot {
		return &gateway.Slot{Start: at.Add(from), End: at.Add(to)}
	}
	tests := []struct {
		name string
		q    webinar.Query
		want bool
	}{
		{"everything", webinar.Query{}, true},
		{"meeting", webinar.Query{MeetingID: "m"}, true},
		{"other meeting", webinar.Query{MeetingID: "n"}, false},
		{"gateway", webinar.Query{GatewayID: 4}, true},
		{"other gateway", webinar.Query{GatewayID: 5}, false},
		{"state", webinar.Query{States: []webinar.State{webinar.Scheduled, webinar.Live}}, true},
		{"other state", webinar.Query{States: []webinar.State{webinar.Ended}}, false},
		{"owner", webinar.Query{User: "ada"}, true},
		{"co-owner", webinar.Query{User: "grace"}, true},
		{"someone else", webinar.Query{User: "alan"}, false},
		{"overlapping window", webinar.Query{Window: window(30*time.Minute, 2*time.Hour)}, true},
		{"window just after", webinar.Query{Window: window(time.Hour, 2*time.Hour)}, false},
		{"all of them", webinar.Query{MeetingID: "m", GatewayID: 4, States: []webinar.State{webinar.Live}, User: "grace",
			Window: window(0, time.Minute)}, true},
		{"all but one", webinar.Query{MeetingID: "m", GatewayID: 4, States: []webinar.State{webinar.Live}, User: "alan",
			Window: window(0, time.Minute)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, storekit.Matches(&tt.q, &w))
		})
	}
}

func TestSortWebinars(t *testing.T) {
	t.Parallel()
	at := time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)
	starting := func(id string, d time.Duration) webinar.Webinar {
		return webinar.Webinar{ID: id, Slot: gateway.Slot{Start: at.Add(d), End: at.Add(d + time.Hour)}}
	}
	tests := []struct {
		name string
		in   []webinar.Webinar
		want []string
	}{
		{"empty", nil, nil},
		{"by start", []webinar.Webinar{starting("a", time.Hour), starting("b", 0)}, []string{"b", "a"}},
		{"then by ID", []webinar.Webinar{starting("b", 0), starting("a", 0), starting("c", -time.Hour)}, []string{"c", "a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			storekit.SortWebinars(tt.in)
			var ids []string
			for _, w := range tt.in {
				ids = append(ids, w.ID)
			}
			assert.Equal(t, tt.want, ids)
		})
	}
}
