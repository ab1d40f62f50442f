package sipmediagwtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/benbjohnson/clock"
)

// start returns a server closed at the end of the test.
func start(t testing.TB, v sipmediagwtest.Version, opts ...sipmediagwtest.Option) *sipmediagwtest.Server {
	t.Helper()
	srv := sipmediagwtest.NewServer(v, opts...)
	t.Cleanup(srv.Close)
	return srv
}

// withMock returns a mock clock and the option that installs it.
func withMock() (*clock.Mock, sipmediagwtest.Option) {
	m := clock.NewMock()
	return m, sipmediagwtest.WithClock(m)
}

// reply is an HTTP answer read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request; auth is the whole Authorization header ("" for
// none).
func do(t testing.TB, srv *sipmediagwtest.Server, method, path, auth, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{resp.StatusCode, resp.Header, b}
}

// get sends an authenticated GET.
func get(t testing.TB, srv *sipmediagwtest.Server, path string) reply {
	t.Helper()
	return do(t, srv, http.MethodGet, path, bearer(srv), "")
}

// post sends an authenticated JSON POST.
func post(t testing.TB, srv *sipmediagwtest.Server, path, body string) reply {
	t.Helper()
	return do(t, srv, http.MethodPost, path, bearer(srv), body)
}

func bearer(srv *sipmediagwtest.Server) string {
	if srv.Token == "" {
		return ""
	}
	return "Bearer " + srv.Token
}

// obj decodes a JSON object answer.
func (r reply) obj(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("HTTP %d, not a JSON object: %v\n%s", r.status, err, r.body)
	}
	return m
}

// expect checks the status and the exact body.
func (r reply) expect(t testing.TB, status int, body string) {
	t.Helper()
	if r.status != status || string(r.body) != body {
		t.Fatalf("got HTTP %d %s\nwant HTTP %d %s", r.status, r.body, status, body)
	}
}

// contentType returns every Content-Type header, joined.
func (r reply) contentType() string { return strings.Join(r.header.Values("Content-Type"), " | ") }

// async runs f in a goroutine and returns a channel with its reply.
func async(f func() reply) <-chan reply {
	ch := make(chan reply, 1)
	go func() { ch <- f() }()
	return ch
}

// await waits for a reply from async.
func await(t testing.TB, ch <-chan reply) reply {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no answer within 10 s")
	}
	return reply{}
}

// waitPending waits (without sleeping) until n requests block on a delay.
func waitPending(t testing.TB, srv *sipmediagwtest.Server, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitPending(ctx, n); err != nil {
		t.Fatalf("WaitPending(%d): %v (pending %d)", n, err, srv.Pending())
	}
}

const rtmpURL = "rtmp://live.example.org/live/SECRETKEY42"

// startQuery is a legacy start query for room.
func startQuery(room string) string {
	return "/start?room=" + room + "&domain=pod.example.org%2Fmeeting%2F42&rtmpDst=rtmp%3A%2F%2Flive.example.org%2Flive%2FSECRETKEY42"
}

// testCtx is a context for waits, bounded to 10 s (t.Context is newer
// than the module's Go version).
func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// contextWithCancel returns a cancellable context, cancelled at the end
// of the test at the latest.
func contextWithCancel(t testing.TB) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx, cancel
}

// pyJSONString marshals m (keys sorted) without HTML escaping.
func pyJSONString(m map[string]string) []byte {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		panic(err)
	}
	return []byte(strings.TrimSpace(b.String()))
}
