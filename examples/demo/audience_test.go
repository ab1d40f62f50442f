package main

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/webinar"
)

// liveStatusJSON is what /live/{id}/status answers.
type liveStatusJSON struct {
	State string `json:"state"`
	Label string `json:"label"`
	OnAir bool   `json:"onAir"`
	Chat  bool   `json:"chat"`
	HLS   string `json:"hls"`
	Error string `json:"error"`
}

func (v *visitor) status(t *testing.T, id string) (int, liveStatusJSON) {
	t.Helper()
	res := v.getWith("/live/"+id+"/status", map[string]string{"Accept": "application/json"})
	if ct := res.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("status Content-Type %q", ct)
	}
	var s liveStatusJSON
	if err := json.Unmarshal([]byte(res.body), &s); err != nil {
		t.Fatalf("status %q: %v", res.body, err)
	}
	return res.status, s
}

// chatJSON posts a message as the live page's script does.
func (v *visitor) chatJSON(id, msg string) response {
	v.t.Helper()
	req, err := http.NewRequest(http.MethodPost, v.base+"/live/"+id+"/chat", strings.NewReader(url.Values{"message": {msg}}.Encode()))
	if err != nil {
		v.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Origin", v.base)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return v.do(req)
}

func jsonError(t *testing.T, body string) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
		Sent  string `json:"sent"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not JSON: %q", body)
	}
	return e.Error
}

func TestHomeLists(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	anon := d.visitor(t)

	res := anon.get("/")
	wantContains(t, "empty home", res.body, "Nothing is on air right now.", `<a href="/signin?next=/webinars">Sign in as a presenter</a>`,
		"No webinar is scheduled.", `<meta http-equiv="refresh" content="15; url=/">`)

	live := d.newWebinar(t, ada, "On the air")
	later := d.createWebinar(t, ada, webinarValues("Later <i>on</i>", slotStart(time.Now().Add(48*time.Hour)), 60, true, true))
	far := d.createWebinar(t, ada, webinarValues("Next year", slotStart(time.Now().AddDate(0, 2, 0)), 60, true, true))
	if res := ada.post("/webinars/new", webinarValues("Last week", slotStart(time.Now().AddDate(0, 0, -7)), 60, true, true)); res.status != http.StatusUnprocessableEntity {
		t.Errorf("a webinar in the past: %d, want 422", res.status)
	} else {
		wantContains(t, "a webinar in the past", res.body,
			`<p class="field-error" id="date-error">This time slot is over: choose one that ends in the future.</p>`)
		wantAbsent(t, "a webinar in the past", res.body, "it ends in the past")
	}
	d.act(t, ada, live, "start")

	res = anon.get("/")
	onAir, coming, ok := strings.Cut(res.body, `<h2 id="coming">`)
	if !ok {
		t.Fatalf("no Coming up section:\n%s", res.body)
	}
	wantContains(t, "On air now", onAir, `<h2 id="now">On air now</h2>`, `<span class="badge live">live</span> <a href="/live/`+live+`">On the air</a>`)
	wantAbsent(t, "On air now", onAir, later, "Nothing is on air")
	wantContains(t, "Coming up", coming, `<a href="/live/`+later+`">Later &lt;i&gt;on&lt;/i&gt;</a>`)
	wantAbsent(t, "Coming up", coming, live, "<i>on</i>")
	wantAbsent(t, "home", res.body, far)

	// Stopped, the live is no longer on air; ended, it is gone.
	d.act(t, ada, live, "stop-live")
	onAir, coming, _ = strings.Cut(anon.get("/").body, `<h2 id="coming">`)
	wantContains(t, "after stop-live", onAir, "Nothing is on air right now.")
	wantContains(t, "after stop-live", coming, `href="/live/`+live+`"`)
	d.endWebinar(t, ada, live)
	wantAbsent(t, "after the end", anon.get("/").body, live)
}

// TestLivePage follows the audience's page through a webinar's life.
func TestLivePage(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	sam := d.signedIn(t, "sam")
	anon := d.visitor(t)
	id := d.newWebinar(t, ada, "Watch me")
	hlsURL := d.URL + "/hls/gw1/index.m3u8"

	// Scheduled: the player waits.
	res := sam.get("/live/" + id)
	if res.status != http.StatusOK {
		t.Fatalf("live page: %d", res.status)
	}
	if d.app.hlsJS != "" {
		wantContains(t, "off-air page", res.body, `data-hls="`+hlsURL+`"`, `data-status="/live/`+id+`/status"`,
			`<p id="offair" class="offair">`, `playsinline data-hls=`)
		wantContains(t, "off-air page", res.body, `/live/`+id+`/status" hidden></video>`)
	}
	wantContains(t, "off-air page", res.body, `<span id="state" class="badge ">scheduled</span>`, "<h1>Watch me</h1>")
	code, st := anon.status(t, id)
	if code != http.StatusOK || st != (liveStatusJSON{State: "scheduled", Label: "scheduled", Chat: true, HLS: hlsURL}) {
		t.Errorf("status while scheduled: %d %+v", code, st)
	}

	// Live.
	d.act(t, ada, id, "start")
	res = sam.get("/live/" + id)
	if d.app.hlsJS != "" {
		wantContains(t, "on-air page", res.body, `<video id="video" controls muted autoplay playsinline data-hls="`+hlsURL+`" data-status="/live/`+id+`/status"></video>`,
			`<p id="offair" class="offair" hidden>`, `<script src="/assets/hls.min.js"></script>`, `<script src="/static/live.js"></script>`)
	}
	wantContains(t, "on-air page", res.body, `<span id="state" class="badge live">live</span>`)
	code, st = anon.status(t, id)
	if code != http.StatusOK || st != (liveStatusJSON{State: "live", Label: "live", OnAir: true, Chat: true, HLS: hlsURL}) {
		t.Errorf("status while live: %d %+v", code, st)
	}

	// The chat closed by the presenter.
	res = ada.post("/webinars/"+id+"/edit", webinarValues("Watch me", d.webinar(t, id).Slot.Start, 60, false, false))
	if res.status != http.StatusSeeOther {
		t.Fatalf("turn the chat off: %d\n%s", res.status, pageError(res.body))
	}
	if _, st := anon.status(t, id); st.Chat || !st.OnAir {
		t.Errorf("status with the chat off: %+v", st)
	}

	// Stopped.
	d.act(t, ada, id, "stop-live")
	code, st = anon.status(t, id)
	if code != http.StatusOK || st != (liveStatusJSON{State: string(webinar.LiveStopped), Label: "live stopped (the meeting goes on)", HLS: hlsURL}) {
		t.Errorf("status after stop-live: %d %+v", code, st)
	}
	res = anon.get("/live/" + id)
	wantContains(t, "stopped page", res.body, `class="badge ">live stopped (the meeting goes on)</span>`)

	// Ended: the page stays, off air, without a gateway.
	d.endWebinar(t, ada, id)
	code, st = anon.status(t, id)
	if code != http.StatusOK || st.State != string(webinar.Ended) || st.OnAir || st.HLS != "" {
		t.Errorf("status after the end: %d %+v", code, st)
	}

	// Unknown.
	if res := anon.get("/live/nope"); res.status != http.StatusNotFound {
		t.Errorf("unknown live page: %d", res.status)
	}
	code, st = anon.status(t, "nope")
	if code != http.StatusNotFound || st.Error == "" {
		t.Errorf("unknown status: %d %+v", code, st)
	}
}

