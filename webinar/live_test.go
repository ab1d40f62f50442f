package webinar_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/webinar"
)

// liveFixture runs a Service against the fake BBB and a fake SIPMediaGW.
type liveFixture struct {
	*fixture
	bbb *bbbtest.Server
	gw  *sipmediagwtest.Server
}

const publicURL = "https://portal.example.org/webinar"

func newLiveFixture(t *testing.T, v sipmediagwtest.Version, relay webinar.ChatRelay) *liveFixture {
	t.Helper()
	return newLiveFixtureConfig(t, v, relay, nil)
}

// newLiveFixtureConfig is newLiveFixture with the Config changed by
// configure before the Service is made.
func newLiveFixtureConfig(t *testing.T, v sipmediagwtest.Version, relay webinar.ChatRelay, configure func(*webinar.Config)) *liveFixture {
	t.Helper()
	return newLiveFixtureWith(t, v, relay, configure)
}

// newLiveFixtureWith is newLiveFixtureConfig with options of the fake BBB.
func newLiveFixtureWith(t *testing.T, v sipmediagwtest.Version, relay webinar.ChatRelay, configure func(*webinar.Config),
	opts ...bbbtest.Option) *liveFixture {
	t.Helper()
	f := &liveFixture{fixture: newFixture(t, 0), bbb: bbbtest.NewServer(opts...), gw: sipmediagwtest.NewServer(v)}
	t.Cleanup(f.bbb.Close)
	t.Cleanup(f.gw.Close)
	_, err := f.gateways.CreateGateway(context.Background(), gateway.Gateway{
		Name: "Amphi A", RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/KEY"),
		HLSURL:  "https://live.example.org/hls/a.m3u8",
		Server:  fakeServer(f.gw, v),
		Enabled: true,
	})
	require.NoError(t, err)
	signer, err := bbb.NewCallbackSigner([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	f.clock.Set(t0.Add(time.Minute)) // in the slots the tests book
	cfg := webinar.Config{Store: f.store, Gateways: f.gateways, Clock: f.clock,
		Notifier: webinar.NotifierFunc(func(_ context.Context, e webinar.Event) {
			f.mu.Lock()
			f.events = append(f.events, e)
			hook := f.hook
			f.mu.Unlock()
			if hook != nil {
				hook(e)
			}
		}),
		BBB: f.bbb.Client(), PublicURL: publicURL, Callbacks: signer, ChatRelay: relay}
	if configure != nil {
		configure(&cfg)
	}
	svc, err := webinar.NewService(cfg)
	require.NoError(t, err)
	f.svc = svc
	return f
}

// addGateway registers a fake SIPMediaGW server as a gateway.
func addGateway(t *testing.T, f *liveFixture, srv *sipmediagwtest.Server, v sipmediagwtest.Version) {
	t.Helper()
	_, err := f.gateways.CreateGateway(context.Background(), gateway.Gateway{
		Name: "Amphi", RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/KEY"),
		HLSURL:  "https://live.example.org/hls/a.m3u8",
		Server:  fakeServer(srv, v),
		Enabled: true,
	})
	require.NoError(t, err)
}

// fakeServer is the gateway configuration of a fake server of release v:
// a v1.8 launcher's gateway names a gw_id its host created ("1").
func fakeServer(srv *sipmediagwtest.Server, v sipmediagwtest.Version) gateway.Server {
	s := gateway.Server{URL: srv.URL, Token: gateway.NewSecret(srv.Token), Protocol: v.Protocol(), Insecure: true}
	if v.IsLauncher() {
		s.LauncherID = "1"
	}
	return s
}

func TestLiveLifecycleLegacy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V15, webinar.RelaySIPMediaGW)
	w, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Distributed systems", Slot: slot(0, 2), ChatEnabled: true, ChatShown: false})
	require.NoError(t, err)

	live, err := f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Live, live.State)
	assert.Equal(t, "legacy:"+w.BotRoom, live.Session)
	assert.False(t, live.ChatVisible, "the panel was hidden as wanted")

	// BBB: the meeting, with guests accepted and a signed end callback.
	m, ok := f.bbb.Meeting(w.MeetingID)
	require.True(t, ok)
	assert.Equal(t, "ALWAYS_ACCEPT", m.GuestPolicy)
	cb, err := url.Parse(m.EndCallbackURL)
	require.NoError(t, err)
	assert.Equal(t, "/webinar/callback/end", cb.Path)
	assert.NotEmpty(t, cb.Query().Get(bbb.CallbackTokenParam))
	assert.Equal(t, live.CreateTime, m.CreateTimeMillis)

	// SIPMediaGW: the bot's page is the portal's, the stream goes to the gateway.
	st, ok := f.gw.Stream(live.Session)
	require.True(t, ok)
	assert.Equal(t, "rtmp://live.example.org/live/KEY", st.RTMPURL)
	assert.Equal(t, publicURL+webinar.BotPagePath(&live), "https://"+st.Domain+"/"+st.Room, "this run's credential")
	assert.False(t, f.gw.ChatPanelVisible(live.Session))

	// Idempotent: a second start restarts nothing.
	again, err := f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	assert.Equal(t, live.Version, again.Version)
	assert.Equal(t, 1, f.gw.StartCount())

	// Chat, relayed by the bot with the author's name.
	require.NoError(t, f.svc.PostChat(ctx, student, w.ID, "Où est la diapo 3 ?"))
	chat := f.gw.Chat(live.Session)
	require.Len(t, chat, 1)
	assert.Contains(t, chat[0], "(Bob) Où est la diapo 3 ?")
	require.ErrorIs(t, f.svc.PostChat(ctx, webinar.User{}, w.ID, "anonymous"), webinar.ErrForbidden)

	// Show the chat: one toggle; showing it again sends none.
	shown, err := f.svc.SetChatShown(ctx, teacher, w.ID, true)
	require.NoError(t, err)
	assert.True(t, shown.ChatVisible)
	assert.True(t, f.gw.ChatPanelVisible(live.Session))
	_, err = f.svc.SetChatShown(ctx, teacher, w.ID, true)
	require.NoError(t, err)
	assert.True(t, f.gw.ChatPanelVisible(live.Session), "no blind toggle")

	// Stop, restart, end.
	stopped, err := f.waited(f.svc.StopLive, teacher, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.LiveStopped, stopped.State)
	assert.False(t, f.gw.IsRunning(live.Session))
	require.ErrorIs(t, f.svc.PostChat(ctx, student, w.ID, "hello?"), webinar.ErrChatClosed)
	_, err = f.waited(f.svc.StopLive, teacher, w.ID)
	require.NoError(t, err, "stopping a stopped stream is not an error")

	restarted, err := f.waited(f.svc.RestartLive, teacher, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Live, restarted.State)
	assert.True(t, f.gw.IsRunning(restarted.Session))

	ended, err := f.waited(f.svc.End, teacher, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Ended, ended.State)
	assert.False(t, f.gw.IsRunning(restarted.Session))
	m, _ = f.bbb.Meeting(w.MeetingID)
	assert.True(t, m.Ended)
	_, err = f.gateways.Booking(ctx, w.ID)
	require.ErrorIs(t, err, gateway.ErrNotFound, "the gateway is free again")
	again, err = f.waited(f.svc.End, teacher, w.ID)
	require.NoError(t, err, "ending twice is not an error")
	assert.Equal(t, ended.Version, again.Version)
	assert.Len(t, f.bbb.RequestsFor("end"), 1, "BBB end sent once")
}

