package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bbbcast/bbbcast/webinar"
)

// The browser test drives Debian's Chromium, headless, through the tour
// of the README: a presenter creates and starts a webinar, a student
// watches the stream (hls.js playing the fake gateway's test pattern) and
// chats, the presenter reads the chat in the (fake) meeting and ends the
// webinar, and an administrator looks at the gateways. It takes the
// screenshots of docs/tour.
//
// Environment:
//   - BBBCAST_CHROMIUM: the browser to run (default: chromium on $PATH).
//   - BBBCAST_REQUIRE_BROWSER=1: fail, rather than skip, when the browser
//     or hls.js (npm ci --prefix examples/demo) is missing; run even with
//     -short. CI sets it.
//   - BBBCAST_UPDATE_TOUR=1: also write the tour's screenshots into
//     docs/tour/. Every screenshot goes to the test's artifact directory,
//     kept with go test -artifacts -outputdir=DIR.
const (
	envChromium       = "BBBCAST_CHROMIUM"
	envRequireBrowser = "BBBCAST_REQUIRE_BROWSER"
	envUpdateTour     = "BBBCAST_UPDATE_TOUR"

	hlsJSFile = "node_modules/hls.js/dist/hls.min.js"
	tourDir   = "../../docs/tour"

	viewportWidth, viewportHeight = 1280, 900

	browserTestTimeout = 90 * time.Second // the whole scenario
	stepTimeout        = 15 * time.Second // one click, one navigation
	pollInterval       = 100 * time.Millisecond
)

// browserUnavailable skips the test, or fails it where the browser test
// is required.
func browserUnavailable(t *testing.T, why string) {
	t.Helper()
	if os.Getenv(envRequireBrowser) == "1" {
		t.Fatalf("%s; %s=1 requires the browser test", why, envRequireBrowser)
	}
	t.Skip(why)
}

