package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/webinar"
)

// The tests of this file pin what the demo does under real use (issue
// 16, section 5): library errors and stored reasons said in words, the
// details in the log; a join that fails is a page; ended webinars say so.
// The layout (long texts, phones) is the browser test's.

// libraryWording is text of the library's errors, written for developers,
// that no page may show.
var libraryWording = []string{"valid UTF-8", "control characters", "gateway: ", "webinar: ", "invalid slot",
	"must lie between", "it ends in the past", "insecure flag", "scheme must be", "sqlite"}

func TestExplain(t *testing.T) {
	t.Parallel()
	slotErr := gateway.Slot{Start: time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2300, 1, 1, 1, 0, 0, 0, time.UTC)}.Validate(0)
	if slotErr == nil {
		t.Fatal("a slot in 2300 is valid")
	}
	cases := []struct {
		name  string
		err   error
		want  string
		known bool
	}{
		{"long title", &webinar.InputError{Field: "title", Reason: "at most 250 characters of valid UTF-8"}, titleRule, true},
		{"long message", fmt.Errorf("posting: %w", &webinar.InputError{Field: "message", Reason: "at most 500 characters with the author's name"}),
			"Your message could not be sent: write at most 500 characters, your name included.", true},
		{"slot in the past", &webinar.InputError{Field: "slot", Reason: "it ends in the past"}, "This time slot is over: choose one that ends in the future.", true},
		{"another field", &webinar.InputError{Field: "coOwners", Reason: "no control characters"}, "Something in the form was refused: check it and try again.", true},
		{"slot out of range", slotErr, slotSentence, true},
		{"state", &webinar.StateError{From: webinar.LiveStopped, To: webinar.StoppingLive}, "Not possible while the webinar is live stopped (the meeting goes on).", true},
		{"gateway fields", &gateway.ValidationError{Fields: map[string]string{"name": "required"}}, "The gateway was not saved: check the fields marked below.", true},
		{"duplicate server", fmt.Errorf("store: %w", gateway.ErrDuplicateServer), duplicateServer, true},
		{"no such gateway", gateway.ErrNotFound, "There is no such gateway.", true},
		{"empty pool", &gateway.NoGatewayFreeError{Pool: "site-b"}, "No gateway is enabled in this pool: an administrator adds them under Admin → Gateways.", true},
		{"timeout", fmt.Errorf("GET https://bbb.example/api/create?checksum=abc: %w", context.DeadlineExceeded),
			"BigBlueButton or the gateway took too long to answer. Try again in a moment.", true},
		{"chat closed", webinar.ErrChatClosed, "The chat is closed.", true},
		{"forbidden", webinar.ErrForbidden, "You may not do that with this webinar.", true},
		{"busy", webinar.ErrBusy, "The webinar is busy with another action: try again in a moment.", true},
		{"the store", errors.New("sqlite: database is locked"), serverTrouble, false},
		{"bbb", errors.New("bbb: HTTP 500 Internal Server Error"), serverTrouble, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, known := explain(c.err)
			if got != c.want || known != c.known {
				t.Errorf("explain(%v) = %q, %v; want %q, %v", c.err, got, known, c.want, c.known)
			}
			wantAbsent(t, "sentence", got, libraryWording...)
		})
	}
}

func TestTitleProblem(t *testing.T) {
	t.Parallel()
	cases := []struct{ title, want string }{
		{"Analytical engines", ""},
		{strings.Repeat("é", webinar.MaxTitleLen), ""},
		{"Ok", ""},
		{"", "Give the webinar a title."},
		{"   ", "Give the webinar a title."},
		{"x", "The title is too short: at least 2 characters."},
		{" x ", "The title is too short: at least 2 characters."},
		{strings.Repeat("é", webinar.MaxTitleLen+1), "The title is too long: 251 characters, at most 250."},
		{"Engines\nand mills", "Keep the title on one line, without tabs."},
		{"Engines\tand mills", "Keep the title on one line, without tabs."},
		{"Engines \xff", "The title has characters that cannot be read: type it again."},
	}
	for _, c := range cases {
		if got := titleProblem(c.title); got != c.want {
			t.Errorf("titleProblem(%.20q) = %q, want %q", c.title, got, c.want)
		}
	}
}

