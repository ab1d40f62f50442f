package webinar_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// A webinar on each v1.8 release: the stream starts on the gw_id the
// gateway names (a launcher) or the proxy picks, the bot opens the
// webinar's page, chat works where the release carries it (not on
// v1.8.4) and the end stops the stream.
func TestLiveOnV18Releases(t *testing.T) {
	t.Parallel()
	cases := []struct {
		version sipmediagwtest.Version
		session string
		chat    bool
	}{
		{sipmediagwtest.V18, "v1.8:1", false},
		{sipmediagwtest.V18Head, "v1.8:1", true},
		{sipmediagwtest.V18Launcher, "v1.8-launcher:1", false},
		{sipmediagwtest.V18HeadLauncher, "v1.8-launcher:1", true},
	}
	for _, tc := range cases {
		t.Run(tc.version.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := newLiveFixture(t, tc.version, webinar.RelaySIPMediaGW)
			w, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Compilers", Slot: slot(0, 2), ChatEnabled: true, ChatShown: true})
			require.NoError(t, err)
			live, err := f.waited(f.svc.Start, teacher, w.ID)
			require.NoError(t, err)
			require.Equal(t, webinar.Live, live.State, live.FailReason)
			assert.Equal(t, tc.session, live.Session)
			st, ok := f.gw.Stream(live.Session)
			require.True(t, ok)
			assert.Equal(t, "1", st.GatewayID, "the gw_id created on the launcher's host")
			assert.Equal(t, webinar.BotPagePath(&live), "/"+st.Room)

			err = f.svc.PostChat(ctx, student, w.ID, "Une question")
			if tc.chat {
				require.NoError(t, err)
				assert.Equal(t, []string{"(Bob) Une question"}, f.gw.Chat(live.Session))
			} else {
				require.ErrorIs(t, err, sipmediagw.ErrNotSupported)
				assert.Equal(t, "This webinar's gateway cannot do that (its SIPMediaGW release lacks it).", webinar.Explain(err))
				assert.Empty(t, f.gw.Chat(live.Session))
			}

			ended, err := f.waited(f.svc.End, teacher, w.ID)
			require.NoError(t, err)
			assert.Equal(t, webinar.Ended, ended.State, ended.FailReason)
			assert.False(t, f.gw.IsRunning(live.Session))
		})
	}
}

// A launcher's gw_id that already streams (started by another portal on
// the same launcher) is not restarted: the start fails and that stream
// goes on.
func TestStartRefusesAStreamingLauncherGateway(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V18Launcher, webinar.RelaySIPMediaGW)
	other := f.gw.Client(sipmediagw.WithInsecureHTTP())
	_, err := other.Start(ctx, sipmediagw.StartParams{Room: "someone/else", RTMPURL: "rtmp://live.example.org/live/OTHER", GatewayID: "1"})
	require.NoError(t, err)
	w, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Compilers", Slot: slot(0, 2)})
	require.NoError(t, err)
	failed, err := f.waited(f.svc.Start, teacher, w.ID)
	require.Error(t, err)
	assert.Equal(t, webinar.Failed, failed.State)
	assert.Contains(t, failed.FailReason, "already streams")
	st, ok := f.gw.Stream("v1.8-launcher:1")
	require.True(t, ok)
	assert.Equal(t, "someone/else", st.Room, "the other stream was neither restarted nor stopped")
	assert.Equal(t, 1, f.gw.StartCount())
}

// The Service keeps a gateway's client: a v1.8 launcher's release is
// asked once, not at every chat message.
func TestLauncherReleaseAskedOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V18Launcher, webinar.RelaySIPMediaGW)
	w, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Compilers", Slot: slot(0, 2), ChatEnabled: true})
	require.NoError(t, err)
	_, err = f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	for range 3 {
		require.ErrorIs(t, f.svc.PostChat(ctx, student, w.ID, "Une question"), sipmediagw.ErrNotSupported)
	}
	probes := 0
	for _, r := range f.gw.Requests() {
		if r.Path == "/gateway/ivrConfig" {
			probes++
		}
	}
	assert.Equal(t, 1, probes)
}
