package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// This file holds the shared helpers of the page tests, and the tests of
// what every page has in common: the 404 page and the security headers.

// eventually polls cond every few milliseconds until it holds, failing
// the test with what when timeout passes first.
func eventually(t testing.TB, timeout time.Duration, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: still not %s", timeout, what)
		}
		<-tick.C
	}
}

// in is v reporting to t: a subtest uses its parent's visitors through
// it, so that a failure ends the subtest, not its parent.
func (v *visitor) in(t testing.TB) *visitor {
	c := *v
	c.t = t
	return &c
}

// postWith sends a form with the headers given instead of the same-origin
// ones post sets; an empty value leaves a header out.
func (v *visitor) postWith(path string, form url.Values, headers map[string]string) response {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodPost, v.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, val := range headers {
		if val != "" {
			req.Header.Set(k, val)
		}
	}
	return v.do(req)
}

// getWith is get with extra request headers.
func (v *visitor) getWith(path string, headers map[string]string) response {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodGet, v.base+path, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	for k, val := range headers {
		req.Header.Set(k, val)
	}
	return v.do(req)
}

// slotStart is a start time on a whole minute, in UTC as the harness's
// demo shows its forms.
func slotStart(t time.Time) time.Time { return t.UTC().Truncate(time.Minute) }

// webinarValues is the create/edit form of a webinar starting at start.
func webinarValues(title string, start time.Time, minutes int, chat, shown bool) url.Values {
	f := url.Values{
		"title":   {title},
		"date":    {start.UTC().Format("2006-01-02")},
		"time":    {start.UTC().Format("15:04")},
		"minutes": {strconv.Itoa(minutes)},
	}
	if chat {
		f.Set("chat", "on")
	}
	if shown {
		f.Set("chat_shown", "on")
	}
	return f
}

var createdRE = regexp.MustCompile(`^/webinars/([^/?]+)\?done=created$`)

// createWebinar creates a webinar through the form as v, and returns its
// ID.
func (d *demoServer) createWebinar(t testing.TB, v *visitor, form url.Values) string {
	t.Helper()
	res := v.post("/webinars/new", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("create %q: status %d, want 303\n%s", form.Get("title"), res.status, pageError(res.body))
	}
	m := createdRE.FindStringSubmatch(res.location)
	if m == nil {
		t.Fatalf("create: Location %q, want /webinars/{id}?done=created", res.location)
	}
	return m[1]
}

// newWebinar creates, as v, a webinar of an hour starting now, with its
// chat open and shown.
func (d *demoServer) newWebinar(t testing.TB, v *visitor, title string) string {
	t.Helper()
	return d.createWebinar(t, v, webinarValues(title, slotStart(time.Now()), 60, true, true))
}

// webinar reads a webinar from the service.
func (d *demoServer) webinar(t testing.TB, id string) webinar.Webinar {
	t.Helper()
	w, err := d.app.svc.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("webinar %s: %v", id, err)
	}
	return w
}

