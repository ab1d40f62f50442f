package sipmediagwtest_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

func startParams(v sipmediagwtest.Version) sipmediagw.StartParams {
	return sipmediagw.StartParams{
		Room:      "a1b2c3d4e5",
		Domain:    "pod.example.org/meeting/42/0123456789abcdef",
		RTMPURL:   rtmpURL,
		GatewayID: "gw-bbbcast-1",
	}
}

// commandsWork reports whether chat commands reach the bot: not on
// v1.8.4, whose proxy forwards them to a route its launcher lacks and
// whose launcher acknowledges them without sending them (the client
// answers ErrNotSupported for both).
func commandsWork(v sipmediagwtest.Version) bool {
	return v != sipmediagwtest.V18 && v != sipmediagwtest.V18Launcher
}

// startClientServer starts a server whose launcher (when called directly)
// has the gw_id of startParams.
func startClientServer(t testing.TB, v sipmediagwtest.Version, opts ...sipmediagwtest.Option) *sipmediagwtest.Server {
	t.Helper()
	return start(t, v, append([]sipmediagwtest.Option{sipmediagwtest.WithLauncherIDs(startParams(v).GatewayID)}, opts...)...)
}

// The client's whole cycle against every version.
func TestClientLifecycle(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := startClientServer(t, v)
			c := srv.Client()
			ctx := testCtx(t)
			if err := c.Probe(ctx); err != nil {
				t.Fatalf("probe: %v", err)
			}
			p := startParams(v)
			s, err := c.Start(ctx, p)
			if err != nil {
				t.Fatalf("start: %v", err)
			}
			st, ok := srv.Stream(s.Handle())
			if !ok || st.RTMPURL != rtmpURL || st.Room != p.Room {
				t.Fatalf("session %v, stream %+v", s, st)
			}
			if v.IsLegacy() && st.Domain != p.Domain {
				t.Fatalf("domain %q", st.Domain)
			}
			toggleErr := c.ToggleChat(ctx, s)
			chatErr := c.SendChat(ctx, s, "(Ada Lovelace) Hello")
			if !commandsWork(v) {
				if !errors.Is(toggleErr, sipmediagw.ErrNotSupported) || !errors.Is(chatErr, sipmediagw.ErrNotSupported) {
					t.Fatalf("v1.8.4 commands: toggle %v, chat %v", toggleErr, chatErr)
				}
				if !srv.ChatPanelVisible(s.Handle()) || len(srv.Chat(s.Handle())) != 0 {
					t.Error("v1.8.4 commands had an effect")
				}
			} else {
				if toggleErr != nil || chatErr != nil {
					t.Fatalf("toggle %v, chat %v", toggleErr, chatErr)
				}
				if srv.ChatPanelVisible(s.Handle()) {
					t.Error("the toggle did not hide the panel")
				}
				if got := srv.Chat(s.Handle()); len(got) != 1 || !strings.Contains(got[0], "Hello") {
					t.Errorf("chat %q", got)
				}
			}
			status, err := c.Status(ctx, s)
			switch {
			case v == sipmediagwtest.V15 || v == sipmediagwtest.V16:
				if !errors.Is(err, sipmediagw.ErrNotSupported) {
					t.Errorf("status before v1.7: %v", err)
				}
			case err != nil:
				t.Errorf("status: %v", err)
			case status.State != sipmediagw.StateRunning:
				t.Errorf("status %+v", status)
			}
			if err := c.Stop(ctx, s); err != nil {
				t.Fatalf("stop: %v", err)
			}
			if srv.IsRunning(s.Handle()) {
				t.Fatal("still running")
			}
			// Stop is idempotent.
			if err := c.Stop(ctx, s); err != nil {
				t.Fatalf("second stop: %v", err)
			}
			if srv.StartCount() != 1 || srv.StopCount() != 2 {
				t.Fatalf("starts %d stops %d", srv.StartCount(), srv.StopCount())
			}
		})
	}
}