// hostilePage serves, on another port of loopback, a page that posts to
// the demo as whoever visits it: forms into frames, and a fetch with the
// visitor's cookies. Its title becomes "done" once all were answered.
func hostilePage(t *testing.T, demo, id string) string {
	t.Helper()
	page := `<!doctype html><title>loading</title>
<iframe name="a"></iframe><iframe name="b"></iframe>
<form id="library" method="post" target="a" action="` + demo + `/webinar/webinars/` + id + `/end"></form>
<form id="demo" method="post" target="b" action="` + demo + `/webinars/` + id + `/do/end"></form>
<script>
let left = 3;
const one = () => { if (--left === 0) document.title = "done"; };
for (const f of document.querySelectorAll("iframe")) f.addEventListener("load", one, {once: true});
document.getElementById("library").submit();
document.getElementById("demo").submit();
fetch("` + demo + `/webinar/webinars/` + id + `/stop-live", {method: "POST", mode: "no-cors", credentials: "include"}).finally(one);
</script>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, page)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// chromiumPath finds the browser: $BBBCAST_CHROMIUM, else chromium on the
// path.
func chromiumPath() (string, error) {
	if p := os.Getenv(envChromium); p != "" {
		return exec.LookPath(p)
	}
	var err error
	for _, name := range []string{"chromium", "chromium-browser"} {
		var p string
		if p, err = exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", err
}

func TestBrowserTour(t *testing.T) {
	if testing.Short() && os.Getenv(envRequireBrowser) != "1" {
		t.Skip("browser test skipped in -short mode")
	}
	chromium, err := chromiumPath()
	if err != nil {
		browserUnavailable(t, fmt.Sprintf("Chromium not found (%v): apt-get install chromium, or set %s", err, envChromium))
	}
	if _, err := os.Stat(hlsJSFile); err != nil {
		browserUnavailable(t, fmt.Sprintf("hls.js is not installed (%v): run npm ci --prefix examples/demo", err))
	}
	began := time.Now()

	d := startDemo(t, func(o *options) { o.FakeStartDelay = 1500 * time.Millisecond })

	ctx, cancel := context.WithTimeout(t.Context(), browserTestTimeout)
	t.Cleanup(cancel)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.WindowSize(viewportWidth, viewportHeight),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)

	shots := newShooter(t)
	// Three people, three cookie jars: Ada's tab is the browser's first;
	// Sam and Grace each get a browser context of their own.
	ada := newTab(t, allocCtx, "Ada", d.URL)
	sam := newTab(t, ada.ctx, "Sam", d.URL, chromedp.WithNewBrowserContext())
	grace := newTab(t, ada.ctx, "Grace", d.URL, chromedp.WithNewBrowserContext())

	// 1. Ada signs in through the sign-in page, on her way to the form.
	ada.navigate("/signin?next=" + url.QueryEscape("/webinars/new"))
	ada.clickCSS("Ada's radio button", "#user-ada")
	shots.take(ada, "01-signin", false)
	ada.clickButton("Sign in")
	ada.waitFor("the new-webinar form", `location.pathname === "/webinars/new" && document.getElementById("title")`, stepTimeout)

	// 2. She creates a webinar starting now (the demo runs in UTC), with
	// the chat open and shown in the stream.
	const title = "Gravitational waves, live from the lab"
	start := time.Now().UTC()
	ada.do("filling the form",
		chromedp.SendKeys(chromedp.CSS("#title"), title),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
			document.getElementById("date").value = %q;
			document.getElementById("time").value = %q;
			document.getElementById("minutes").value = "60";
			document.getElementById("chat").checked = true;
			document.getElementById("chat_shown").checked = true;
		})()`, start.Format("2006-01-02"), start.Format("15:04"))),
	)
	shots.take(ada, "02-new-webinar", true)
	ada.clickButton("Create and book a gateway")
	ada.waitFor("the webinar's page after creating it",
		`/^\/webinars\/[^/]+$/.test(location.pathname) && location.search === "?done=created" && `+stateIs("scheduled"), stepTimeout)
	id := strings.TrimPrefix(ada.eval(`location.pathname`), "/webinars/")
	wb, err := d.app.svc.Get(ctx, id)
	if err != nil {
		t.Fatalf("the webinar %q the form created: %v", id, err)
	}
	if wb.Title != title || !wb.ChatEnabled || !wb.ChatShown || wb.Owner != "ada" {
		t.Fatalf("the form created %+v; want %q owned by ada with the chat open and shown", wb, title)
	}
	shots.take(ada, "03-scheduled", false)

	// 3. Start: the page shows the start in progress, reloading itself,
	// then the webinar live with the streaming bot in the meeting.
	ada.clickButton("Start the webinar")
	ada.waitFor("the answer to the start", `location.search === "?done=start"`, stepTimeout)
	ada.waitFor(`the state "starting…"`, stateIs("starting…"), stepTimeout, reloadOften)
	shots.take(ada, "04-starting", false)
	ada.waitFor(`the state "live" with the streaming bot in the meeting`,
		stateIs("live")+` && [...document.querySelectorAll("section[aria-labelledby=in-meeting] li")].some(li => li.textContent.trim().startsWith(`+jsString(webinar.BotName)+`))`,
		20*time.Second, reloadWhenIdle)
	shots.take(ada, "05-live", true)

	// 4. Sam signs in from the home page, finds the event on air and
	// watches it: hls.js attached, the video playing.
	sam.navigate("/")
	sam.clickCSS("Sign in (top right)", `header .who a[href^="/signin"]`)
	sam.waitFor("the sign-in page", `location.pathname === "/signin" && document.getElementById("user-sam")`, stepTimeout)
	sam.clickCSS("Sam's radio button", "#user-sam")
	sam.clickButton("Sign in")
	liveLink := fmt.Sprintf(`section[aria-labelledby=now] a[href="/live/%s"]`, id)
	sam.waitFor("the event on air on the home page", `location.pathname === "/" && document.querySelector(`+jsString(liveLink)+`)`, stepTimeout)
	shots.take(sam, "06-home-live", true)
	sam.clickCSS("the live event", liveLink)
	sam.waitFor("hls.js attached to the video", `location.pathname === "/live/`+id+`" && document.getElementById("video")?.dataset.attached === "hls.js"`, stepTimeout)
	sam.waitFor("the video playing (readyState >= 2, currentTime > 0.5 s)",
		`(v => v.readyState >= 2 && v.currentTime > 0.5 && !v.paused)(document.getElementById("video"))`, 20*time.Second)
	if shown, _ := sam.check(`getComputedStyle(document.getElementById("offair")).display !== "none"`); shown {
		t.Errorf("the live page shows the off-air notice while the stream plays\n%s", sam.diagnose())
	}
	shots.take(sam, "07-watching", false)

	// 5. Sam chats; the message lands in the meeting's public chat.
	const message = "Is the detector's raw data public?"
	sam.do("typing a message", chromedp.SendKeys(chromedp.CSS("#message"), message))
	sam.clickCSS("Send", `#chat-form button[type=submit]`)
	sam.waitFor("the chat status to confirm the message",
		`document.getElementById("chat-status")?.textContent === "Sent to the meeting's public chat." || new URLSearchParams(location.search).has("done")`, stepTimeout)
	if sam.eval(`location.search`) != "" {
		t.Fatalf("live.js did not send the message: the browser posted the chat form itself and reloaded the page (the no-script fallback)\n%s", sam.diagnose())
	}
	shots.take(sam, "08-chat-sent", true)
	wb, err = d.app.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	chat := d.app.fakes.bbb.Chat(wb.MeetingID)
	found := false
	for _, m := range chat {
		found = found || m.Message == message && m.UserName == "Sam Student"
	}
	if !found {
		t.Fatalf("the meeting's public chat is %+v; want %q from Sam Student", chat, message)
	}

	// A page on another port of the same host (same-site: Ada's SameSite=Lax
	// cookie goes with its requests) tries to end the webinar as Ada, by
	// the library's route and the demo's, with forms and a fetch. The
	// webinar stays live.
	hostile := hostilePage(t, d.URL, id)
	before, err := d.app.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	ada.do("opening a page of another origin", chromedp.Navigate(hostile))
	ada.waitFor("the forged requests answered", `document.title === "done"`, stepTimeout)
	after, err := d.app.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if after.State != webinar.Live || after.Version != before.Version {
		t.Fatalf("a page of another origin changed the webinar: %s, version %d then %d", after.State, before.Version, after.Version)
	}

	// 6. Ada joins the meeting as presenter and reads Sam's message in
	// the (fake) BigBlueButton client.
	ada.navigate("/webinars/" + id)
	join := ada.eval(`document.querySelector("a.button[href$='/join']")?.href ?? ""`)
	if want := d.URL + "/webinar/webinars/" + id + "/join"; join != want {
		t.Fatalf("the Join as presenter link is %q; want %q", join, want)
	}
	ada.do("opening the join link", chromedp.Navigate(join))
	ada.waitFor("Sam's message in the meeting's public chat",
		`location.origin !== `+jsString(d.URL)+` && document.body.innerText.includes(`+jsString(message)+`) && document.body.innerText.includes("Sam Student")`, stepTimeout)
	shots.take(ada, "09-meeting-chat", true)

	// An administrator's view meanwhile: the gateways and their bookings.
	grace.navigate("/signin?next=" + url.QueryEscape("/admin/gateways"))
	grace.clickCSS("Grace's radio button", "#user-grace")
	grace.clickButton("Sign in")
	grace.waitFor("the gateways page", `location.pathname === "/admin/gateways" && document.body.innerText.includes("Fake gateway 1")`, stepTimeout)
	shots.take(grace, "10-admin-gateways", true)
	grace.clickCSS("Capacity per day", `a.button[href="/admin/capacity"]`)
	grace.waitFor("the capacity page", `location.pathname === "/admin/capacity" && document.querySelector("table.capacity tbody tr")`, stepTimeout)
	shots.take(grace, "11-admin-capacity", true)

	// 7. Ada ends the webinar: the meeting ends, the gateway stops, and
	// Sam's page goes off air.
	ada.navigate("/webinars/" + id)
	ada.clickButton("End the webinar")
	ada.waitFor("the answer to the end", `location.search === "?done=end"`, stepTimeout)
	ada.waitFor(`the state "ended"`, stateIs("ended"), 20*time.Second, reloadWhenIdle)
	shots.take(ada, "12-ended", false)
	wb, err = d.app.svc.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := d.app.fakes.bbb.Meeting(wb.MeetingID); !ok || !m.Ended {
		t.Errorf("the fake BBB meeting %s after the end: found %v, ended %v; want ended", wb.MeetingID, ok, m.Ended)
	}
	for i, g := range d.app.fakes.gws {
		if run := g.Running(); len(run) != 0 {
			t.Errorf("fake gateway %d still runs %+v after the end", i+1, run)
		}
	}
	sam.waitFor("the off-air notice on the live page", `(o => o && !o.hidden && o.offsetParent !== null)(document.getElementById("offair")) && document.getElementById("video").hidden`, 15*time.Second)
	shots.take(sam, "13-off-air", true)

	for _, b := range []*tab{ada, sam, grace} {
		if ex := b.exceptions(); len(ex) > 0 {
			t.Errorf("%s's pages threw: %s", b.name, strings.Join(ex, "\n"))
		}
	}
	t.Logf("browser tour done in %s; screenshots in %s", time.Since(began).Round(time.Millisecond), shots.dir)
}

