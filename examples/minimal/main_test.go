package main

import (
	"bufio"
	"cmp"
	"context"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/store/sqlite"
	"github.com/bbbcast/bbbcast/webinar"
)

const (
	callbackKey = "test-callback-key-0123456789abcdef"
	rtmpURL     = "rtmp://127.0.0.1/live/stream-key-4242"
)

// env is a complete environment for the given servers.
func env(t *testing.T, bbbURL, bbbSecret, publicURL, gwURL, gwToken string) map[string]string {
	return map[string]string{
		"BBB_URL": bbbURL, "BBB_SECRET": bbbSecret, "PUBLIC_URL": publicURL, "CALLBACK_KEY": callbackKey,
		"SIPMEDIAGW_URL": gwURL, "SIPMEDIAGW_TOKEN": gwToken, "RTMP_URL": rtmpURL,
		"HLS_URL": "http://127.0.0.1/hls/live.m3u8", "INSECURE_HTTP": "1", "ADDR": "127.0.0.1:0",
		"DATA": filepath.Join(t.TempDir(), "bbbcast.db"),
	}
}

func without(m map[string]string, keys ...string) map[string]string {
	c := make(map[string]string, len(m))
	maps.Copy(c, m)
	for _, k := range keys {
		delete(c, k)
	}
	return c
}

func with(m map[string]string, k, v string) map[string]string {
	c := without(m)
	c[k] = v
	return c
}

func TestRunRefusesABadEnvironment(t *testing.T) {
	t.Parallel()
	const secret, token = "bbb-shared-secret-never-printed", "gateway-token-never-printed"
	full := env(t, "http://127.0.0.1:1/bigbluebutton", secret, "https://portal.example.org/webinar",
		"http://127.0.0.1:2", token)
	for _, tc := range []struct {
		name   string
		env    map[string]string
		want   string  // in the error
		is     []error // matched by the error
		noData bool    // no database was created
	}{
		{name: "empty", env: map[string]string{}, noData: true,
			want: "missing environment variables: BBB_URL, BBB_SECRET, PUBLIC_URL, CALLBACK_KEY, " +
				"SIPMEDIAGW_URL, SIPMEDIAGW_TOKEN, RTMP_URL, HLS_URL"},
		{name: "two missing", env: without(full, "BBB_SECRET", "HLS_URL"), noData: true,
			want: "missing environment variables: BBB_SECRET, HLS_URL"},
		{name: "short callback key", env: with(full, "CALLBACK_KEY", "too short"),
			is: []error{bbb.ErrCallbackKey}},
		{name: "plain http not allowed", env: without(full, "INSECURE_HTTP"),
			is:   []error{bbb.ErrInsecureURL, gateway.ErrInvalidGateway},
			want: "plain http needs the insecure flag"},
		{name: "not a stream URL", env: with(full, "RTMP_URL", "https://127.0.0.1/live/stream-key-4242"),
			is: []error{gateway.ErrInvalidGateway}, want: "rtmpURL: scheme must be rtmp or rtmps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if len(tc.env) > 0 { // a database of its own
				tc.env = with(tc.env, "DATA", filepath.Join(t.TempDir(), "bbbcast.db"))
			}
			var out strings.Builder
			err := run(context.Background(), func(k string) string { return tc.env[k] }, &out)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			for _, target := range tc.is {
				assert.ErrorIs(t, err, target)
			}
			for _, s := range []string{secret, token, callbackKey, "stream-key-4242"} {
				assert.NotContains(t, err.Error()+out.String(), s, "a secret was printed")
			}
			if tc.noData {
				_, err := os.Stat(cmp.Or(tc.env["DATA"], "bbbcast.db"))
				assert.ErrorIs(t, err, os.ErrNotExist, "nothing is opened before the environment is complete")
			}
		})
	}
}

// instance is run going in the background, with its output.
type instance struct {
	addr string
	stop func() (string, error) // cancels run, waits for it, returns its output
}

var addrRE = regexp.MustCompile(`msg=serving addr=(\S+)`)

func start(t *testing.T, env map[string]string) instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, func(k string) string { return env[k] }, pw)
		pw.Close()
		done <- err
	}()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	var addr string
	for addr == "" && sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("run did not serve: %v\n%s", <-done, out.String())
	}
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
		}
	}()
	stop := sync.OnceValues(func() (string, error) {
		cancel()
		err := <-done
		<-drained
		return out.String(), err
	})
	t.Cleanup(func() { _, _ = stop() })
	return instance{addr: addr, stop: stop}
}