// webinars lists every webinar of the demo.
func (d *demoServer) webinars(t testing.TB) []webinar.Webinar {
	t.Helper()
	list, err := d.app.svc.List(context.Background(), webinar.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// settle waits for the webinars' operations in flight (the service's
// background part of start, stop, end), then for the stand-in bot.
func (d *demoServer) settle() {
	ctx := context.Background()
	list, _ := d.app.svc.List(ctx, webinar.Query{})
	for _, w := range list {
		_, _ = d.app.svc.Wait(ctx, w.ID) // its outcome is in its state
	}
	d.app.fakes.waitBot()
}

// act presses a button of the webinar page as v, expects the redirect
// back to the page, and waits until the action and the bot are done.
func (d *demoServer) act(t testing.TB, v *visitor, id, action string) {
	t.Helper()
	res := v.post("/webinars/"+id+"/do/"+action, nil)
	if res.status != http.StatusSeeOther || res.location != "/webinars/"+id+"?done="+action {
		t.Fatalf("%s: %d %q, want 303 to /webinars/%s?done=%s\n%s", action, res.status, res.location, id, action, pageError(res.body))
	}
	d.settle()
	if w := d.webinar(t, id); w.State == webinar.Failed {
		t.Fatalf("%s failed: %s", action, w.FailReason)
	}
}

// endWebinar presses "End the webinar" and waits until the webinar has
// ended. The action's own outcome is TestEndDoesNotRaceTheCallback's.
func (d *demoServer) endWebinar(t testing.TB, v *visitor, id string) webinar.Webinar {
	t.Helper()
	res := v.post("/webinars/"+id+"/do/end", nil)
	if res.status != http.StatusSeeOther || res.location != "/webinars/"+id+"?done=end" {
		t.Fatalf("end: %d %q\n%s", res.status, res.location, pageError(res.body))
	}
	d.settle()
	var w webinar.Webinar
	eventually(t, 5*time.Second, func() bool {
		w = d.webinar(t, id)
		return w.State == webinar.Ended
	}, "ended")
	return w
}

// wantState checks the webinar's state.
func (d *demoServer) wantState(t testing.TB, id string, want webinar.State) webinar.Webinar {
	t.Helper()
	w := d.webinar(t, id)
	if w.State != want {
		t.Fatalf("webinar %s is %s, want %s (fail reason %q)", id, w.State, want, w.FailReason)
	}
	return w
}

// gatewayList lists the demo's gateways.
func (d *demoServer) gatewayList(t testing.TB) []gateway.Gateway {
	t.Helper()
	list, err := d.app.gateways.Gateways(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// gatewayNamed finds a gateway of the demo by name.
func (d *demoServer) gatewayNamed(t testing.TB, name string) gateway.Gateway {
	t.Helper()
	for _, g := range d.gatewayList(t) {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("no gateway named %q", name)
	return gateway.Gateway{}
}

var errorRE = regexp.MustCompile(`(?s)<p class="error" role="alert">(.*?)</p>`)

// pageError is the page-wide error of a page, for failure messages.
func pageError(body string) string {
	if m := errorRE.FindStringSubmatch(body); m != nil {
		return "page error: " + m[1]
	}
	if len(body) > 300 {
		return body[:300] + "…"
	}
	return body
}

// wantContains fails unless body contains every one of wants.
func wantContains(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: no %q in\n%s", what, w, body)
		}
	}
}

// wantAbsent fails when body contains one of nots.
func wantAbsent(t testing.TB, what, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Errorf("%s: unexpected %q in\n%s", what, n, body)
		}
	}
}

func TestNotFoundPage(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	for _, path := range []string{"/nope", "/webinars/x/y/z", "/static/nope.css", "/live/nope", "/admin/nope"} {
		t.Run(path, func(t *testing.T) {
			res := d.visitor(t).get(path)
			if res.status != http.StatusNotFound {
				t.Fatalf("GET %s: %d, want 404", path, res.status)
			}
			if path == "/static/nope.css" {
				return // the file server's own answer
			}
			wantContains(t, path, res.body, "<h1>Not Found</h1>", `href="/"`)
			if ct := res.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	res := d.visitor(t).get("/nope")
	wantContains(t, "404 page", res.body, "There is no page at this address.")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	id := d.newWebinar(t, ada, "Headers")
	grace := d.signedIn(t, "grace")

	pages := []struct {
		name string
		v    *visitor
		path string
		code int
	}{
		{"home", d.visitor(t), "/", 200},
		{"sign-in", d.visitor(t), "/signin", 200},
		{"live", d.visitor(t), "/live/" + id, 200},
		{"webinars", ada, "/webinars", 200},
		{"webinar", ada, "/webinars/" + id, 200},
		{"new webinar", ada, "/webinars/new", 200},
		{"edit webinar", ada, "/webinars/" + id + "/edit", 200},
		{"gateways", grace, "/admin/gateways", 200},
		{"capacity", grace, "/admin/capacity", 200},
		{"forbidden", ada, "/admin/gateways", 403},
		{"not found", d.visitor(t), "/nope", 404},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			res := p.v.in(t).get(p.path)
			if res.status != p.code {
				t.Fatalf("GET %s: %d, want %d", p.path, res.status, p.code)
			}
			h := res.header
			if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", got)
			}
			if got := h.Get("Referrer-Policy"); got != "same-origin" {
				t.Errorf("Referrer-Policy %q", got)
			}
			if got := h.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control %q", got)
			}
			csp := h.Get("Content-Security-Policy")
			for _, d := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, d) {
					t.Errorf("CSP %q lacks %q", csp, d)
				}
			}
			if strings.Contains(csp, "'unsafe-inline'") || strings.Contains(csp, "'unsafe-eval'") {
				t.Errorf("CSP %q allows inline code", csp)
			}
		})
	}

	// The other answers carry nosniff too.
	for _, path := range []string{"/static/style.css", "/static/live.js", "/live/" + id + "/status", "/hls/gw1/index.m3u8"} {
		res := d.visitor(t).get(path)
		if got := res.header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", path, got)
		}
	}
	if res := d.visitor(t).get("/live/" + id + "/status"); res.header.Get("Cache-Control") != "no-store" {
		t.Errorf("status: Cache-Control %q", res.header.Get("Cache-Control"))
	}
}

// TestLayout checks the navigation as each person sees it.
func TestLayout(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	cases := []struct {
		who       string
		want, not []string
	}{
		{"", []string{`<a href="/signin?next=%2f">Sign in</a>`, "Demo mode"}, []string{"Signed in as", `href="/admin/gateways"`}},
		{"ada", []string{"Signed in as <strong>Ada Lovelace</strong>", `action="/signout"`}, []string{`href="/admin/gateways"`}},
		{"sam", []string{"Signed in as <strong>Sam Student</strong>"}, []string{`href="/admin/gateways"`}},
		{"grace", []string{"Signed in as <strong>Grace Hopper</strong>", `href="/admin/gateways"`}, nil},
	}
	for _, c := range cases {
		t.Run("as "+c.who, func(t *testing.T) {
			v := d.visitor(t)
			if c.who != "" {
				v = d.signedIn(t, c.who)
			}
			res := v.get("/")
			if res.status != http.StatusOK {
				t.Fatalf("home: %d", res.status)
			}
			wantContains(t, "home", res.body, c.want...)
			wantAbsent(t, "home", res.body, c.not...)
			wantContains(t, "home", res.body, `<a href="/" aria-current="page">Live events</a>`)
		})
	}
}
