package sipmediagw

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What a failed legacy start leaves to its caller, by the start's failure
// and the cleanup stops' answers: whether a stream may still run, how many
// stops were sent, and whether "cleaned up" was logged.
func TestStartErrorOwnership(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		start     httpmock.Responder
		stops     []httpmock.Responder // nil: no stop expected
		noCleanup bool
		wantErr   error
		mayRun    bool
		minStops  int
		cleanedUp bool
	}{
		{name: "timeout, the next stop finds the container", start: connError(),
			stops:    []httpmock.Responder{jsonAnswer(200, v16StoppedWarn), jsonAnswer(200, v16StoppedEmpty), jsonAnswer(200, v16Stopped)},
			minStops: 3, cleanedUp: true},
		{name: "timeout, v1.7 says nothing runs all along", start: connError(),
			stops: []httpmock.Responder{jsonAnswer(400, v17NothingToStop)}, minStops: 2},
		{name: "timeout, every stop fails", start: connError(),
			stops: []httpmock.Responder{htmlAnswer(502, "<html>Bad Gateway</html>")}, mayRun: true, minStops: 2},
		{name: "timeout, the Docker daemon is down", start: connError(),
			stops:  []httpmock.Responder{jsonAnswer(200, `{"status": "success", "details": {"res": "Cannot connect to the Docker daemon at unix:///var/run/docker.sock"}}`)},
			mayRun: true, minStops: 2},
		{name: "launch failed, one stop removes the leftover", start: jsonAnswer(200, v16StartFailed),
			stops: []httpmock.Responder{jsonAnswer(200, v16Stopped)}, wantErr: ErrLaunchFailed, minStops: 1, cleanedUp: true},
		{name: "launch failed, nothing was left", start: jsonAnswer(200, v16StartFailed),
			stops: []httpmock.Responder{jsonAnswer(200, v16StoppedWarn)}, wantErr: ErrLaunchFailed, minStops: 1},
		{name: "launch failed, cleanup off", start: jsonAnswer(200, v16StartFailed), noCleanup: true,
			wantErr: ErrLaunchFailed, mayRun: true},
		{name: "busy: nothing started", start: jsonAnswer(200, v16StartBusy), wantErr: ErrBusy},
		{name: "unauthorized: nothing started", start: jsonAnswer(401, v16Unauth), wantErr: ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			opts := []Option{WithLogger(slog.New(slog.NewTextHandler(&logs, nil))),
				WithCleanupWindow(50*time.Millisecond, time.Millisecond)}
			if tt.noCleanup {
				opts = append(opts, WithCleanupAfterFailedStart(false))
			}
			c, m := newMock(t, Legacy, opts...)
			m.on(http.MethodGet, "/start", tt.start)
			if tt.stops != nil {
				m.on(http.MethodGet, "/stop", tt.stops...)
			}
			s, err := c.Start(context.Background(), validParams(Legacy))
			require.Error(t, err)
			assert.True(t, s.IsZero())
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			}
			var se *StartError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, Session{Protocol: Legacy, Room: mockRoom}, se.Session, "the room the start was for")
			assert.Equal(t, tt.mayRun, se.MayRun)
			stops := m.count(http.MethodGet, "/stop")
			if tt.stops == nil {
				assert.Zero(t, stops)
			} else {
				assert.GreaterOrEqual(t, stops, tt.minStops)
			}
			assert.Equal(t, tt.cleanedUp, bytes.Contains(logs.Bytes(), []byte("cleaned up")), "logged: %s", logs.String())
			assertNoSecrets(t, "start error", err.Error())
		})
	}
}

// The v1.8 launcher's session carries the gw_id it was started with; the
// proxy's only the room (the gateway it took is unknown).
func TestStartErrorSessionV18(t *testing.T) {
	t.Parallel()
	for _, p := range []Protocol{V18, V18Launcher} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p)
			method, path := startRoute(p)
			m.on(method, path, jsonAnswer(422, v18Invalid))
			_, err := c.Start(context.Background(), validParams(p))
			var se *StartError
			require.ErrorAs(t, err, &se)
			want := Session{Protocol: p, Room: mockRoom}
			if p == V18Launcher {
				want.GatewayID = mockGW
			}
			assert.Equal(t, want, se.Session)
			assert.False(t, se.MayRun, "a rejected start launched nothing")
		})
	}
}

// A nil context is refused before anything is sent (the mock fails the
// test on any request), and starts nothing to clean up.
func TestNilContextRefused(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		c, _ := newMock(t, p)
		var none context.Context
		s := Session{Protocol: p, Room: mockRoom, GatewayID: mockGW}
		if p == Legacy {
			s.GatewayID = ""
		}
		_, err := c.Start(none, validParams(p))
		assert.ErrorIs(t, err, ErrNilContext, "%s start", p)
		assert.ErrorIs(t, c.Stop(none, s), ErrNilContext, "%s stop", p)
		assert.ErrorIs(t, c.ToggleChat(none, s), ErrNilContext, "%s toggle", p)
		assert.ErrorIs(t, c.SendChat(none, s, "hello"), ErrNilContext, "%s chat", p)
		_, err = c.Status(none, s)
		assert.ErrorIs(t, err, ErrNilContext, "%s status", p)
		assert.ErrorIs(t, c.Probe(none), ErrNilContext, "%s probe", p)
	}
}
