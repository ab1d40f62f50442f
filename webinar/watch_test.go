package webinar_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

func startedWebinar(t *testing.T, f *liveFixture) webinar.Webinar {
	t.Helper()
	ctx := context.Background()
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	w, err = f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	require.Equal(t, webinar.Live, w.State)
	return w
}

func TestWatcherEndsWebinarsWhoseMeetingEndedInTwoTicks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V16, webinar.RelaySIPMediaGW)
	w := startedWebinar(t, f)
	other := startedWebinarOnSecondGateway(t, f)
	o := webinar.WatchOptions{}

	require.NoError(t, f.svc.Tick(ctx, o))
	got, _ := f.svc.Get(ctx, w.ID)
	assert.Equal(t, webinar.Live, got.State, "a running meeting is left alone")

	require.NoError(t, f.bbb.EndMeeting(w.MeetingID))
	getMeetings := len(f.bbb.RequestsFor("getMeetings"))
	require.NoError(t, f.svc.Tick(ctx, o))
	got, _ = f.svc.Get(ctx, w.ID)
	assert.Equal(t, webinar.Live, got.State, "missing once is not enough")
	require.NoError(t, f.svc.Tick(ctx, o))
	got, _ = f.svc.Wait(ctx, w.ID)
	assert.Equal(t, webinar.Ended, got.State, "missing twice in a row ends it")
	assert.False(t, f.gw.IsRunning(w.Session), "its stream is stopped")
	assert.Equal(t, getMeetings+2, len(f.bbb.RequestsFor("getMeetings")), "one getMeetings per tick")

	still, _ := f.svc.Get(ctx, other.ID)
	assert.Equal(t, webinar.Live, still.State, "the other webinar goes on")
}

// startedWebinarOnSecondGateway needs a second gateway on another fake.
func startedWebinarOnSecondGateway(t *testing.T, f *liveFixture) webinar.Webinar {
	t.Helper()
	second := sipmediagwtest.NewServer(sipmediagwtest.V16)
	t.Cleanup(second.Close)
	addGateway(t, f, second, sipmediagwtest.V16)
	return startedWebinar(t, f)
}

// A live may overrun its slot by Config.Overrun while its gateway is not
// booked next: the watcher extends its booking ahead of its end, then
// stops the live once the overrun is over.
func TestWatcherExtendsThenStopsAnOverrun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW)
	w := startedWebinar(t, f)
	o := webinar.WatchOptions{Interval: time.Minute}

	f.clock.Set(w.Slot.End.Add(-90 * time.Second))
	require.NoError(t, f.svc.Tick(ctx, o))
	b, err := f.gateways.Booking(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, w.Slot.End.Add(webinar.DefaultOverrun), b.Slot.End, "the overrun is booked before the slot ends")

	f.clock.Set(w.Slot.End.Add(14 * time.Minute))
	require.NoError(t, f.svc.Tick(ctx, o))
	got, _ := f.svc.Get(ctx, w.ID)
	assert.Equal(t, webinar.Live, got.State, "within the overrun")

	f.clock.Set(w.Slot.End.Add(webinar.DefaultOverrun))
	require.NoError(t, f.svc.Tick(ctx, o))
	got, _ = f.svc.Get(ctx, w.ID)
	assert.Equal(t, webinar.LiveStopped, got.State)
	assert.Contains(t, got.LastError, "longest overrun")
	assert.False(t, f.gw.IsRunning(w.Session))
}

