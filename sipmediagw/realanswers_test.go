package sipmediagw

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The client's outcome for the answers recorded against the real
// releases (testdata/real).

func TestStatusOfTheRealV18Servers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		scenario, exchange string
		protocol           Protocol
		room               string // the session's room, when known
		want               State
		err                error
	}{
		{"v1.8.4/proxy-lifecycle", "status-1-registered", V18, "", StateStopped, nil},
		{"v1.8.4/proxy-lifecycle", "status-1-working", V18, "abcdef1234", StateRunning, nil},
		{"v1.8.4/proxy-lifecycle", "status-1-stopped", V18, "", StateStopped, nil},
		// The freed gateway the issue names: "started" with room "None".
		{"v1.8.4/proxy-lifecycle", "status-1-after-poll", V18, "abcdef1234", StateStopped, nil},
		{"v1.8.4/proxy-lifecycle", "status-1-working-after-poll", V18, "ghijkl5678", StateRunning, nil},
		// The gateway now streams another room: this session's stream is gone.
		{"v1.8.4/proxy-lifecycle", "status-1-working-again", V18, "abcdef1234", StateStopped, nil},
		// A container that exited: "started" with the stale room.
		{"v1.8.4/proxy-exited", "status-1-after-poll", V18, "abcdef1234", StateStopped, nil},
		{"v1.8.4/proxy-lifecycle", "status-unknown-gw", V18, "", StateUnknown, ErrNotRunning},
		{"head/proxy-lifecycle", "status-1-working", V18, "abcdef1234", StateRunning, nil},
		// HEAD's poll forgets the room of a running stream: still running.
		{"head/proxy-lifecycle", "status-1-working-after-poll", V18, "ghijkl5678", StateRunning, nil},
		{"head/proxy-lifecycle", "status-1-after-poll", V18, "abcdef1234", StateStopped, nil},
		{"v1.8.4/launcher-start", "status-1-up", V18Launcher, "", StateRunning, nil},
		{"v1.8.4/launcher-start", "status-2-created", V18Launcher, "", StateStopped, nil},
		{"v1.8.4/launcher-start", "status-1-exited", V18Launcher, "", StateStopped, nil},
		{"v1.8.4/launcher-start", "status-unknown", V18Launcher, "", StateUnknown, ErrNotRunning},
		{"head/launcher-start", "status-1-up", V18Launcher, "", StateRunning, nil},
		{"head/launcher-start", "status-unknown", V18Launcher, "", StateUnknown, ErrNotRunning},
	}
	for _, tc := range cases {
		t.Run(tc.scenario+"/"+tc.exchange, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, tc.protocol)
			path := "/status"
			if tc.protocol == V18Launcher {
				path = "/gateway/status"
			}
			m.on(http.MethodGet, path, recorded(realExchange(t, tc.scenario, tc.exchange)))
			s := sessionFor(tc.protocol)
			s.Room = tc.room
			st, err := c.Status(context.Background(), s)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, st.State, "%+v", st)
		})
	}
}