func TestClientBusyAndLaunchFailure(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := startClientServer(t, v)
			c := srv.Client()
			ctx := testCtx(t)
			srv.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.Busy, Times: 1})
			_, err := c.Start(ctx, startParams(v))
			// A launcher has no slot to be busy for: SIPMediaGW.sh's error
			// is its 404 "Failed to start gateway container".
			wantBusy := sipmediagw.ErrBusy
			if v.IsLauncher() {
				wantBusy = sipmediagw.ErrLaunchFailed
			}
			if !errors.Is(err, wantBusy) {
				t.Fatalf("busy: %v", err)
			}
			srv.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.LaunchFailure, Times: 1})
			s, err := c.Start(ctx, startParams(v))
			if v.IsLegacy() {
				if !errors.Is(err, sipmediagw.ErrLaunchFailed) {
					t.Fatalf("launch failure: %v", err)
				}
				// The client stops what the failed launch left behind.
				if len(srv.Running()) != 0 {
					t.Fatalf("left running: %+v", srv.Running())
				}
				return
			}
			// A v1.8 streaming start does not wait for the bot: success, and
			// the status tells the container is down (the proxy's once its
			// monitor has seen it).
			if err != nil {
				t.Fatalf("launch failure: %v", err)
			}
			if len(srv.Running()) != 0 {
				t.Fatalf("running %+v", srv.Running())
			}
			if v.IsProxy() {
				if st, err := c.Status(ctx, s); err != nil || st.State != sipmediagw.StateRunning {
					t.Fatalf("status before the monitor's pass: %+v %v", st, err)
				}
				srv.Poll()
			}
			if st, err := c.Status(ctx, s); err != nil || st.State != sipmediagw.StateStopped {
				t.Fatalf("status: %+v %v", st, err)
			}
		})
	}
}

func TestClientNeverEchoesTheDebugPage(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			c := srv.Client()
			p := startParams(v)
			p.RTMPURL = "rtmp://live.example.org/live/key'quote"
			_, err := c.Start(testCtx(t), p)
			if err == nil {
				t.Fatal("no error for a 500")
			}
			for _, secret := range []string{srv.Token, "key'quote", p.Domain} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error shows a secret: %v", err)
				}
			}
			// The container came up before the launcher choked; the client
			// cleans up after the failed start.
			if srv.IsRunning(p.Room) {
				t.Fatal("left running")
			}
		})
	}
}

func TestClientUnauthorized(t *testing.T) {
	t.Parallel()
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V15, sipmediagwtest.V16, sipmediagwtest.V17, sipmediagwtest.V18, sipmediagwtest.V18Head} {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			c, err := sipmediagw.NewClient(srv.URL, "wrong-token-123", sipmediagw.WithProtocol(v.Protocol()),
				sipmediagw.WithInsecureHTTP(), sipmediagw.WithHTTPClient(srv.HTTPClient()))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Probe(testCtx(t)); !errors.Is(err, sipmediagw.ErrUnauthorized) {
				t.Fatalf("probe: %v", err)
			}
			if _, err := c.Start(testCtx(t), startParams(v)); !errors.Is(err, sipmediagw.ErrUnauthorized) {
				t.Fatalf("start: %v", err)
			}
		})
	}
}

func TestClientTimeoutOnHang(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V17)
	srv.Fail(sipmediagwtest.OpStatus, sipmediagwtest.Fault{Kind: sipmediagwtest.Hang})
	c := srv.Client(sipmediagw.WithTimeout(200*time.Millisecond), sipmediagw.WithRetries(0))
	s, err := c.Start(testCtx(t), startParams(sipmediagwtest.V17))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Status(testCtx(t), s)
	var te *sipmediagw.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("status: %v", err)
	}
}

func TestClientInstallToken(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V16, sipmediagwtest.WithToken(sipmediagwtest.InstallToken))
	c := srv.Client() // WithInsecureToken added for the weak token
	if err := c.Probe(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if !reflect.DeepEqual(reqs[0].Authorization, "Bearer REDACTED") {
		t.Fatalf("%+v", reqs[0])
	}
}