func TestWatchLoopOnTheInjectedClock(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	f := newLiveFixture(t, sipmediagwtest.V15, webinar.RelaySIPMediaGW)
	w := startedWebinar(t, f)
	require.NoError(t, f.bbb.EndMeeting(w.MeetingID))

	ticks := make(chan error)
	done := make(chan error, 1)
	go func() {
		done <- f.svc.Watch(ctx, webinar.WatchOptions{Interval: time.Minute,
			OnTick: func(err error) { ticks <- err }})
	}()
	require.NoError(t, <-ticks, "the ticker is armed")
	for range 2 {
		f.clock.Add(time.Minute)
		require.NoError(t, <-ticks)
	}
	got, _ := f.svc.Wait(ctx, w.ID)
	assert.Equal(t, webinar.Ended, got.State, "ended after two ticks")
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// A crash at each step of Start, StopLive and End leaves a webinar in a
// transient state; Reconcile settles it once the dead process's lease
// expired, leaving no stream behind.
func TestReconcileAfterCrash(t *testing.T) {
	t.Parallel()
	stopStream := func(t *testing.T, f *liveFixture, w webinar.Webinar) {
		gw, err := webinar.DefaultSIPMediaGW(mustGateway(t, f, w.GatewayID))
		require.NoError(t, err)
		require.NoError(t, gw.StopRoom(context.Background(), w.BotRoom))
	}
	endMeeting := func(t *testing.T, f *liveFixture, w webinar.Webinar) {
		require.NoError(t, f.bbb.EndMeeting(w.MeetingID))
	}
	tests := []struct {
		name    string
		done    func(t *testing.T, f *liveFixture, w webinar.Webinar) // side effects done before the crash
		crash   func(w *webinar.Webinar)                              // what the store holds after the crash
		want    webinar.State
		meeting bool // the BBB meeting still runs afterwards
	}{
		{"start: after the stream started, before its session was saved", nil, func(w *webinar.Webinar) {
			w.State, w.Session = webinar.Starting, ""
		}, webinar.Failed, true},
		{"start: after the session was saved", nil, func(w *webinar.Webinar) { w.State = webinar.Starting }, webinar.Failed, true},
		{"stop live: before the stop", nil, func(w *webinar.Webinar) { w.State = webinar.StoppingLive }, webinar.LiveStopped, true},
		{"stop live: after the stop", stopStream, func(w *webinar.Webinar) { w.State = webinar.StoppingLive }, webinar.LiveStopped, true},
		{"end: before the BBB end", nil, func(w *webinar.Webinar) { w.State = webinar.Ending }, webinar.Ended, false},
		{"end: after the BBB end", endMeeting, func(w *webinar.Webinar) { w.State = webinar.Ending }, webinar.Ended, false},
		{"end: after the stop", func(t *testing.T, f *liveFixture, w webinar.Webinar) {
			endMeeting(t, f, w)
			stopStream(t, f, w)
		}, func(w *webinar.Webinar) { w.State = webinar.Ending }, webinar.Ended, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newLiveFixture(t, sipmediagwtest.V16, webinar.RelaySIPMediaGW)
			w := startedWebinar(t, f)
			session := w.Session
			if tt.done != nil {
				tt.done(t, f, w)
			}
			crashed := w
			tt.crash(&crashed)
			_, err := f.store.UpdateWebinar(ctx, crashed)
			require.NoError(t, err)
			// The dead process still holds the lease.
			ok, err := f.store.AcquireLease(ctx, "webinar:"+w.ID, "dead-process", 2*time.Minute, f.clock.Now())
			require.NoError(t, err)
			require.True(t, ok)

			n, err := f.svc.Reconcile(ctx)
			require.NoError(t, err)
			assert.Zero(t, n, "a held lease is respected")
			f.clock.Add(3 * time.Minute)

			n, err = f.svc.Reconcile(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			got, _ := f.svc.Get(ctx, w.ID)
			assert.Equal(t, tt.want, got.State)
			assert.False(t, f.gw.IsRunning(session), "no stream left running")
			assert.Empty(t, f.gw.Running())
			m, _ := f.bbb.Meeting(w.MeetingID)
			assert.Equal(t, !tt.meeting, m.Ended)

			n, err = f.svc.Reconcile(ctx)
			require.NoError(t, err)
			assert.Zero(t, n, "nothing left to settle")
		})
	}
}

func mustGateway(t *testing.T, f *liveFixture, id int64) gateway.Gateway {
	t.Helper()
	g, err := f.gateways.Gateway(context.Background(), id)
	require.NoError(t, err)
	return g
}
