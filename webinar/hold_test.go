package webinar_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// twoGateways is a live fixture with a second gateway on its own fake.
func twoGateways(t *testing.T) *liveFixture {
	t.Helper()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW)
	second := sipmediagwtest.NewServer(sipmediagwtest.V17)
	t.Cleanup(second.Close)
	_, err := f.gateways.CreateGateway(context.Background(), gateway.Gateway{
		Name: "Amphi B", Order: 1, Enabled: true, RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/KEY2"),
		HLSURL: "https://live.example.org/hls/b.m3u8",
		Server: gateway.Server{URL: second.URL, Token: gateway.NewSecret(second.Token), Protocol: sipmediagw.Legacy, Insecure: true},
	})
	require.NoError(t, err)
	return f
}

func minutes(from, to int) gateway.Slot {
	return gateway.Slot{Start: t0.Add(time.Duration(from) * time.Minute), End: t0.Add(time.Duration(to) * time.Minute)}
}

// A start books the live period from now: within its slot nothing
// changes; 20 minutes early the booking starts then, on the gateway it
// had when free, else on another (the host hears of the new HLS URL);
// more than EarlyStart before, or after the overrun, it is refused.
func TestStartBooksTheLivePeriod(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := twoGateways(t)
	f.clock.Set(t0)
	first, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "First", Slot: minutes(-60, 30)})
	require.NoError(t, err)
	_, err = f.waited(f.svc.Start, teacher, first.ID)
	require.NoError(t, err)
	next, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Next", Slot: minutes(30, 90)})
	require.NoError(t, err)
	require.Equal(t, first.GatewayID, next.GatewayID, "back to back on one gateway")

	f.clock.Set(t0.Add(-time.Minute))
	_, err = f.svc.Start(ctx, teacher, next.ID)
	var win *webinar.WindowError
	require.ErrorAs(t, err, &win, "31 minutes early")
	assert.ErrorIs(t, err, webinar.ErrOutsideWindow)
	assert.Equal(t, minutes(0, 0).Start, win.Opens)
	assert.Contains(t, webinar.Explain(err), "It is too early: the webinar may start from Mon 3 Mar 09:00 UTC.")

	f.clock.Set(t0.Add(10 * time.Minute))
	live, err := f.waited(f.svc.Start, teacher, next.ID)
	require.NoError(t, err)
	require.Equal(t, webinar.Live, live.State)
	assert.NotEqual(t, first.GatewayID, live.GatewayID, "moved off the gateway the first one streams on")
	b, err := f.gateways.Booking(ctx, next.ID)
	require.NoError(t, err)
	assert.Equal(t, minutes(10, 90), b.Slot, "booked from the early start")
	var moved *webinar.LiveEvent
	f.mu.Lock()
	events := append([]webinar.Event(nil), f.events...)
	f.mu.Unlock()
	for _, e := range events {
		if e.Kind == webinar.LiveEventUpdated && e.WebinarID == next.ID {
			moved = e.LiveEvent
		}
	}
	require.NotNil(t, moved, "the host hears of the move")
	assert.Equal(t, "https://live.example.org/hls/b.m3u8", moved.HLSURL)

	now := f.clock.Now()
	f.clock.Set(t0.Add(-3 * time.Hour)) // booked when it was ahead
	late, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Late", Slot: minutes(-120, -100)})
	require.NoError(t, err)
	f.clock.Set(now)
	_, err = f.svc.Start(ctx, teacher, late.ID)
	require.ErrorAs(t, err, &win, "its slot and overrun are over")
	assert.Contains(t, webinar.Explain(err), "It is too late")
}

// While a stream may run, a new slot keeps the booking on its gateway:
// an end pushed into the next booking is refused, not moved.
func TestUpdateSlotWhileLiveStaysOnItsGateway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := twoGateways(t)
	w := startedWebinar(t, f)
	next, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Next", Slot: minutes(120, 180)})
	require.NoError(t, err)
	require.Equal(t, w.GatewayID, next.GatewayID)

	longer := minutes(0, 150)
	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Slot: &longer})
	var full *gateway.NoGatewayFreeError
	require.ErrorAs(t, err, &full)
	assert.Equal(t, w.GatewayID, full.GatewayID)
	assert.Contains(t, webinar.Explain(err), "is booked from Mon 3 Mar 11:00 UTC")
	got, err := f.svc.Get(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, w.Slot, got.Slot, "refused: nothing changed")

	shorter := minutes(0, 100)
	got, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Slot: &shorter})
	require.NoError(t, err)
	assert.Equal(t, w.GatewayID, got.GatewayID)
	b, err := f.gateways.Booking(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, shorter, b.Slot)
}

