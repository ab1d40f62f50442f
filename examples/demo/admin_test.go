package main

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// validGateway is a gateway form that passes validation.
func validGateway(name, server string) url.Values {
	slug := strings.ToLower(strings.ReplaceAll(name, " ", "-"))
	return url.Values{
		"name":            {name},
		"pool":            {""},
		"order":           {"10"},
		"rtmpURL":         {"rtmps://rtmp.example/live/stream-key-" + slug},
		"hlsURL":          {"https://cdn.example/" + slug + "/index.m3u8"},
		"server.url":      {server},
		"server.token":    {"a-long-token-of-" + slug},
		"server.protocol": {"v1.8"},
		"enabled":         {"on"},
	}
}

// editForm is the form the edit page of g would send back unchanged: the
// secrets are left empty.
func editForm(g gateway.Gateway) url.Values {
	f := url.Values{
		"name":            {g.Name},
		"pool":            {g.Pool},
		"order":           {strconv.Itoa(g.Order)},
		"rtmpURL":         {""},
		"hlsURL":          {g.HLSURL},
		"server.url":      {g.Server.URL},
		"server.token":    {""},
		"server.protocol": {g.Server.Protocol.String()},
	}
	if g.Server.Insecure {
		f.Set("server.insecure", "on")
	}
	if g.Enabled {
		f.Set("enabled", "on")
	}
	return f
}

func TestGatewaysPageAccess(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	grace := d.signedIn(t, "grace")
	g1 := d.gatewayNamed(t, "Fake gateway 1")

	res := grace.get("/admin/gateways")
	if res.status != http.StatusOK {
		t.Fatalf("gateways page: %d", res.status)
	}
	wantContains(t, "gateways page", res.body, "Fake gateway 1", "Fake gateway 2",
		`<a href="/admin/gateways/`+strconv.FormatInt(g1.ID, 10)+`">Fake gateway 1</a>`,
		"<code>"+d.app.fakes.gws[0].URL+"</code>", "(legacy)", `<span class="badge ok">enabled</span>`,
		`href="/admin/gateways/new"`, `href="/admin/capacity"`, `<a href="/admin/gateways" aria-current="page">Admin</a>`)
	if i, j := strings.Index(res.body, "Fake gateway 1"), strings.Index(res.body, "Fake gateway 2"); i > j {
		t.Error("gateways not in allocation order")
	}
	for _, gw := range d.app.fakes.gws {
		wantAbsent(t, "gateways page", res.body, gw.Token)
	}
	wantAbsent(t, "gateways page", res.body, "rtmp://")

	paths := []string{"/admin/gateways", "/admin/gateways/new", "/admin/gateways/" + strconv.FormatInt(g1.ID, 10), "/admin/capacity"}
	for _, who := range []string{"ada", "sam"} {
		v := d.signedIn(t, who)
		for _, p := range paths {
			res := v.get(p)
			if res.status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", who, p, res.status)
			}
			wantContains(t, who+" "+p, res.body, "Administrators only: sign in as Grace Hopper.")
			wantAbsent(t, who+" "+p, res.body, "Fake gateway")
		}
		for _, p := range []string{"/admin/gateways/new", "/admin/gateways/" + strconv.FormatInt(g1.ID, 10)} {
			if res := v.post(p, validGateway("sneaky", "https://sneaky.example")); res.status != http.StatusForbidden {
				t.Errorf("%s POST %s: %d, want 403", who, p, res.status)
			}
		}
		wantAbsent(t, who+"'s nav", v.get("/").body, `href="/admin/gateways"`)
	}
	anon := d.visitor(t)
	for _, p := range paths {
		res := anon.get(p)
		if res.status != http.StatusSeeOther || res.location != "/signin?next="+url.QueryEscape(p) {
			t.Errorf("signed-out GET %s: %d %q", p, res.status, res.location)
		}
	}
	if n := len(d.gatewayList(t)); n != 2 {
		t.Errorf("%d gateways, want 2", n)
	}
	for _, p := range []string{"/admin/gateways/999", "/admin/gateways/x"} {
		if res := grace.get(p); res.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, res.status)
		}
	}
	if res := grace.post("/admin/gateways/999", validGateway("ghost", "https://ghost.example")); res.status != http.StatusNotFound {
		t.Errorf("POST to an unknown gateway: %d", res.status)
	}
}

