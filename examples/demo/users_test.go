package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestLocalPath(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/webinars", "/webinars"},
		{"/live/abc?x=1&y=2", "/live/abc?x=1&y=2"},
		{"/webinars/new#top", "/webinars/new#top"},
		{"/a//b", "/a/b"}, // as http.Redirect sends it
		{"/webinars/", "/webinars/"},
		{"/./webinars", "/webinars"},
		{`/./\evil.example`, "/"}, // cleaned, it would be /\evil.example
		{"/.//evil.example", "/evil.example"},
		{"/x/..//evil.example", "/evil.example"},
		{"/%5Cevil.example", "/%5Cevil.example"},       // an encoded backslash stays encoded
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"}, // a path: browsers do not decode it into a host
		{"//evil.example", "/"},
		{"//evil.example/path", "/"},
		{"///evil.example", "/"},
		{`/\evil.example`, "/"},
		{`\\evil.example`, "/"},
		{`\/evil.example`, "/"},
		{"https://evil.example", "/"},
		{"http://evil.example/webinars", "/"},
		{"https:/evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"webinars", "/"},
		{"./webinars", "/"},
		{"/\t/evil.example", "/"}, // browsers drop tabs: it would be //evil.example
		{"/\n/evil.example", "/"},
		{" /webinars", "/"},
		{"%2F%2Fevil.example", "/"},
	}
	for _, c := range cases {
		if got := localPath(c.in, "/"); got != c.want {
			t.Errorf("localPath(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := localPath("//evil.example", "/fallback"); got != "/fallback" {
		t.Errorf("default not returned: %q", got)
	}
}

func TestSignInPage(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	res := d.visitor(t).get("/signin")
	if res.status != http.StatusOK {
		t.Fatalf("sign-in page: %d", res.status)
	}
	wantContains(t, "sign-in page", res.body,
		`value="ada"`, "Ada Lovelace", "presenter",
		`value="sam"`, "Sam Student", "audience",
		`value="grace"`, "Grace Hopper", "administrator",
		`<form method="post" action="/signin"`, `name="next" value="/"`)
	if n := strings.Count(res.body, `type="radio"`); n != 3 {
		t.Errorf("%d people listed, want 3", n)
	}

	// The page keeps a local "next", and drops another.
	cases := []struct{ next, want string }{
		{"/webinars/new", `name="next" value="/webinars/new"`},
		{"/live/x?a=1", `name="next" value="/live/x?a=1"`},
		{"//evil.example", `name="next" value="/"`},
		{"https://evil.example", `name="next" value="/"`},
		{`/\evil.example`, `name="next" value="/"`},
		{`/./\evil.example`, `name="next" value="/"`},
	}
	for _, c := range cases {
		res := d.visitor(t).get("/signin?next=" + url.QueryEscape(c.next))
		wantContains(t, "sign-in page with next "+c.next, res.body, c.want)
		wantAbsent(t, "sign-in page with next "+c.next, res.body, `value="//`, `value="https:`, `value="/\`)
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)

	t.Run("unknown user", func(t *testing.T) {
		t.Parallel()
		for _, user := range []string{"", "eve", "ADA", "ada "} {
			v := d.visitor(t)
			res := v.post("/signin", url.Values{"user": {user}})
			if res.status != http.StatusBadRequest {
				t.Errorf("sign in as %q: %d, want 400", user, res.status)
			}
			wantContains(t, "refusal", res.body, "Pick one of the people listed.")
			if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
				t.Errorf("sign in as %q set %q", user, sc)
			}
			if res := v.get("/webinars"); res.status != http.StatusSeeOther {
				t.Errorf("after a refused sign-in, /webinars answers %d", res.status)
			}
		}
	})

	t.Run("cookie", func(t *testing.T) {
		t.Parallel()
		for _, u := range demoUsers {
			res := d.visitor(t).post("/signin", url.Values{"user": {u.ID}})
			if res.status != http.StatusSeeOther || res.location != "/" {
				t.Fatalf("sign in as %s: %d %q", u.ID, res.status, res.location)
			}
			c, err := http.ParseSetCookie(res.header.Get("Set-Cookie"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Name != userCookie || c.Value != u.ID || c.Path != "/" || !c.HttpOnly ||
				c.SameSite != http.SameSiteLaxMode || c.MaxAge <= 0 {
				t.Errorf("cookie %+v", c)
			}
			if c.Secure {
				t.Errorf("Secure cookie on plain http: the browser would drop it")
			}
		}
	})

	t.Run("next", func(t *testing.T) {
		t.Parallel()
		cases := []struct{ next, want string }{
			{"", "/"},
			{"/webinars", "/webinars"},
			{"/webinars/new?x=1", "/webinars/new?x=1"},
			{"/admin/capacity?day=2030-01-02&pool=", "/admin/capacity?day=2030-01-02&pool="},
			{"//evil.example", "/"},
			{"//evil.example/webinars", "/"},
			{"https://evil.example", "/"},
			{"https://evil.example/webinars", "/"},
			{`/\evil.example`, "/"},
			{`\\evil.example`, "/"},
			{"javascript:alert(1)", "/"},
		}
		for _, c := range cases {
			res := d.visitor(t).post("/signin", url.Values{"user": {"ada"}, "next": {c.next}})
			if res.status != http.StatusSeeOther || res.location != c.want {
				t.Errorf("next %q: %d to %q, want 303 to %q", c.next, res.status, res.location, c.want)
			}
		}
	})

	t.Run("redirect to sign-in and back", func(t *testing.T) {
		t.Parallel()
		v := d.visitor(t)
		res := v.get("/webinars/new")
		if res.status != http.StatusSeeOther || res.location != "/signin?next=%2Fwebinars%2Fnew" {
			t.Fatalf("signed out /webinars/new: %d %q", res.status, res.location)
		}
		page := v.get(res.location)
		wantContains(t, "sign-in page", page.body, `name="next" value="/webinars/new"`)
		res = v.post("/signin", url.Values{"user": {"ada"}, "next": {"/webinars/new"}})
		if res.location != "/webinars/new" {
			t.Fatalf("back to %q", res.location)
		}
		if res := v.get("/webinars/new"); res.status != http.StatusOK {
			t.Errorf("signed in /webinars/new: %d", res.status)
		}
	})

	t.Run("sign out", func(t *testing.T) {
		t.Parallel()
		v := d.signedIn(t, "ada")
		if res := v.get("/webinars"); res.status != http.StatusOK {
			t.Fatalf("signed in /webinars: %d", res.status)
		}
		res := v.post("/signout", nil)
		if res.status != http.StatusSeeOther || res.location != "/" {
			t.Fatalf("sign out: %d %q", res.status, res.location)
		}
		c, err := http.ParseSetCookie(res.header.Get("Set-Cookie"))
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != userCookie || c.Value != "" || c.MaxAge >= 0 || c.Path != "/" || !c.HttpOnly {
			t.Errorf("sign-out cookie %+v", c)
		}
		if res := v.get("/webinars"); res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/signin?next=") {
			t.Errorf("after sign-out /webinars: %d %q", res.status, res.location)
		}
		if res := v.get("/"); strings.Contains(res.body, "Signed in as") {
			t.Error("still signed in on the home page")
		}
	})

	t.Run("forged cookie", func(t *testing.T) {
		t.Parallel()
		v := d.visitor(t)
		req, _ := http.NewRequest(http.MethodGet, d.URL+"/webinars", nil)
		req.AddCookie(&http.Cookie{Name: userCookie, Value: "eve"})
		if res := v.do(req); res.status != http.StatusSeeOther {
			t.Errorf("unknown user in the cookie: %d", res.status)
		}
	})
}

// TestCrossSitePosts: a POST a browser marks cross-site or same-site
// (a sibling subdomain), or from another origin, is refused and changes
// nothing. Both headers are set by the browser, not by the page: a
// browser's request never claims "same-origin" with another Origin, nor
// "cross-site" with ours (net/http's CrossOriginProtection trusts those).
func TestCrossSitePosts(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	id := d.newWebinar(t, ada, "Guarded")
	grace := d.signedIn(t, "grace")

	refusals := []struct {
		name    string
		headers map[string]string
	}{
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"same-site", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"sibling subdomain", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://blog.localhost:8080"}},
		{"foreign Origin", map[string]string{"Origin": "https://evil.example"}},
		{"foreign Origin, cross-site", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
		{"null Origin", map[string]string{"Origin": "null"}},
		{"other port", map[string]string{"Origin": "http://127.0.0.1:1"}},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			ada, grace := ada.in(t), grace.in(t)
			before := d.webinars(t)
			posts := []struct {
				v    *visitor
				path string
				form url.Values
			}{
				{ada, "/webinars/new", webinarValues("Forged", slotStart(time.Now()), 60, true, true)},
				{ada, "/webinars/" + id + "/do/start", nil},
				{ada, "/webinars/" + id + "/do/delete", nil},
				{ada, "/webinars/" + id + "/edit", webinarValues("Renamed", slotStart(time.Now()), 30, false, false)},
				{d.visitor(t), "/signin", url.Values{"user": {"grace"}}},
				{grace, "/admin/gateways/new", url.Values{"name": {"Forged"}}},
				{grace, "/admin/gateways/1", url.Values{"name": {"Forged"}}},
				{ada, "/live/" + id + "/chat", url.Values{"message": {"forged"}}},
				{ada, "/signout", nil},
			}
			for _, p := range posts {
				res := p.v.postWith(p.path, p.form, r.headers)
				if res.status != http.StatusForbidden {
					t.Errorf("POST %s: %d, want 403", p.path, res.status)
				}
				if !strings.Contains(res.body, "cross-site request refused") {
					t.Errorf("POST %s: body %q", p.path, res.body)
				}
				if sc := res.header.Values("Set-Cookie"); len(sc) != 0 {
					t.Errorf("POST %s set cookies %q", p.path, sc)
				}
			}
			d.settle()
			after := d.webinars(t)
			if len(after) != len(before) {
				t.Errorf("%d webinars, then %d", len(before), len(after))
			}
			w := d.wantState(t, id, "scheduled")
			if w.Title != "Guarded" {
				t.Errorf("title %q", w.Title)
			}
			if w.Version != 2 || w.LastError != "" {
				t.Errorf("an action ran: version %d, last error %q", w.Version, w.LastError)
			}
			if len(d.app.fakes.bbb.Meetings()) != 0 {
				t.Error("a meeting was created")
			}
			for _, g := range d.gatewayList(t) {
				if g.Name == "Forged" {
					t.Errorf("gateway %d renamed", g.ID)
				}
			}
			if n := len(d.gatewayList(t)); n != 2 {
				t.Errorf("%d gateways", n)
			}
			if res := ada.get("/webinars"); res.status != http.StatusOK {
				t.Errorf("Ada was signed out: %d", res.status)
			}
		})
	}

	// What a browser sends from the portal's own pages goes through.
	accepted := []map[string]string{
		{"Sec-Fetch-Site": "same-origin", "Origin": d.URL},
		{"Sec-Fetch-Site": "none"},
		{}, // an old browser, or a script without Origin
		{"Origin": d.URL},
	}
	for _, h := range accepted {
		res := ada.postWith("/webinars/"+id+"/do/hide-chat", nil, h)
		if res.status != http.StatusSeeOther {
			t.Errorf("headers %v: %d, want 303", h, res.status)
		}
	}
}

// TestHarnessSignedIn checks the harness's own sign-in. Its POST is the
// only request to this demo through http.DefaultTransport, so it cannot
// reuse a connection that another test's server closes; the visitor then
// moves to a transport of its own.
func TestHarnessSignedIn(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	v := d.signedIn(t, "grace")
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	v.client.Transport = tr
	wantContains(t, "home", v.get("/").body, "Signed in as <strong>Grace Hopper</strong>")
}