func TestChatOnTheRealV18Servers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		protocol Protocol
		probe    [2]string // the launcher's ivrConfig answer
		command  [2]string // the command's answer, "" when none is sent
		err      error
	}{
		{"v1.8.4 proxy: /command does not exist", V18, [2]string{}, [2]string{"v1.8.4/proxy-lifecycle", "command-sendChat"}, ErrNotSupported},
		{"v1.8.4 proxy: stopped gateway", V18, [2]string{}, [2]string{"v1.8.4/proxy-lifecycle", "command-stopped"}, ErrNotRunning},
		{"HEAD proxy", V18, [2]string{}, [2]string{"head/proxy-lifecycle", "command-sendChat"}, nil},
		{"v1.8.4 launcher acknowledges and does nothing", V18Launcher, [2]string{"v1.8.4/launcher-routes", "ivrConfig-unknown"}, [2]string{}, ErrNotSupported},
		{"HEAD launcher", V18Launcher, [2]string{"head/launcher-routes", "ivrConfig-unknown"}, [2]string{"head/launcher-command", "command-sendChat"}, nil},
		{"HEAD launcher: stopped gateway", V18Launcher, [2]string{"head/launcher-routes", "ivrConfig-unknown"}, [2]string{"head/launcher-command", "command-stopped"}, ErrNotRunning},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, tc.protocol)
			command := "/command"
			if tc.protocol == V18Launcher {
				command = "/gateway/command"
				m.on(http.MethodGet, "/gateway/ivrConfig", recorded(realExchange(t, tc.probe[0], tc.probe[1])))
			}
			if tc.command[0] != "" {
				m.on(http.MethodPost, command, recorded(realExchange(t, tc.command[0], tc.command[1])))
			}
			for range 2 { // the launcher's release is probed once
				err := c.SendChat(context.Background(), sessionFor(tc.protocol), "Hello")
				if tc.err == nil {
					require.NoError(t, err)
				} else {
					require.ErrorIs(t, err, tc.err)
				}
			}
			if tc.protocol == V18Launcher {
				assert.Equal(t, 1, m.count(http.MethodGet, "/gateway/ivrConfig"), "the release is probed once")
			}
			if tc.command[0] == "" {
				assert.Zero(t, m.count(http.MethodPost, command), "no command sent where it does nothing")
			}
		})
	}
}

func TestStartOnTheRealV18Launcher(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		status [2]string
		start  [2]string // "" when no start may be sent
		err    error
	}{
		{"a free gateway starts", [2]string{"v1.8.4/launcher-stop", "status-1-stopped"}, [2]string{"v1.8.4/launcher-stop", "start-1-again"}, nil},
		{"a created gateway starts", [2]string{"v1.8.4/launcher-start", "status-2-created"}, [2]string{"v1.8.4/launcher-start", "start-1"}, nil},
		// Starting it would restart the container and cut the live.
		{"a streaming gateway is not restarted", [2]string{"v1.8.4/launcher-start", "status-1-up"}, [2]string{}, ErrBusy},
		{"HEAD: a streaming gateway", [2]string{"head/launcher-start", "status-1-up"}, [2]string{}, ErrBusy},
		{"v1.8.4: a gw_id the host never created", [2]string{"v1.8.4/launcher-start", "status-unknown"}, [2]string{}, ErrRejected},
		{"HEAD: a gw_id the host never created", [2]string{"head/launcher-start", "status-unknown"}, [2]string{}, ErrRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, V18Launcher)
			m.on(http.MethodGet, "/gateway/status", recorded(realExchange(t, tc.status[0], tc.status[1])))
			if tc.start[0] != "" {
				m.on(http.MethodPost, "/gateway/start", recorded(realExchange(t, tc.start[0], tc.start[1])))
			}
			s, err := c.Start(context.Background(), validParams(V18Launcher))
			if tc.err == nil {
				require.NoError(t, err)
				assert.Equal(t, mockGW, m.only(http.MethodGet, "/gateway/status").Query.Get("gw_id"))
				assert.NotEmpty(t, s.GatewayID)
				return
			}
			require.ErrorIs(t, err, tc.err)
			var se *StartError
			require.True(t, errors.As(err, &se))
			assert.False(t, se.MayRun, "nothing was started")
			assert.Zero(t, m.count(http.MethodPost, "/gateway/start"), "no start sent")
			assert.Zero(t, m.count(http.MethodPost, "/gateway/stop"), "no cleanup of a stream this client did not start")
		})
	}
}