func TestStartFailsCleanly(t *testing.T) {
	t.Parallel()
	for _, kind := range []sipmediagwtest.FaultKind{sipmediagwtest.LaunchFailure, sipmediagwtest.Busy, sipmediagwtest.HTML500} {
		t.Run(kind.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newLiveFixture(t, sipmediagwtest.V16, webinar.RelaySIPMediaGW)
			w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
			require.NoError(t, err)
			f.gw.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: kind, Times: 1})

			failed, err := f.waited(f.svc.Start, teacher, w.ID)
			require.Error(t, err)
			assert.Equal(t, webinar.Failed, failed.State)
			assert.Contains(t, failed.FailReason, "SIPMediaGW start")
			assert.Empty(t, f.gw.Running(), "no container left behind")
			assert.Contains(t, f.kinds(), webinar.ErrorOccurred)
			assert.NotContains(t, failed.FailReason, "KEY", "no stream key in the reason")
			assert.NotContains(t, failed.FailReason, f.gw.Token, "no token in the reason")

			// Failed can be started again.
			live, err := f.waited(f.svc.Start, teacher, w.ID)
			require.NoError(t, err)
			assert.Equal(t, webinar.Live, live.State)
			assert.Empty(t, live.FailReason)
		})
	}
}

func TestChatByBBB(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelayBBB)
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	_, err = f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	require.NoError(t, f.svc.PostChat(ctx, student, w.ID, "  bonjour  "))
	chat := f.bbb.Chat(w.MeetingID)
	require.Len(t, chat, 1)
	assert.Equal(t, "Bob", chat[0].UserName)
	assert.Equal(t, "bonjour", chat[0].Message)
	var ie *webinar.InputError
	require.ErrorAs(t, f.svc.PostChat(ctx, student, w.ID, strings.Repeat("a", 501)), &ie)
	require.ErrorAs(t, f.svc.PostChat(ctx, student, w.ID, "   "), &ie)
}

func TestPresenterJoinURLStartsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V16, webinar.RelaySIPMediaGW)
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	for range 3 {
		link, err := f.svc.PresenterJoinURL(ctx, teacher, w.ID)
		require.NoError(t, err)
		u, err := url.Parse(link)
		require.NoError(t, err)
		assert.Equal(t, "MODERATOR", u.Query().Get("role"))
		assert.Equal(t, w.MeetingID, u.Query().Get("meetingID"))
	}
	_, err = f.svc.Wait(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, f.gw.StartCount(), "re-joining never restarts the stream")
	_, err = f.svc.PresenterJoinURL(ctx, student, w.ID)
	require.ErrorIs(t, err, webinar.ErrForbidden)
}

func TestLiveNeedsConfiguration(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	w, err := f.svc.Create(context.Background(), teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	_, err = f.svc.Start(context.Background(), teacher, w.ID)
	require.ErrorIs(t, err, webinar.ErrNotConfigured)
	_, err = webinar.NewService(webinar.Config{Store: memory.New(), Gateways: gateway.NewService(gateway.Config{Store: memory.New()}), PublicURL: "not a url"})
	require.Error(t, err)
}

func TestDisablingTheChatHidesItAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW)
	w, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Webinar", Slot: slot(0, 2), ChatEnabled: true, ChatShown: true})
	require.NoError(t, err)
	w, err = f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	require.True(t, f.gw.ChatPanelVisible(w.Session))

	off := false
	w, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{ChatEnabled: &off})
	require.NoError(t, err)
	assert.False(t, w.ChatShown)
	assert.False(t, w.ChatVisible)
	assert.False(t, f.gw.ChatPanelVisible(w.Session), "hidden in the stream at once")
	require.ErrorIs(t, f.svc.PostChat(ctx, student, w.ID, "hello"), webinar.ErrChatClosed)
}

// While a goroutine drives a webinar, another goroutine of the same
// process must not drive it too, as when BBB's end callback arrives while
// End runs: here the presenter's buttons are pressed while End runs (the
// notifier is called inside End). The lease alone does not
// stop it, since a holder may take its own lease again.
func TestOneDriverPerWebinarInProcess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW)
	w, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Race", Slot: slot(0, 2)})
	require.NoError(t, err)
	live, err := f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)

	var during []error
	f.mu.Lock()
	f.hook = func(e webinar.Event) {
		if e.Kind == webinar.StateChanged && e.To == webinar.Ending {
			_, err := f.svc.StopLive(ctx, teacher, live.ID)
			during = append(during, err)
			_, err = f.svc.RestartLive(ctx, teacher, live.ID)
			during = append(during, err)
		}
	}
	f.mu.Unlock()

	ended, err := f.waited(f.svc.End, teacher, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Ended, ended.State)
	require.Len(t, during, 2)
	for _, err := range during {
		assert.ErrorIs(t, err, webinar.ErrBusy, "a second driver in the same process is refused")
	}

	// Once End is done, the webinar can be driven again (nothing is left
	// marked as driven): ending it again is a no-op, not ErrBusy.
	f.mu.Lock()
	f.hook = nil
	f.mu.Unlock()
	_, err = f.waited(f.svc.End, teacher, w.ID)
	require.NoError(t, err)
}