// TestRunServesWebinars runs the program twice on one database, against
// the fake BBB and SIPMediaGW, behind a reverse proxy at PUBLIC_URL (as in
// production): the gateway is registered once, a presenter's join starts
// the webinar, and BBB's end callback stops the stream.
func TestRunServesWebinars(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bbbSrv := bbbtest.NewServer()
	t.Cleanup(bbbSrv.Close)
	gw := sipmediagwtest.NewServer(sipmediagwtest.V17)
	t.Cleanup(gw.Close)

	var backend atomic.Pointer[url.URL] // where the program listens, once it does
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(backend.Load())
	}})
	t.Cleanup(proxy.Close)
	e := env(t, bbbSrv.URL, bbbSrv.Secret, proxy.URL+"/webinar", gw.URL, gw.Token)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // look at the redirect to BBB
	}}
	do := func(method, path, user string) *http.Response {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, method, proxy.URL+path, nil)
		require.NoError(t, err)
		if user != "" {
			req.Header.Set("X-User", user)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}

	// First start: X-User is not trusted by default, only the prefix is served.
	first := start(t, e)
	backend.Store(&url.URL{Scheme: "http", Host: first.addr})
	assert.Equal(t, http.StatusUnauthorized, do(http.MethodGet, "/webinar/webinars/x/join", "ada").StatusCode)
	assert.Equal(t, http.StatusNotFound, do(http.MethodGet, "/elsewhere", "").StatusCode)
	out, err := first.stop()
	require.NoError(t, err, "a signal is a clean exit")

	// What the host's own code does meanwhile: schedule a webinar.
	store, err := sqlite.Open(ctx, e["DATA"])
	require.NoError(t, err)
	host, err := webinar.NewService(webinar.Config{Store: store, Gateways: gateway.NewService(gateway.Config{Store: store})})
	require.NoError(t, err)
	ada := webinar.User{ID: "ada", Name: "Ada", Affiliations: []string{"faculty"}}
	now := time.Now()
	slot := gateway.Slot{Start: now, End: now.Add(time.Hour)}
	w, err := host.Create(ctx, ada, webinar.Draft{Title: "Lecture", Slot: slot})
	require.NoError(t, err)
	require.NoError(t, store.Close())

	// Restart, trusting X-User: the presenter's join (a POST: a GET
	// offers the form) starts the webinar.
	second := start(t, with(e, "TRUST_X_USER", "1"))
	backend.Store(&url.URL{Scheme: "http", Host: second.addr})
	require.Equal(t, http.StatusOK, do(http.MethodGet, "/webinar/webinars/"+w.ID+"/join", "ada").StatusCode)
	resp := do(http.MethodPost, "/webinar/webinars/"+w.ID+"/join", "ada")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	joinURL := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(joinURL, bbbSrv.URL+"/api/join?"), joinURL)
	m, ok := bbbSrv.Meeting(w.MeetingID)
	require.True(t, ok, "the meeting was created")
	assert.True(t, strings.HasPrefix(m.EndCallbackURL, proxy.URL+"/webinar/callback/end?"), m.EndCallbackURL)
	require.NoError(t, gw.WaitRunning(ctx, "legacy:"+w.BotRoom, true), "the stream starts in the background")
	streams := gw.Running()
	require.Len(t, streams, 1)
	assert.Equal(t, rtmpURL, streams[0].RTMPURL)
	who, err := bbbSrv.OpenJoinURL(ctx, joinURL)
	require.NoError(t, err)
	assert.Equal(t, "MODERATOR", who.Role)

	// The meeting ends in BBB: its signed callback reaches the program.
	require.NoError(t, bbbSrv.EndMeeting(w.MeetingID))
	calls, err := bbbSrv.WaitCallbacks(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, calls[0].StatusCode)
	require.NoError(t, gw.WaitRunning(ctx, "legacy:"+w.BotRoom, false), "the stream stops with the meeting")
	out2, err := second.stop()
	require.NoError(t, err)
	for _, s := range []string{bbbSrv.Secret, gw.Token, callbackKey, "stream-key-4242"} {
		assert.NotContains(t, out+out2, s, "a secret was logged")
	}

	store, err = sqlite.Open(ctx, e["DATA"])
	require.NoError(t, err)
	defer store.Close()
	gws, err := gateway.NewService(gateway.Config{Store: store}).Gateways(ctx)
	require.NoError(t, err)
	require.Len(t, gws, 1, "the restart did not register the gateway again")
	assert.Equal(t, gw.URL, gws[0].Server.URL)
	assert.Equal(t, e["HLS_URL"], gws[0].HLSURL)
	got, err := store.Webinar(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Ended, got.State)
}