func TestCreateGateway(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	grace := d.signedIn(t, "grace")

	res := grace.get("/admin/gateways/new")
	if res.status != http.StatusOK {
		t.Fatalf("new gateway page: %d", res.status)
	}
	wantContains(t, "new gateway page", res.body, `action="/admin/gateways/new"`, `<option value="v1.8" selected>v1.8</option>`,
		`<option value="v1.8-launcher">`, `<option value="legacy">`, `id="enabled" name="enabled" type="checkbox" checked`)
	wantAbsent(t, "new gateway page", res.body, "leave empty to keep the stored one", `aria-invalid="true"`)

	with := func(changes map[string]string) url.Values {
		f := validGateway("Bad", "https://bad.example")
		for k, v := range changes {
			if v == "-" {
				f.Del(k)
			} else {
				f.Set(k, v)
			}
		}
		return f
	}
	cases := []struct {
		name   string
		form   url.Values
		errors map[string]string // field → message
	}{
		{"empty name", with(map[string]string{"name": "  "}), map[string]string{"name": "Give the gateway a name."}},
		{"long name", with(map[string]string{"name": strings.Repeat("n", 201)}), map[string]string{"name": "The name is too long: at most 200 characters."}},
		{"long pool", with(map[string]string{"pool": strings.Repeat("p", 101)}), map[string]string{"pool": "The pool name is too long: at most 100 characters."}},
		{"ftp RTMP URL", with(map[string]string{"rtmpURL": "ftp://rtmp.example/live/key"}), map[string]string{"rtmpURL": "The address must start with rtmp:// or rtmps://."}},
		{"no RTMP URL", with(map[string]string{"rtmpURL": ""}), map[string]string{"rtmpURL": "Give the RTMP address the stream goes to, with its stream key: rtmp://… or rtmps://…."}},
		{"RTMP URL with a space", with(map[string]string{"rtmpURL": "rtmp://rtmp.example/live/a key"}), map[string]string{"rtmpURL": "Remove the spaces, quotes, backslashes and $ signs from the address."}},
		{"relative HLS URL", with(map[string]string{"hlsURL": "/hls/index.m3u8"}), map[string]string{"hlsURL": "This is not a whole address: give it with its scheme and host, such as https://host.example/…."}},
		{"http server without insecure", with(map[string]string{"server.url": "http://sip.example"}), map[string]string{"server.url": "This address is plain http: use https://, or tick “Insecure” for a test server."}},
		{"server URL with credentials", with(map[string]string{"server.url": "https://u:p@sip.example"}), map[string]string{"server.url": "Remove the user name, password, ?query or #fragment: the token has a field of its own."}},
		{"unknown protocol", with(map[string]string{"server.protocol": "v2"}), map[string]string{"server.protocol": "Choose one of the APIs listed."}},
		{"no token", with(map[string]string{"server.token": ""}), map[string]string{"server.token": "Give the SIPMediaGW token."}},
		{"weak token", with(map[string]string{"server.token": "1234"}), map[string]string{"server.token": "This token is too weak: use 8 characters or more (not the default 1234), or tick “Insecure” for a test server."}},
		{"token with a space", with(map[string]string{"server.token": "a long token"}), map[string]string{"server.token": "Remove the spaces from the token."}},
		{"order not a number", with(map[string]string{"order": "first"}), map[string]string{"order": "Give a whole number: gateways with a lower order are booked first."}},
		{"launcher without its gw_id", with(map[string]string{"server.protocol": "v1.8-launcher"}),
			map[string]string{"server.launcherID": "The v1.8-launcher API needs the gw_id created on the launcher&#39;s host, such as gw0."}},
		{"bad gw_id", with(map[string]string{"server.protocol": "v1.8-launcher", "server.launcherID": "GW 0"}),
			map[string]string{"server.launcherID": "Use at most 63 lower-case letters, digits, - and _, starting with a letter or a digit (such as gw0)."}},
		{"gw_id on a proxy", with(map[string]string{"server.launcherID": "gw0"}), map[string]string{"server.launcherID": "Leave this empty: only the v1.8-launcher API uses a gw_id."}},
		{"several", with(map[string]string{"name": "", "rtmpURL": "ftp://x.example/k", "server.url": "http://sip.example", "server.protocol": "v9"}),
			map[string]string{"name": "Give the gateway a name.", "rtmpURL": "The address must start with rtmp:// or rtmps://.",
				"server.url":      "This address is plain http: use https://, or tick “Insecure” for a test server.",
				"server.protocol": "Choose one of the APIs listed."}},
		// The form's own check (the order) and the library's, in one
		// submission: it used to take two.
		{"the order and the library's fields", with(map[string]string{"order": "first", "name": "", "server.token": "1234", "hlsURL": "cdn"}),
			map[string]string{"order": "Give a whole number: gateways with a lower order are booked first.", "name": "Give the gateway a name.",
				"server.token": "This token is too weak: use 8 characters or more (not the default 1234), or tick “Insecure” for a test server.",
				"hlsURL":       "This is not a whole address: give it with its scheme and host, such as https://host.example/…."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			grace := grace.in(t)
			res := grace.post("/admin/gateways/new", c.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("%d, want 422", res.status)
			}
			wantContains(t, c.name, res.body, "The gateway was not saved: check the fields marked below.")
			for field, msg := range c.errors {
				if field == "server.protocol" {
					wantContains(t, c.name, res.body, `<select id="server.protocol" name="server.protocol" aria-invalid="true">`,
						`<p class="field-error">`+msg+`</p>`)
					continue
				}
				wantContains(t, c.name, res.body,
					`id="`+field+`" name="`+field+`"`,
					`aria-invalid="true" aria-describedby="`+field+`-error"`,
					`<p class="field-error" id="`+field+`-error">`+msg+`</p>`)
			}
			if n := strings.Count(res.body, `aria-invalid="true"`); n != len(c.errors) {
				t.Errorf("%d fields marked invalid, want %d", n, len(c.errors))
			}
			// What was typed comes back, the secrets included: this form
			// is the answer to the submission that carried them.
			for _, field := range []string{"name", "order", "rtmpURL", "server.token", "hlsURL", "server.url"} {
				if v := strings.TrimSpace(c.form.Get(field)); v != "" {
					wantContains(t, c.name, res.body, `id="`+field+`" name="`+field+`" value="`+template.HTMLEscapeString(v)+`"`)
				}
			}
			// The library's wording stays in the log.
			wantAbsent(t, c.name, res.body, "required", "scheme must be", "insecure flag", "must be legacy", "valid UTF-8", "gateway: invalid")
		})
	}
	t.Run("nothing created", func(t *testing.T) {
		t.Parallel()
		grace := grace.in(t)
		res := grace.post("/admin/gateways/new", with(map[string]string{"name": "Ghost", "server.protocol": "v2"}))
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		for _, g := range d.gatewayList(t) {
			if g.Name == "Ghost" {
				t.Error("an invalid gateway was stored")
			}
		}
	})

	t.Run("valid", func(t *testing.T) {
		t.Parallel()
		grace := grace.in(t)
		f := validGateway("Site B", "https://sip-b.example")
		f.Set("pool", "site-b")
		f.Set("order", "3")
		res := grace.post("/admin/gateways/new", f)
		if res.status != http.StatusSeeOther || res.location != "/admin/gateways?done=gateway" {
			t.Fatalf("create: %d %q\n%s", res.status, res.location, pageError(res.body))
		}
		g := d.gatewayNamed(t, "Site B")
		if g.Pool != "site-b" || g.Order != 3 || g.RTMPURL.Reveal() != "rtmps://rtmp.example/live/stream-key-site-b" ||
			g.HLSURL != "https://cdn.example/site-b/index.m3u8" || g.Server.URL != "https://sip-b.example" ||
			g.Server.Token.Reveal() != "a-long-token-of-site-b" || g.Server.Protocol != sipmediagw.V18 ||
			g.Server.Insecure || !g.Enabled {
			t.Errorf("stored %+v", g)
		}
		list := grace.get(res.location)
		wantContains(t, "list", list.body, "Gateway saved.", ">Site B</a>", "site-b", "<code>https://sip-b.example</code>")
		wantAbsent(t, "list", list.body, "a-long-token-of-site-b", "stream-key-site-b")

		// The same server twice is refused.
		res = grace.post("/admin/gateways/new", validGateway("Site B again", "https://SIP-B.example/"))
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("duplicate server: %d", res.status)
		}
		wantContains(t, "duplicate", res.body, "The gateway was not saved: check the fields marked below.",
			`aria-invalid="true" aria-describedby="server.url-error"`,
			`<p class="field-error" id="server.url-error">Another gateway already uses this SIPMediaGW server (and gw_id): each server streams one webinar at a time.</p>`,
			`value="rtmps://rtmp.example/live/stream-key-site-b-again"`, `value="a-long-token-of-site-b-again"`)
		wantAbsent(t, "duplicate", res.body, "already used by another gateway", "stream-key-site-b\"", "a-long-token-of-site-b\"")
	})

	t.Run("disabled", func(t *testing.T) {
		t.Parallel()
		grace := grace.in(t)
		f := validGateway("Spare", "https://spare.example")
		f.Del("enabled")
		if res := grace.post("/admin/gateways/new", f); res.status != http.StatusSeeOther {
			t.Fatalf("create: %d\n%s", res.status, pageError(res.body))
		}
		if g := d.gatewayNamed(t, "Spare"); g.Enabled {
			t.Error("created enabled")
		}
	})
}