func TestChatProblem(t *testing.T) {
	t.Parallel()
	tooLong := &webinar.InputError{Field: "message", Reason: "at most 500 characters"}
	cases := []struct {
		name, text string
		err        error
		want       string
	}{
		{"empty", "", &webinar.InputError{Field: "message", Reason: "empty or not valid UTF-8"}, "Write a message before sending it."},
		{"blank", " \n ", &webinar.InputError{Field: "message", Reason: "empty or not valid UTF-8"}, "Write a message before sending it."},
		{"too long", strings.Repeat("a", 600), tooLong, "Your message is too long: 600 characters, at most 500."},
		{"too long with the name", strings.Repeat("a", 495), &webinar.InputError{Field: "message", Reason: "at most 500 characters with the author's name"},
			"Your message could not be sent: write at most 500 characters, your name included."},
		{"closed", "hello", webinar.ErrChatClosed, "The chat is closed."},
		{"the server", "hello", errors.New("bbb: sendChatMessage: HTTP 502"), serverTrouble},
	}
	for _, c := range cases {
		if got := chatProblem(c.text, c.err); got != c.want {
			t.Errorf("%s: chatProblem = %q, want %q", c.name, got, c.want)
		}
	}
}

// TestGatewaySentencesCoverTheLibrary makes gateways with every problem
// the library finds, and checks each has a sentence of its own: a new
// wording in the library fails here, so that its sentence gets written.
func TestGatewaySentencesCoverTheLibrary(t *testing.T) {
	t.Parallel()
	valid := func() gateway.Gateway {
		return gateway.Gateway{Name: "G", RTMPURL: gateway.NewSecret("rtmp://r.example/live/key"), HLSURL: "https://cdn.example/i.m3u8",
			Server: gateway.Server{URL: "https://sip.example", Token: gateway.NewSecret("a-long-token"), Protocol: sipmediagw.V18}}
	}
	changes := []func(g *gateway.Gateway){
		func(g *gateway.Gateway) { g.Name = "" },
		func(g *gateway.Gateway) { g.Name = strings.Repeat("n", gateway.MaxNameLen+1) },
		func(g *gateway.Gateway) { g.Pool = strings.Repeat("p", gateway.MaxPoolLen+1) },
		func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("") },
		func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("rtmp://r.example/a key") },
		func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("/live/key") },
		func(g *gateway.Gateway) { g.RTMPURL = gateway.NewSecret("https://r.example/live/key") },
		func(g *gateway.Gateway) { g.HLSURL = "rtmp://cdn.example/i.m3u8" },
		func(g *gateway.Gateway) { g.Server.URL = "http://sip.example" },
		func(g *gateway.Gateway) { g.Server.URL = "ftp://sip.example" },
		func(g *gateway.Gateway) { g.Server.URL = "ftp://sip.example"; g.Server.Insecure = true },
		func(g *gateway.Gateway) { g.Server.URL = "https://sip.example/?a=b" },
		func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("") },
		func(g *gateway.Gateway) {
			g.Server.Token = gateway.NewSecret(strings.Repeat("t", gateway.MaxTokenLen+1))
		},
		func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("a long token") },
		func(g *gateway.Gateway) { g.Server.Token = gateway.NewSecret("1234") },
		func(g *gateway.Gateway) { g.Server.Protocol = sipmediagw.V18Launcher + 1 },
		func(g *gateway.Gateway) { g.Server.Protocol = sipmediagw.V18Launcher },
		func(g *gateway.Gateway) { g.Server.Protocol = sipmediagw.V18Launcher; g.Server.LauncherID = "GW 0" },
		func(g *gateway.Gateway) { g.Server.LauncherID = "gw0" },
	}
	for i, change := range changes {
		g := valid()
		change(&g)
		var ve *gateway.ValidationError
		if err := g.Validate(); !errors.As(err, &ve) {
			t.Errorf("change %d: Validate() = %v, want a *gateway.ValidationError", i, err)
			continue
		}
		for field, problem := range ve.Fields {
			_, own := gatewayProblems[field+"\x00"+problem]
			_, url := urlProblems[problem]
			if !own && !url && problem != "required" {
				t.Errorf("change %d: %s: %q has no sentence of its own (the field's rule stands in)", i, field, problem)
			}
			got := gatewayFieldSentence(field, problem)
			if got == problem || got == "Check this field." {
				t.Errorf("change %d: %s: %q said %q", i, field, problem, got)
			}
			wantAbsent(t, field, got, libraryWording...)
		}
	}
	// A wording the demo does not know yet: the field's rule.
	if got := gatewayFieldSentence("hlsURL", "a wording of tomorrow"); got != gatewayRules["hlsURL"] {
		t.Errorf("an unknown problem of hlsURL: %q", got)
	}
}

