package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/internal/logx"
)

// demoServer is the portal running in the test process on loopback, on
// the fakes, with a database of its own.
type demoServer struct {
	URL   string // the public URL
	Local string // where the portal listens, "http://127.0.0.1:port"
	app   *app
	logs  *logx.Buffer // what the portal logged
}

// startDemo starts the portal; change adjusts the options first. It is
// stopped when the test ends.
func startDemo(t testing.TB, change func(*options)) *demoServer {
	t.Helper()
	o := options{
		Addr:         "127.0.0.1:0",
		Data:         t.TempDir(),
		Assets:       ".",
		Timezone:     "UTC",
		FakeGateways: 2,
	}
	if change != nil {
		change(&o)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		t.Fatal(err)
	}
	local := "http://" + ln.Addr().String()
	base := local
	if o.PublicURL != "" {
		base = o.PublicURL
	}
	logs := &logx.Buffer{}
	logger := slog.New(slog.NewTextHandler(logs, nil))
	a, err := newApp(context.Background(), o, base, logger)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &demoServer{URL: base, Local: local, app: a, logs: logs}
}

// visitor is a browser without JavaScript: cookies, no redirects
// followed (tests look at them).
type visitor struct {
	t      testing.TB
	base   string
	client *http.Client
}

func (d *demoServer) visitor(t testing.TB) *visitor {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	// A transport of its own: the server's Close closes the idle
	// connections of http.DefaultTransport, which parallel tests share.
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &visitor{t: t, base: d.URL, client: &http.Client{
		Transport:     tr,
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// signedIn is a visitor signed in as the demo user id.
func (d *demoServer) signedIn(t testing.TB, id string) *visitor {
	v := d.visitor(t)
	if res := v.post("/signin", url.Values{"user": {id}}); res.status != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", id, res.status)
	}
	return v
}

// response is an answer read whole.
type response struct {
	status   int
	location string
	header   http.Header
	body     string
}

func (v *visitor) do(req *http.Request) response {
	v.t.Helper()
	resp, err := v.client.Do(req)
	if err != nil {
		v.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		v.t.Fatal(err)
	}
	return response{status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(b)}
}

func (v *visitor) get(path string) response {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodGet, v.base+path, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	return v.do(req)
}

// post sends a form as a same-origin browser would.
func (v *visitor) post(path string, form url.Values) response {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodPost, v.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", v.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return v.do(req)
}