func TestEditGatewayKeepsSecrets(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	grace := d.signedIn(t, "grace")
	g := d.gatewayNamed(t, "Fake gateway 1")
	rtmp, token := g.RTMPURL.Reveal(), g.Server.Token.Reveal()
	if rtmp == "" || token == "" {
		t.Fatalf("the fake gateway has no secrets: %q %q", rtmp, token)
	}
	path := "/admin/gateways/" + strconv.FormatInt(g.ID, 10)
	secrets := []string{rtmp, token, "demo-1"}

	res := grace.get(path)
	if res.status != http.StatusOK {
		t.Fatalf("edit page: %d", res.status)
	}
	wantContains(t, "edit page", res.body, `action="`+path+`"`, `value="Fake gateway 1"`, `value="`+g.HLSURL+`"`,
		`value="`+g.Server.URL+`"`, `<option value="legacy" selected>legacy</option>`,
		`id="server.insecure" name="server.insecure" type="checkbox" checked`,
		`id="rtmpURL" name="rtmpURL" value="" placeholder="leave empty to keep the stored one"`,
		`id="server.token" name="server.token" value="" placeholder="leave empty to keep the stored one"`)
	wantAbsent(t, "edit page", res.body, secrets...)

	// Saved with the secrets left empty: they stay.
	f := editForm(g)
	f.Set("name", "Fake gateway 1")
	f.Set("order", "7")
	res = grace.post(path, f)
	if res.status != http.StatusSeeOther || res.location != "/admin/gateways?done=gateway" {
		t.Fatalf("save: %d %q\n%s", res.status, res.location, pageError(res.body))
	}
	after, err := d.app.gateways.Gateway(context.Background(), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.RTMPURL.Reveal() != rtmp || after.Server.Token.Reveal() != token {
		t.Errorf("secrets changed: %q %q", after.RTMPURL.Reveal(), after.Server.Token.Reveal())
	}
	if after.Order != 7 {
		t.Errorf("order %d", after.Order)
	}

	// A refused edit shows no secret either, and changes nothing.
	bad := editForm(after)
	bad.Set("hlsURL", "not a url")
	res = grace.post(path, bad)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad edit: %d", res.status)
	}
	wantContains(t, "bad edit", res.body, `id="hlsURL" name="hlsURL" value="not a url" aria-invalid="true"`)
	wantAbsent(t, "bad edit", res.body, secrets...)
	if again, _ := d.app.gateways.Gateway(context.Background(), g.ID); again.HLSURL != g.HLSURL {
		t.Errorf("HLS URL changed to %q", again.HLSURL)
	}

	// A refused edit with a new token typed shows that token again in its
	// answer, so that it need not be typed twice, but never the stored
	// secrets; the token is not stored, nor shown by the next visit.
	bad.Set("server.token", "typed-token-abc-123")
	res = grace.post(path, bad)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad edit with a token: %d", res.status)
	}
	wantContains(t, "bad edit with a token", res.body, `id="server.token" name="server.token" value="typed-token-abc-123"`,
		`id="rtmpURL" name="rtmpURL" value="" placeholder="leave empty to keep the stored one"`)
	wantAbsent(t, "bad edit with a token", res.body, secrets...)
	if again, _ := d.app.gateways.Gateway(context.Background(), g.ID); again.Server.Token.Reveal() != token {
		t.Error("a refused edit changed the token")
	}
	wantAbsent(t, "edit page after a refused edit", grace.get(path).body, "typed-token-abc-123")

	// New secrets replace the old ones, and are not shown either.
	f = editForm(after)
	f.Set("rtmpURL", "rtmp://127.0.0.1/live/new-key-xyz")
	f.Set("server.token", "new-token-xyz-123")
	if res := grace.post(path, f); res.status != http.StatusSeeOther {
		t.Fatalf("new secrets: %d\n%s", res.status, pageError(res.body))
	}
	after, _ = d.app.gateways.Gateway(context.Background(), g.ID)
	if after.RTMPURL.Reveal() != "rtmp://127.0.0.1/live/new-key-xyz" || after.Server.Token.Reveal() != "new-token-xyz-123" {
		t.Errorf("secrets not replaced: %q %q", after.RTMPURL.Reveal(), after.Server.Token.Reveal())
	}
	wantAbsent(t, "edit page after new secrets", grace.get(path).body, "new-key-xyz", "new-token-xyz-123")
}