// stateIs is a condition on the webinar page: its state reads s.
func stateIs(s string) string {
	return `document.getElementById("webinar-state")?.textContent.trim() === ` + jsString(s)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// tab is one person's browser tab.
type tab struct {
	t    *testing.T
	name string
	base string
	ctx  context.Context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// newTab opens a tab: on a new browser when parent is the allocator's
// context, else on parent's browser.
func newTab(t *testing.T, parent context.Context, name, base string, opts ...chromedp.ContextOption) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, opts...)
	t.Cleanup(cancel)
	b := &tab{t: t, name: name, base: base, ctx: ctx}
	// The first run starts the browser, or opens the tab, for as long as
	// ctx lasts: no step timeout here.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportWidth, viewportHeight)); err != nil {
		t.Fatalf("%s's tab: starting Chromium: %v", name, err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	return b
}

// do runs the steps, failing the test after stepTimeout.
func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s, %s: %v\n%s", b.name, what, err, b.diagnose())
	}
}

func (b *tab) navigate(path string) {
	b.t.Helper()
	b.do("opening "+path, chromedp.Navigate(b.base+path))
}

// clickCSS clicks, with the mouse, the element css selects, once it is
// visible.
func (b *tab) clickCSS(what, css string) {
	b.t.Helper()
	b.do("clicking "+what, chromedp.Click(chromedp.CSS(css)))
}