func TestReasonInWords(t *testing.T) {
	t.Parallel()
	cases := []struct{ stored, want string }{
		{"BBB create: bbb: HTTP 500 Internal Server Error", "BigBlueButton did not create the meeting."},
		{"BBB end: bbb: HTTP 502", "BigBlueButton did not end the meeting."},
		{"SIPMediaGW start: sipmediagw: 503", "The gateway did not start the stream."},
		{"SIPMediaGW stop: sipmediagw: timeout", "The gateway did not confirm that the stream stopped."},
		{"stopping the previous stream: x", "The stream the gateway still carried could not be stopped."},
		{"stopping the stream of an interrupted start: x", "The portal stopped during a start, and the stream of that start could not be stopped."},
		{"interrupted while starting", "The portal stopped while the webinar was starting."},
		{"booking a gateway: gateway: no gateway free", "No gateway could be booked for the webinar's slot."},
		{"gateway: no gateway booked", "The webinar's gateway could not be used."},
		{"chat toggle: sipmediagw: 500", "The chat could not be shown or hidden in the stream."},
		{"restart: sipmediagw: 500", "The live could not be restarted."},
		{"live stopped: the slot ended and its gateway is booked next", "The live was stopped: its slot ended, and its gateway is booked for the next webinar."},
		{"live stopped: the gateway is booked by the next webinar", "The live was stopped: its slot ended, and its gateway is booked for the next webinar."},
		{"live stopped: the live outlasted its slot by the longest overrun (1h0m0s)", "The live was stopped: it ran past the end of its slot for longer than the portal allows."},
		{"live stopped: a reason of tomorrow", "The live was stopped by the portal."},
		{"a step of tomorrow: x", "An error was reported."},
	}
	for _, c := range cases {
		if got := reasonInWords(c.stored); got != c.want {
			t.Errorf("reasonInWords(%q) = %q, want %q", c.stored, got, c.want)
		}
	}
}

func TestOffAirText(t *testing.T) {
	t.Parallel()
	for _, s := range webinar.States {
		got := offAirText(s)
		switch s {
		case webinar.Ended, webinar.Ending:
			if got != "This webinar has ended. It was not recorded, so there is no replay." {
				t.Errorf("%s: %q", s, got)
			}
		default:
			if !strings.HasSuffix(got, " This page starts the player when it is on air.") || strings.Contains(got, "ended") {
				t.Errorf("%s: %q", s, got)
			}
		}
	}
}

// TestJoin follows the demo's "Join as presenter" link through what can
// go wrong: every refusal is a page in words, never JSON.
func TestJoin(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada, sam, grace, anon := d.signedIn(t, "ada"), d.signedIn(t, "sam"), d.signedIn(t, "grace"), d.visitor(t)
	id := d.newWebinar(t, ada, "Join me")
	over := d.newWebinar(t, ada, "Over")
	d.act(t, ada, over, "start")
	d.endWebinar(t, ada, over)
	join, overJoin := "/webinars/"+id+"/join", "/webinars/"+over+"/join"
	toBBB := d.app.fakes.bbb.URL + "/api/join?"

	steps := []struct {
		name     string
		v        *visitor
		method   string
		path     string
		status   int
		location string   // prefix of the redirect
		want     []string // in the page
		state    webinar.State
	}{
		{"signed out", anon, http.MethodGet, join, http.StatusSeeOther, "/signin?next=" + url.QueryEscape(join), nil, webinar.Scheduled},
		{"signed out, start", anon, http.MethodPost, join, http.StatusSeeOther, "/signin?next=", nil, webinar.Scheduled},
		{"not an owner", sam, http.MethodGet, join, http.StatusForbidden, "", []string{"Only the webinar&#39;s owners and administrators manage it."}, webinar.Scheduled},
		{"not an owner, start", sam, http.MethodPost, join, http.StatusForbidden, "", []string{"Only the webinar&#39;s owners and administrators manage it."}, webinar.Scheduled},
		{"no such webinar", ada, http.MethodGet, "/webinars/nope/join", http.StatusNotFound, "", []string{"There is no such webinar."}, webinar.Scheduled},
		{"not started", ada, http.MethodGet, join, http.StatusOK, "",
			[]string{"<h1>Join Join me</h1>", "The webinar&#39;s meeting is not running yet.", `<form method="post" action="` + join + `">`,
				"Start the webinar and join", `href="/webinars/` + id + `">Back to the webinar's page</a>`}, webinar.Scheduled},
		{"start and join", ada, http.MethodPost, join, http.StatusSeeOther, toBBB, nil, webinar.Live},
		{"running", ada, http.MethodGet, join, http.StatusSeeOther, toBBB, nil, webinar.Live},
		{"running, an administrator", grace, http.MethodGet, join, http.StatusSeeOther, toBBB, nil, webinar.Live},
		{"ended", ada, http.MethodGet, overJoin, http.StatusConflict, "",
			[]string{`<p class="error" role="alert">This webinar has ended: there is no meeting to join. It was not recorded, so there is no replay.</p>`}, webinar.Live},
		{"ended, start", ada, http.MethodPost, overJoin, http.StatusConflict, "", []string{"This webinar has ended: there is no meeting to join."}, webinar.Live},
	}
	for _, s := range steps {
		var res response
		if s.method == http.MethodPost {
			res = s.v.in(t).post(s.path, nil)
		} else {
			res = s.v.in(t).get(s.path)
		}
		if res.status != s.status || !strings.HasPrefix(res.location, s.location) {
			t.Errorf("%s: %s %s: %d %q, want %d %q…\n%s", s.name, s.method, s.path, res.status, res.location, s.status, s.location, pageError(res.body))
		}
		if res.location == "" {
			if ct := res.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: Content-Type %q, want a page", s.name, ct)
			}
		}
		if strings.HasPrefix(res.location, toBBB) && res.header.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: the join link may leak as a referrer: %q", s.name, res.header.Get("Referrer-Policy"))
		}
		wantContains(t, s.name, res.body, s.want...)
		d.settle()
		if w := d.webinar(t, id); w.State != s.state {
			t.Errorf("after %s: the webinar is %s, want %s", s.name, w.State, s.state)
		}
	}
	wantContains(t, "webinar page", ada.get("/webinars/"+id).body, `<a class="button primary" href="`+join+`" target="_blank" rel="noopener">Join as presenter</a>`)
	d.endWebinar(t, ada, id)
}