func TestLegacyAnswersOfTheRealLaunchers(t *testing.T) {
	t.Parallel()
	start := func(c *Client) error { _, err := c.Start(context.Background(), validParams(Legacy)); return err }
	stop := func(c *Client) error { return c.Stop(context.Background(), sessionFor(Legacy)) }
	probe := func(c *Client) error { return c.Probe(context.Background()) }
	cases := []struct {
		scenario, exchange string
		path               string
		call               func(*Client) error
		err                error
		reason             string // a *ResponseError's
	}{
		{"v1.5.1/start", "start-ok", "/start", start, nil, ""}, // "uri": "" in v1.5.1
		{"v1.6.0/start", "start-ok", "/start", start, nil, ""},
		{"v1.7.0/start", "start-busy", "/start", start, ErrBusy, ""},
		{"v1.6.0/start", "start-launch-fails", "/start", start, ErrLaunchFailed, ""},
		{"v1.5.1/start", "start-launch-fails", "/start", start, ErrLaunchFailed, ""},
		// web.py's debug page (it prints the token) is a server error page.
		{"v1.6.0/start", "start-again", "/start", start, nil, "server error page"},
		{"v1.7.0/docker-down", "start-docker-down", "/start", start, ErrLaunchFailed, ""},
		{"v1.5.1/stop", "stop-running", "/stop", stop, nil, ""},
		{"v1.5.1/stop", "stop-again", "/stop", stop, nil, ""},
		{"v1.6.0/stop", "stop-again", "/stop", stop, nil, ""},
		{"v1.7.0/stop", "stop-again", "/stop", stop, nil, ""},
		{"v1.5.1/docker-down", "stop-docker-down", "/stop", stop, ErrStopFailed, ""},
		{"v1.6.0/docker-down", "stop-docker-down", "/stop", stop, ErrStopFailed, ""},
		{"v1.5.1/auth", "stop-probe", "/stop", probe, nil, ""},
		{"v1.7.0/auth", "stop-probe", "/stop", probe, nil, ""},
		{"v1.5.1/auth", "stop-wrong-token", "/stop", probe, ErrUnauthorized, ""},
		{"v1.7.0/auth", "stop-wrong-token", "/stop", probe, ErrUnauthorized, ""},
	}
	for _, tc := range cases {
		t.Run(tc.scenario+"/"+tc.exchange, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, Legacy, WithCleanupAfterFailedStart(false))
			m.on(http.MethodGet, tc.path, recorded(realExchange(t, tc.scenario, tc.exchange)))
			err := tc.call(c)
			switch {
			case tc.reason != "":
				var re *ResponseError
				require.True(t, errors.As(err, &re), "%v", err)
				assert.Equal(t, tc.reason, re.Reason)
				assertNoSecrets(t, "the error", err.Error())
				assert.NotContains(t, err.Error(), "1234")
			case tc.err != nil:
				require.ErrorIs(t, err, tc.err)
			default:
				require.NoError(t, err)
			}
		})
	}
}

// v1.7 sends the repr of the message's bytes: only printable ASCII
// without quotes arrives readable. The client asks /progress once to tell
// v1.7 from the older releases, which carry UTF-8.
func TestChatAsTheLegacyReleaseCarriesIt(t *testing.T) {
	t.Parallel()
	const msg = `(Zoé L.) C'est "génial" – ça marche ! 漢 😀`
	cases := []struct {
		release, progress string // the release's answer to GET /progress
		want              string
	}{
		{"v1.5.1/start", "progress-no-room", SanitizeChat(msg)},
		{"v1.6.0/start", "progress-no-room", SanitizeChat(msg)},
		{"v1.7.0/start", "progress-no-room", "(Zoe L.) C est genial - ca marche !"},
	}
	for _, tc := range cases {
		t.Run(tc.release, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, Legacy)
			m.on(http.MethodGet, "/progress", recorded(realExchange(t, tc.release, tc.progress)))
			m.on(http.MethodPost, "/chat", recorded(realExchange(t, strings.Replace(tc.release, "start", "chat", 1), "chat-post-plain")))
			for range 2 {
				require.NoError(t, c.SendChat(context.Background(), sessionFor(Legacy), msg))
			}
			assert.Equal(t, 1, m.count(http.MethodGet, "/progress"), "the release is asked once")
			for _, call := range m.all() {
				if call.Method == http.MethodPost {
					assert.Equal(t, tc.want, call.jsonBody(t)["msg"])
				}
			}
		})
	}
}