func TestDisableGateway(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	grace := d.signedIn(t, "grace")
	ada := d.signedIn(t, "ada")
	g2 := d.gatewayNamed(t, "Fake gateway 2")

	f := editForm(g2)
	f.Del("enabled")
	res := grace.post("/admin/gateways/"+strconv.FormatInt(g2.ID, 10), f)
	if res.status != http.StatusSeeOther {
		t.Fatalf("disable: %d\n%s", res.status, pageError(res.body))
	}
	if g := d.gatewayNamed(t, "Fake gateway 2"); g.Enabled {
		t.Fatal("still enabled")
	}
	list := grace.get("/admin/gateways").body
	wantContains(t, "gateways page", list, `<span class="badge over">disabled</span>`)
	if strings.Count(list, `<span class="badge ok">enabled</span>`) != 1 {
		t.Error("want one enabled gateway listed")
	}

	start := slotStart(time.Now().Add(time.Hour))
	id := d.createWebinar(t, ada, webinarValues("Only one", start, 60, true, true))
	if d.webinar(t, id).GatewayID != d.gatewayNamed(t, "Fake gateway 1").ID {
		t.Error("not booked on the enabled gateway")
	}
	res = ada.post("/webinars/new", webinarValues("One too many", start, 60, true, true))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("second webinar: %d, want 422", res.status)
	}
	wantContains(t, "second webinar", res.body, "all 1 gateways of the pool are booked")

	// Both disabled: the pool has none.
	g1 := d.gatewayNamed(t, "Fake gateway 1")
	f = editForm(g1)
	f.Del("enabled")
	if res := grace.post("/admin/gateways/"+strconv.FormatInt(g1.ID, 10), f); res.status != http.StatusSeeOther {
		t.Fatalf("disable 1: %d", res.status)
	}
	res = ada.post("/webinars/new", webinarValues("None", start.Add(24*time.Hour), 60, true, true))
	wantContains(t, "no gateway", res.body, "No gateway is enabled in this pool")
	// The booking made before stays.
	if d.webinar(t, id).GatewayID != g1.ID {
		t.Error("existing booking moved")
	}
}