// TestLivePageChatForm: the chat section shows with the chat on, and asks
// a signed-out visitor to sign in.
func TestLivePageChatForm(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	start := slotStart(time.Now())
	on := d.createWebinar(t, ada, webinarValues("Chatty", start, 60, true, true))
	off := d.createWebinar(t, ada, webinarValues("Quiet", start, 60, false, false))

	cases := []struct {
		name      string
		who, id   string
		want, not []string
	}{
		{"signed in, chat on", "sam", on,
			[]string{`<section id="chat" class="chat" aria-labelledby="chat-title">`, `<form id="chat-form" method="post" action="/live/` + on + `/chat">`,
				`<label for="message">Message as Sam Student</label>`, `name="message" maxlength="500"`, `<p id="chat-off" class="muted" hidden>`},
			[]string{"Sign in</a> to chat"}},
		{"signed out, chat on", "", on,
			[]string{`<section id="chat" class="chat" aria-labelledby="chat-title">`, `<a href="/signin?next=%2flive%2f` + on + `">Sign in</a> to chat.`},
			[]string{`id="chat-form"`, `name="message"`}},
		{"signed in, chat off", "sam", off,
			[]string{`<section id="chat" class="chat" aria-labelledby="chat-title" hidden>`, `<p id="chat-off" class="muted">The chat is off for this webinar.</p>`},
			[]string{`<section id="chat" class="chat" aria-labelledby="chat-title">`}},
		{"signed out, chat off", "", off,
			[]string{`aria-labelledby="chat-title" hidden>`, `<p id="chat-off" class="muted">The chat is off`},
			[]string{`id="chat-form"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			v := d.visitor(t)
			if c.who != "" {
				v = d.signedIn(t, c.who)
			}
			res := v.get("/live/" + c.id)
			if res.status != http.StatusOK {
				t.Fatalf("%d", res.status)
			}
			wantContains(t, c.name, res.body, c.want...)
			wantAbsent(t, c.name, res.body, c.not...)
		})
	}
}

func TestLiveChat(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	sam := d.signedIn(t, "sam")
	anon := d.visitor(t)
	id := d.newWebinar(t, ada, "Questions welcome")
	meeting := d.webinar(t, id).MeetingID

	// Not live yet: 409.
	res := sam.chatJSON(id, "too early")
	if res.status != http.StatusConflict || jsonError(t, res.body) != "The chat is closed." {
		t.Errorf("chat before the start: %d %q", res.status, res.body)
	}
	res = sam.post("/live/"+id+"/chat", url.Values{"message": {"too early"}})
	if res.status != http.StatusConflict {
		t.Errorf("form chat before the start: %d", res.status)
	}
	wantContains(t, "refused form", res.body, "The chat is closed.", ">too early</textarea>")

	d.act(t, ada, id, "start")
	if n := len(d.app.fakes.bbb.Chat(meeting)); n != 0 {
		t.Fatalf("%d chat messages before any was sent", n)
	}

	// JSON, as the script sends it.
	res = sam.chatJSON(id, "  How fast is it?  ")
	if res.status != http.StatusOK {
		t.Fatalf("chat: %d %q", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	chat := d.app.fakes.bbb.Chat(meeting)
	if len(chat) != 1 || chat[0].UserName != "Sam Student" || chat[0].Message != "How fast is it?" || !chat[0].FromAPI {
		t.Fatalf("BBB chat %+v", chat)
	}

	// A plain form gets the page back.
	res = sam.post("/live/"+id+"/chat", url.Values{"message": {"And its memory?"}})
	if res.status != http.StatusSeeOther || res.location != "/live/"+id+"?done=sent" {
		t.Fatalf("form chat: %d %q", res.status, res.location)
	}
	wantContains(t, "after sending", sam.get(res.location).body, "Message sent to the meeting&#39;s public chat.")
	if chat := d.app.fakes.bbb.Chat(meeting); len(chat) != 2 || chat[1].Message != "And its memory?" {
		t.Errorf("BBB chat %+v", chat)
	}

	// Refusals store nothing.
	refusals := []struct {
		name   string
		v      *visitor
		msg    string
		status int
		error  string
	}{
		{"empty", sam, "", http.StatusBadRequest, "Write a message before sending it."},
		{"blank", sam, " \n\t ", http.StatusBadRequest, "Write a message before sending it."},
		{"too long", sam, strings.Repeat("a", 501), http.StatusBadRequest, "Your message is too long: 501 characters, at most 500."},
		{"signed out", anon, "hello", http.StatusForbidden, "Sign in to chat."},
	}
	for _, r := range refusals {
		t.Run(r.name, func(t *testing.T) {
			r.v = r.v.in(t)
			res := r.v.chatJSON(id, r.msg)
			if res.status != r.status || jsonError(t, res.body) != r.error {
				t.Errorf("JSON: %d %q, want %d %q", res.status, res.body, r.status, r.error)
			}
			res = r.v.post("/live/"+id+"/chat", url.Values{"message": {r.msg}})
			if res.status != r.status {
				t.Errorf("form: %d, want %d", res.status, r.status)
			}
			wantContains(t, "form refusal", res.body, `<p class="error" role="alert">`+template.HTMLEscapeString(r.error)+`</p>`)
		})
	}
	if n := len(d.app.fakes.bbb.Chat(meeting)); n != 2 {
		t.Errorf("%d messages after the refusals, want 2", n)
	}

	// Presenters chat too; Grace as well.
	if res := ada.chatJSON(id, "Fast enough."); res.status != http.StatusOK {
		t.Errorf("Ada's message: %d %q", res.status, res.body)
	}
	if chat := d.app.fakes.bbb.Chat(meeting); chat[len(chat)-1].UserName != "Ada Lovelace" {
		t.Errorf("last message %+v", chat[len(chat)-1])
	}

	// Chat turned off: 409.
	if res := ada.post("/webinars/"+id+"/edit", webinarValues("Questions welcome", d.webinar(t, id).Slot.Start, 60, false, false)); res.status != http.StatusSeeOther {
		t.Fatalf("chat off: %d", res.status)
	}
	if res := sam.chatJSON(id, "still there?"); res.status != http.StatusConflict {
		t.Errorf("chat while off: %d %q", res.status, res.body)
	}

	// Unknown webinar.
	if res := sam.chatJSON("nope", "hi"); res.status != http.StatusNotFound {
		t.Errorf("chat to an unknown webinar: %d", res.status)
	}
	if res := sam.post("/live/nope/chat", url.Values{"message": {"hi"}}); res.status != http.StatusNotFound {
		t.Errorf("form chat to an unknown webinar: %d", res.status)
	}

	// Cross-site: refused before anything.
	res = sam.postWith("/live/"+id+"/chat", url.Values{"message": {"forged"}}, map[string]string{"Sec-Fetch-Site": "cross-site", "Accept": "application/json"})
	if res.status != http.StatusForbidden {
		t.Errorf("cross-site chat: %d", res.status)
	}
	d.endWebinar(t, ada, id)
}

// TestLiveChatBotRelay: with -chat-relay bot the message goes through
// the gateway's bot, prefixed with the author.
func TestLiveChatBotRelay(t *testing.T) {
	t.Parallel()
	d := startDemo(t, func(o *options) { o.ChatRelay = "bot" })
	ada := d.signedIn(t, "ada")
	sam := d.signedIn(t, "sam")
	id := d.newWebinar(t, ada, "Relayed")
	d.act(t, ada, id, "start")
	w := d.webinar(t, id)
	if res := sam.chatJSON(id, "Hello"); res.status != http.StatusOK {
		t.Fatalf("chat: %d %q", res.status, res.body)
	}
	if got := d.app.fakes.gws[0].Chat(w.Session); len(got) != 1 || got[0] != "(Sam Student) Hello" {
		t.Errorf("gateway chat %q", got)
	}
	if n := len(d.app.fakes.bbb.Chat(w.MeetingID)); n != 0 {
		t.Errorf("%d messages through sendChatMessage", n)
	}
	d.endWebinar(t, ada, id)
}

// TestHLSPlayerAssets runs the live page with hls.js installed and
// without: the player, or the instructions to install it.
func TestHLSPlayerAssets(t *testing.T) {
	t.Parallel()

	t.Run("installed", func(t *testing.T) {
		t.Parallel()
		assets := t.TempDir()
		dist := filepath.Join(assets, "node_modules", "hls.js", "dist")
		if err := os.MkdirAll(dist, 0o755); err != nil {
			t.Fatal(err)
		}
		const js = "/* hls.js stand-in */ var Hls = {};\n"
		if err := os.WriteFile(filepath.Join(dist, "hls.min.js"), []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
		d := startDemo(t, func(o *options) { o.Assets = assets })
		if want := filepath.Join(dist, "hls.min.js"); d.app.hlsJS != want {
			t.Fatalf("hlsJS %q, want %q", d.app.hlsJS, want)
		}
		ada := d.signedIn(t, "ada")
		id := d.newWebinar(t, ada, "Player")
		d.act(t, ada, id, "start")
		res := d.visitor(t).get("/live/" + id)
		wantContains(t, "player page", res.body, `<video id="video"`, `data-hls="`+d.URL+`/hls/gw1/index.m3u8"`,
			`<script src="/assets/hls.min.js"></script>`)
		wantAbsent(t, "player page", res.body, "make demo", "The video player is missing")

		res = d.visitor(t).get("/assets/hls.min.js")
		if res.status != http.StatusOK || res.body != js {
			t.Errorf("hls.min.js: %d %q", res.status, res.body)
		}
		if ct := res.header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
			t.Errorf("hls.min.js Content-Type %q", ct)
		}
		if cc := res.header.Get("Cache-Control"); cc != "public, max-age=3600" {
			t.Errorf("hls.min.js Cache-Control %q", cc)
		}
		d.endWebinar(t, ada, id)
	})

	t.Run("missing", func(t *testing.T) {
		t.Parallel()
		d := startDemo(t, func(o *options) { o.Assets = t.TempDir() })
		// findHLSJS also looks in ".", the package directory during the
		// tests, where `npm ci` may have installed it.
		d.app.hlsJS = ""
		ada := d.signedIn(t, "ada")
		id := d.newWebinar(t, ada, "No player")
		d.act(t, ada, id, "start")
		res := d.visitor(t).get("/live/" + id)
		wantContains(t, "page without player", res.body, "The video player is missing",
			"<pre><code>make demo</code></pre>", "npm ci --prefix examples/demo", `role="alert"`)
		wantAbsent(t, "page without player", res.body, `<video`, `/assets/hls.min.js`, `/static/live.js`)

		res = d.visitor(t).get("/assets/hls.min.js")
		if res.status != http.StatusNotFound {
			t.Errorf("hls.min.js: %d, want 404", res.status)
		}
		wantContains(t, "hls.min.js answer", res.body, "hls.js is not installed", "make demo", "npm ci --prefix examples/demo")
		d.endWebinar(t, ada, id)
	})

	t.Run("as installed here", func(t *testing.T) {
		t.Parallel()
		d := startDemo(t, nil)
		res := d.visitor(t).get("/assets/hls.min.js")
		if _, err := os.Stat(filepath.Join("node_modules", "hls.js", "dist", "hls.min.js")); err != nil {
			if res.status != http.StatusNotFound || !strings.Contains(res.body, "make demo") {
				t.Errorf("hls.js not installed: %d %q", res.status, res.body)
			}
			return
		}
		if res.status != http.StatusOK || !strings.Contains(res.body, "Hls") {
			t.Errorf("installed hls.js: %d, %d bytes", res.status, len(res.body))
		}
	})
}

func TestStaticFiles(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	for _, c := range []struct{ path, ct, want string }{
		{"/static/live.js", "javascript", "dataset.hls"},
		{"/static/style.css", "text/css", "{"},
	} {
		res := d.visitor(t).get(c.path)
		if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Type"), c.ct) || !strings.Contains(res.body, c.want) {
			t.Errorf("GET %s: %d %q", c.path, res.status, res.header.Get("Content-Type"))
		}
	}
}

// The chat form is there when the chat is enabled, but it only sends
// while the webinar is live; the status the page polls says so.
func TestChatOpensWhileLive(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada, sam := d.signedIn(t, "ada"), d.signedIn(t, "sam")
	id := d.newWebinar(t, ada, "Opens when live")

	check := func(state string, open bool) {
		t.Helper()
		page := sam.get("/live/" + id).body
		disabled := strings.Contains(page, `<fieldset id="chat-fields" disabled>`)
		waiting := strings.Contains(page, `<p id="chat-wait" class="muted">`)
		if disabled == open || waiting == open {
			t.Errorf("%s: chat form disabled %v, wait note shown %v; want open %v", state, disabled, waiting, open)
		}
		var st struct {
			ChatOpen bool `json:"chatOpen"`
		}
		if err := json.Unmarshal([]byte(sam.get("/live/"+id+"/status").body), &st); err != nil {
			t.Fatal(err)
		}
		if st.ChatOpen != open {
			t.Errorf("%s: status chatOpen %v, want %v", state, st.ChatOpen, open)
		}
	}
	check("scheduled", false)
	d.act(t, ada, id, "start")
	check("live", true)
	d.act(t, ada, id, "stop-live")
	check("live stopped", false)
	d.endWebinar(t, ada, id)
	check("ended", false)
}