// clickButton clicks the button whose text is name.
func (b *tab) clickButton(name string) {
	b.t.Helper()
	sel := chromedp.JSPath(`[...document.querySelectorAll("button")].find(b => b.textContent.trim() === ` + jsString(name) + `)`)
	b.do(fmt.Sprintf("clicking the button %q", name), chromedp.Click(sel))
}

// eval evaluates a JavaScript expression giving a string.
func (b *tab) eval(expr string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("%s, evaluating %s: %v\n%s", b.name, expr, err, b.diagnose())
	}
	return s
}

// check evaluates a condition; an error (the page is between two
// documents, say) counts as false.
func (b *tab) check(cond string) (bool, error) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { try { return !!(`+cond+`); } catch (e) { return false; } })()`))
}

// waitOption makes waitFor reload the page between two checks.
type waitOption struct {
	every    time.Duration // at most this often
	idleOnly bool          // only a page without a refresh tag
}

var (
	// reloadWhenIdle reloads a page that does not reload itself: the
	// webinar page stops refreshing once no action runs, but what it
	// shows from BBB (the attendees) may still change.
	reloadWhenIdle = waitOption{every: time.Second, idleOnly: true}
	// reloadOften reloads the page more often than it reloads itself (2
	// s), not to miss a state that lasts a second or two.
	reloadOften = waitOption{every: 250 * time.Millisecond}
)

// waitFor polls the page until the JavaScript condition holds, for at
// most timeout, whatever the page does meanwhile (reloading, navigating).
func (b *tab) waitFor(what, cond string, timeout time.Duration, opts ...waitOption) {
	b.t.Helper()
	deadline := time.Now().Add(timeout)
	lastReload := time.Now()
	var lastErr error
	for {
		ok, err := b.check(cond)
		if ok {
			return
		}
		if err != nil {
			lastErr = err
		}
		if time.Now().After(deadline) || b.ctx.Err() != nil {
			b.t.Fatalf("%s waited %s for %s (%s), in vain; last error: %v\n%s", b.name, timeout, what, cond, lastErr, b.diagnose())
		}
		for _, o := range opts {
			if time.Since(lastReload) < o.every {
				continue
			}
			ready := `document.readyState === "complete"`
			if o.idleOnly {
				ready += ` && !document.querySelector("meta[http-equiv=refresh]")`
			}
			if ok, _ := b.check(ready); ok {
				ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
				_ = chromedp.Do(ctx, chromedp.Reload())
				cancel()
				lastReload = time.Now()
			}
		}
		select {
		case <-b.ctx.Done():
		case <-time.After(pollInterval):
		}
	}
}

// diagnose tells what the tab shows, for a failure message.
func (b *tab) diagnose() string {
	var out strings.Builder
	ctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), 5*time.Second)
	defer cancel()
	state, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify({
		url: location.href,
		webinarState: document.getElementById("webinar-state")?.textContent,
		liveState: document.getElementById("state")?.textContent,
		chatStatus: document.getElementById("chat-status")?.textContent,
		playerError: document.getElementById("player-error")?.textContent,
		video: (v => v && {attached: v.dataset.attached, hidden: v.hidden, readyState: v.readyState,
			currentTime: v.currentTime, paused: v.paused, error: v.error && v.error.message})(document.getElementById("video")),
		text: document.body ? document.body.innerText.slice(0, 1500) : "",
	}, null, 1)`))
	if err != nil {
		fmt.Fprintf(&out, "%s's page could not be read: %v\n", b.name, err)
	} else {
		fmt.Fprintf(&out, "%s's page: %s\n", b.name, state)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		fmt.Fprintf(&out, "console %s %s\n", m.URL, m)
	}
	return out.String()
}