// TestJoinFailedStart: a start that fails on the way to the meeting says
// why in words; the details go to the log.
func TestJoinFailedStart(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	id := d.newWebinar(t, ada, "Doomed")
	d.app.fakes.bbb.Fail("create", bbbtest.Fault{Status: http.StatusInternalServerError})
	res := ada.post("/webinars/"+id+"/join", nil)
	if res.status != http.StatusBadGateway {
		t.Fatalf("join: %d %q, want 502", res.status, res.location)
	}
	wantContains(t, "failed join", res.body,
		`<p class="error" role="alert">The webinar could not start: BigBlueButton did not create the meeting.</p>`,
		`href="/webinars/`+id+`">Back to the webinar's page</a>`)
	wantAbsent(t, "failed join", res.body, "BBB create", "bbb:", `{"error"`)
	wantContains(t, "log", d.logs.String(), "BBB create")
}

// TestLibraryWordingStaysInTheLog: where the library's text used to reach
// pages, the pages say it in words and the log keeps the details.
func TestLibraryWordingStaysInTheLog(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada, grace := d.signedIn(t, "ada"), d.signedIn(t, "grace")
	start := slotStart(time.Now().Add(time.Hour))

	pages := []struct {
		name   string
		res    func() response
		status int
		want   string
	}{
		{"a title on two lines", func() response {
			return ada.post("/webinars/new", webinarValues("Two\nlines", start, 60, true, true))
		}, http.StatusUnprocessableEntity, "Keep the title on one line, without tabs."},
		{"a slot in 2300", func() response {
			return ada.post("/webinars/new", webinarValues("Far away", time.Date(2300, 1, 1, 9, 0, 0, 0, time.UTC), 60, true, true))
		}, http.StatusUnprocessableEntity, slotSentence},
		{"the capacity of 2300", func() response { return grace.get("/admin/capacity?day=2300-01-01") },
			http.StatusBadRequest, "Choose a day between 1970 and 2200."},
		{"a message too long", func() response {
			id := d.newWebinar(t, ada, "Chatty")
			d.act(t, ada, id, "start")
			return ada.post("/live/"+id+"/chat", url.Values{"message": {strings.Repeat("m", 501)}})
		}, http.StatusBadRequest, "Your message is too long: 501 characters, at most 500."},
	}
	for _, p := range pages {
		res := p.res()
		if res.status != p.status {
			t.Errorf("%s: %d, want %d", p.name, res.status, p.status)
		}
		wantContains(t, p.name, res.body, p.want)
		wantAbsent(t, p.name, res.body, libraryWording...)
	}
	wantContains(t, "log", d.logs.String(), "invalid slot", "message: at most 500 characters")

	// The store gone, a page says so in words; the log says what broke.
	if err := d.app.store.Close(); err != nil {
		t.Fatal(err)
	}
	res := ada.get("/webinars")
	if res.status != http.StatusInternalServerError {
		t.Fatalf("my webinars without the store: %d", res.status)
	}
	wantContains(t, "without the store", res.body, template.HTMLEscapeString(serverTrouble))
	if strings.Count(d.logs.String(), "level=ERROR msg=\"request refused\"") == 0 {
		t.Errorf("the store's error is not in the log:\n%s", d.logs.String())
	}
}