// A refused presenter join is a page with a sentence, not JSON.
func TestHandlerJoinRefusedInWords(t *testing.T) {
	t.Parallel()
	f := newHTTPFixture(t, sipmediagwtest.V17)
	ctx := context.Background()
	w, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Tomorrow", Slot: minutes(24*60, 25*60)})
	require.NoError(t, err)
	rec := f.do(http.MethodPost, publicURL+"/webinars/"+w.ID+"/join", nil, map[string]string{sessionHeader: teacher.ID})
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	body := rec.Body.String()
	assert.Contains(t, body, "It is too early: the webinar may start from Tue 4 Mar 08:30 UTC.")
	assert.False(t, strings.HasPrefix(strings.TrimSpace(body), "{"), "not JSON")
}

func TestExplain(t *testing.T) {
	t.Parallel()
	at := func(h, m int) time.Time { return time.Date(2031, 3, 3, h, m, 0, 0, time.UTC) }
	busy := []gateway.Booking{
		{Owner: "a", GatewayID: 1, Slot: gateway.Slot{Start: at(8, 0), End: at(10, 0)}},
		{Owner: "b", GatewayID: 2, Slot: gateway.Slot{Start: at(9, 0), End: at(9, 30)}},
		{Owner: "c", GatewayID: 2, Slot: gateway.Slot{Start: at(9, 30), End: at(11, 0)}},
	}
	slot := gateway.Slot{Start: at(9, 15), End: at(10, 15)}
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&gateway.NoGatewayFreeError{Pool: "p", Slot: slot, Gateways: 2, Conflicts: busy},
			"No gateway is free from Mon 3 Mar 09:15 UTC to Mon 3 Mar 10:15 UTC: all 2 gateways of the pool are booked (gateway 1 until Mon 3 Mar 10:00 UTC, gateway 2 until Mon 3 Mar 11:00 UTC)."},
		{&gateway.NoGatewayFreeError{Pool: "p", Slot: slot, Gateways: 80, Conflicts: busy[:1], Truncated: true},
			"No gateway is free from Mon 3 Mar 09:15 UTC to Mon 3 Mar 10:15 UTC: all 80 gateways of the pool are booked (gateway 1 until Mon 3 Mar 10:00 UTC, and more)."},
		{&gateway.NoGatewayFreeError{Pool: "p", Slot: slot}, "No gateway is enabled in this pool: an administrator must add one."},
		{&gateway.NoGatewayFreeError{Pool: "p", Slot: slot, GatewayID: 1, Gateways: 1, Conflicts: busy[:1]},
			"Gateway 1 is booked from Mon 3 Mar 08:00 UTC (gateway 1 until Mon 3 Mar 10:00 UTC)."},
		{&gateway.NoGatewayFreeError{Pool: "p", Slot: slot, GatewayID: 1}, "Gateway 1 is disabled or in another pool."},
		{&webinar.WindowError{Opens: at(8, 30), Closes: at(10, 15), At: at(11, 0)},
			"It is too late: the webinar's slot, and the time it may overrun, ended at Mon 3 Mar 10:15 UTC. Change its slot to start it again."},
		{&webinar.GatewayBusyError{GatewayID: 3, Webinar: "x", Err: errors.New("stop: 500")},
			"Gateway 3 is still streaming another webinar that overran its slot, and it could not be stopped. Try again in a minute."},
		{&webinar.InputError{Field: "title", Reason: "required"}, "title: required."},
		{&webinar.StateError{From: webinar.Ended, To: webinar.Starting}, "Not possible while the webinar is ended."},
		{webinar.ErrBusy, "The webinar is busy with another action: try again in a moment."},
		{webinar.ErrForbidden, "You may not do that with this webinar."},
		{errors.New("sipmediagw: start: token 0123 refused"), webinar.Unexplained},
		{nil, ""},
	} {
		assert.Equal(t, tc.want, webinar.Explain(tc.err), "%v", tc.err)
	}
}