// exceptions are the uncaught exceptions the tab's pages threw.
func (b *tab) exceptions() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.console {
		if m.IsException() {
			out = append(out, fmt.Sprintf("%s:%d: %s", m.URL, m.Line+1, m.Text))
		}
	}
	return out
}

// shooter saves the screenshots: all of them as the test's artifacts,
// and the tour's into docs/tour when BBBCAST_UPDATE_TOUR=1.
type shooter struct {
	t    *testing.T
	dir  string
	tour bool
}

func newShooter(t *testing.T) *shooter {
	s := &shooter{t: t, dir: t.ArtifactDir(), tour: os.Getenv(envUpdateTour) == "1"}
	if s.tour {
		if err := os.MkdirAll(tourDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// take captures the tab's viewport as name.png; inTour marks the
// screenshots of the README's tour.
func (s *shooter) take(b *tab, name string, inTour bool) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	// Two animation frames: what the page just changed is painted.
	var png []byte
	err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](
		`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))`, chromedp.EvalAwaitPromise))
	if err == nil {
		png, err = chromedp.Run(ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		s.t.Fatalf("%s, screenshot %s: %v\n%s", b.name, name, err, b.diagnose())
	}
	file := name + ".png"
	if err := os.WriteFile(filepath.Join(s.dir, file), png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	if inTour && s.tour {
		if err := os.WriteFile(filepath.Join(tourDir, file), png, 0o644); err != nil {
			s.t.Fatal(err)
		}
	}
}