func TestCapacityPage(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	grace := d.signedIn(t, "grace")
	ada := d.signedIn(t, "ada")
	today := time.Now().UTC().Format("2006-01-02")

	res := grace.get("/admin/capacity")
	if res.status != http.StatusOK {
		t.Fatalf("capacity: %d", res.status)
	}
	if strings.Contains(res.body, "<caption>Free gateways on "+today+"</caption>") {
		wantContains(t, "capacity today", res.body, "<td>00:00</td><td>24:00</td>", "<td>2 of 2</td>", `aria-label="100% free"`)
		if n := strings.Count(res.body, "<tr>\n"); n > 2 {
			t.Logf("%d rows", n)
		}
	} else {
		t.Logf("the day changed during the test")
	}
	wantContains(t, "capacity", res.body, `<option value="" selected>default</option>`)

	// A booked slot on a fixed day.
	day := time.Date(2033, 6, 7, 0, 0, 0, 0, time.UTC)
	d.createWebinar(t, ada, webinarValues("Booked", day.Add(10*time.Hour), 60, true, true))
	res = grace.get("/admin/capacity?day=2033-06-07")
	wantContains(t, "booked day", res.body, "<caption>Free gateways on 2033-06-07</caption>",
		"<td>00:00</td><td>10:00</td>\n    <td>2 of 2</td>",
		"<td>10:00</td><td>11:00</td>\n    <td>1 of 2</td>",
		"<td>11:00</td><td>24:00</td>\n    <td>2 of 2</td>",
		`aria-label="50% free"`,
		`href="/admin/capacity?day=2033-06-06&amp;pool="`, `href="/admin/capacity?day=2033-06-08&amp;pool="`)
	if n := strings.Count(res.body, " of 2</td>"); n != 3 {
		t.Errorf("%d rows, want 3", n)
	}
	// The day before is free all day.
	wantContains(t, "day before", grace.get("/admin/capacity?day=2033-06-06").body, "<td>00:00</td><td>24:00</td>\n    <td>2 of 2</td>")

	// Garbage falls back to today.
	for _, q := range []string{"garbage", "2033-13-01", "", "07/06/2033"} {
		res := grace.get("/admin/capacity?day=" + url.QueryEscape(q))
		if res.status != http.StatusOK {
			t.Errorf("day %q: %d", q, res.status)
		}
		if !strings.Contains(res.body, "<caption>Free gateways on "+today+"</caption>") &&
			!strings.Contains(res.body, "<caption>Free gateways on "+time.Now().UTC().Format("2006-01-02")+"</caption>") {
			t.Errorf("day %q: not today", q)
		}
	}

	// Pools: the default one, and those of the gateways.
	f := validGateway("Site B", "https://sip-b.example")
	f.Set("pool", "site-b")
	if res := grace.post("/admin/gateways/new", f); res.status != http.StatusSeeOther {
		t.Fatalf("gateway: %d\n%s", res.status, pageError(res.body))
	}
	res = grace.get("/admin/capacity?day=2033-06-07&pool=site-b")
	wantContains(t, "site-b", res.body, `<option value="">default</option>`, `<option value="site-b" selected>site-b</option>`,
		"<td>00:00</td><td>24:00</td>\n    <td>1 of 1</td>", `href="/admin/capacity?day=2033-06-08&amp;pool=site-b"`)
	// A pool with no gateway: 0 of 0.
	res = grace.get("/admin/capacity?day=2033-06-07&pool=nowhere")
	wantContains(t, "empty pool", res.body, "<td>0 of 0</td>", `aria-label="0% free"`)
}