// TestEndedWebinarPages: once a webinar has ended, its pages say so, and
// that there is no replay, rather than promise a player.
func TestEndedWebinarPages(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada, sam := d.signedIn(t, "ada"), d.signedIn(t, "sam")
	id := d.newWebinar(t, ada, "Over and out")

	res := sam.get("/live/" + id)
	wantContains(t, "scheduled live page", res.body, `<p id="offair" class="offair">The webinar has not started yet. This page starts the player when it is on air.</p>`,
		`<p id="chat-wait" class="muted">The chat opens while the webinar is live.</p>`)

	d.act(t, ada, id, "start")
	d.endWebinar(t, ada, id)
	w := d.webinar(t, id)

	res = sam.get("/live/" + id)
	wantContains(t, "ended live page", res.body,
		`<p id="offair" class="offair over">This webinar has ended. It was not recorded, so there is no replay.</p>`,
		`<p id="chat-wait" class="muted">The chat is closed: the webinar has ended.</p>`,
		`<form id="chat-form" method="post" action="/live/`+id+`/chat" hidden>`)
	wantAbsent(t, "ended live page", res.body, "starts the player")

	var st struct {
		Over     bool   `json:"over"`
		OffAir   string `json:"offAir"`
		ChatWait string `json:"chatWait"`
	}
	if err := json.Unmarshal([]byte(sam.get("/live/"+id+"/status").body), &st); err != nil {
		t.Fatal(err)
	}
	if !st.Over || st.OffAir != offAirText(webinar.Ended) || st.ChatWait != "The chat is closed: the webinar has ended." {
		t.Errorf("status of the ended webinar: %+v", st)
	}

	res = ada.get("/webinars/" + id)
	wantContains(t, "ended webinar page", res.body,
		`<div class="over-note" id="ended"><p>This webinar ended on `+w.UpdatedAt.UTC().Format("Mon 2 Jan 2006 at 15:04 MST")+`. It was not recorded, so there is no replay.</p>`,
		`<p id="ended-why">No reason was recorded: a presenter ended it, or its meeting ended in BigBlueButton.`)
	wantAbsent(t, "ended webinar page", res.body, "Join as presenter", `id="why"`)
}

// TestEndedAfterRestart: a webinar live when the demo stopped ends when
// it runs again (its simulated meeting is gone): its page says what the
// portal knows. One that had failed before it ended shows that failure.
func TestEndedAfterRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var live, failed string
	t.Run("first run", func(t *testing.T) {
		d := startDemo(t, func(o *options) { o.Data = dir })
		ada := d.signedIn(t, "ada")
		live = d.newWebinar(t, ada, "Live at the stop")
		d.act(t, ada, live, "start")

		failed = d.newWebinar(t, ada, "Failed, then ended")
		d.app.fakes.bbb.Fail("create", bbbtest.Fault{Status: http.StatusInternalServerError})
		if res := ada.post("/webinars/"+failed+"/do/start", nil); res.status != http.StatusSeeOther {
			t.Fatalf("start: %d", res.status)
		}
		d.settle()
		d.wantState(t, failed, webinar.Failed)
		d.endWebinar(t, ada, failed)
	})
	if t.Failed() {
		return
	}
	t.Run("second run", func(t *testing.T) {
		d := startDemo(t, func(o *options) { o.Data = dir })
		d.wantState(t, live, webinar.Live)
		// The watcher's ticks: the meeting missing twice ends the webinar.
		for range 2 {
			if err := d.app.svc.Tick(context.Background(), webinar.WatchOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		d.settle()
		d.wantState(t, live, webinar.Ended)
		ada := d.signedIn(t, "ada")

		res := ada.get("/webinars/" + live)
		wantContains(t, "ended after a restart", res.body, `<span id="webinar-state" class="badge over">ended</span>`,
			"This webinar ended on ", "No reason was recorded: a presenter ended it, or its meeting ended in BigBlueButton.",
			"a webinar that was live when the demo stopped ends this way when it runs again.")

		res = ada.get("/webinars/" + failed)
		wantContains(t, "failed, then ended", res.body, `<span id="webinar-state" class="badge over">ended</span>`,
			`<strong>It had failed before it ended:</strong> BigBlueButton did not create the meeting.`,
			"<summary>Details for the administrator</summary><p><code>BBB create: ")
		wantAbsent(t, "failed, then ended", res.body, `id="ended-why"`)
	})
}
