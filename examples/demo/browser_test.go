package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bbbcast/bbbcast/examples/internal/browsertest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// The browser test drives Debian's Chromium, headless, through the tour
// of the README: a presenter creates and starts a webinar, a student
// watches the stream (hls.js playing the fake gateway's test pattern) and
// chats, the presenter reads the chat in the (fake) meeting and ends the
// webinar, and an administrator looks at the gateways. It takes the
// screenshots of docs/tour.
//
// It also uses the demo as people do: a 500-character chat message, a
// title as long as titles go, a long gateway name and URL, forms with
// several mistakes. Every page is checked at 1280 px and at a phone's
// 375 px (mobile emulation): no horizontal overflow, and the video keeps
// its size. The 375-px pages are saved, full length, as NAME-375.png.
//
// Environment (read by examples/internal/browsertest, but for the tour):
//   - BBBCAST_CHROMIUM: the browser to run (default: chromium on $PATH).
//   - BBBCAST_REQUIRE_BROWSER=1: fail, rather than skip, when the browser
//     or hls.js (npm ci --prefix examples/demo) is missing; run even with
//     -short. CI sets it.
//   - BBBCAST_UPDATE_TOUR=1: also write the tour's screenshots into
//     docs/tour/.
//   - BBBCAST_ARTIFACTS=DIR: save every screenshot in DIR (make test sets
//     it), where a run the test cache serves leaves the last ones; without
//     it they go to the test's artifact directory, kept with go test
//     -artifacts -outputdir=DIR.
const (
	envUpdateTour = "BBBCAST_UPDATE_TOUR"

	hlsJSFile = "node_modules/hls.js/dist/hls.min.js"
	tourDir   = "../../docs/tour"

	viewportWidth, viewportHeight = 1280, 900
	phoneWidth, phoneHeight       = 375, 812 // an iPhone's viewport, portrait

	browserTestTimeout = 150 * time.Second // the whole scenario, at both widths
	stepTimeout        = 15 * time.Second  // one click, one navigation
	pollInterval       = 100 * time.Millisecond
)

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

func TestBrowserTour(t *testing.T) {
	chromium := browsertest.Chromium(t)
	if _, err := os.Stat(hlsJSFile); err != nil {
		browsertest.Unavailable(t, fmt.Sprintf("hls.js is not installed (%v): run npm ci --prefix examples/demo", err))
	}
	began := time.Now()

	d := startDemo(t, func(o *options) { o.FakeStartDelay = 1500 * time.Millisecond })

	ctx, cancel := context.WithTimeout(t.Context(), browserTestTimeout)
	t.Cleanup(cancel)
	allocCtx := browsertest.Allocator(t, ctx, chromium,
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.WindowSize(viewportWidth, viewportHeight))

	shots := newShooter(t)
	// Three people, three cookie jars: Ada's tab is the browser's first;
	// Sam and Grace each get a browser context of their own.
	ada := newTab(t, allocCtx, "Ada", d.URL)
	sam := newTab(t, ada.ctx, "Sam", d.URL, chromedp.WithNewBrowserContext())
	grace := newTab(t, ada.ctx, "Grace", d.URL, chromedp.WithNewBrowserContext())

	// 1. Ada signs in through the sign-in page, on her way to the form.
	ada.navigate("/signin?next=" + url.QueryEscape("/webinars/new"))
	shots.phone(ada, "m01-signin")
	ada.clickCSS("Ada's radio button", "#user-ada")
	shots.take(ada, "01-signin", false)
	ada.clickButton("Sign in")
	ada.waitFor("the new-webinar form", `location.pathname === "/webinars/new" && document.getElementById("title")`, stepTimeout)
	shots.phone(ada, "m02-new-webinar")

	// A first try with a title too long and a duration too short: one
	// submission shows both problems, in words, next to their fields.
	ada.do("filling the form wrong", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		document.getElementById("title").value = %q;
		document.getElementById("minutes").value = "3";
	})()`, strings.Repeat("Interferometry", 20))))
	ada.clickButton("Create and book a gateway")
	ada.waitFor("both problems of the form", `document.getElementById("title-error")?.textContent.includes("The title is too long: 280 characters, at most 250.") && document.getElementById("minutes-error")`, stepTimeout)
	shots.phone(ada, "m02-new-webinar-errors")

	// 2. She creates a webinar starting now (the demo runs in UTC), with
	// the chat open and shown in the stream.
	const title = "Gravitational waves, live from the lab"
	start := time.Now().UTC()
	ada.do("filling the form",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("title").value = ""`),
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
	shots.phone(ada, "m03-webinar-scheduled")

	// Another webinar, tomorrow, with a title as long as titles go and a
	// word longer than a phone is wide: it shows on every list.
	ada0, _ := findUser("ada")
	long, err := d.app.svc.Create(ctx, ada0.User, webinar.Draft{Title: longTitle, ChatEnabled: true,
		Slot: gateway.Slot{Start: slotStart(time.Now().Add(24 * time.Hour)), End: slotStart(time.Now().Add(25 * time.Hour))}})
	if err != nil {
		t.Fatalf("creating the webinar with a long title: %v", err)
	}

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
	shots.phone(ada, "m05-webinar-live")

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
	shots.phone(sam, "m06-home")
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
	if want := d.URL + "/webinars/" + id + "/join"; join != want {
		t.Fatalf("the Join as presenter link is %q; want %q", join, want)
	}
	ada.do("opening the join link", chromedp.Navigate(join))
	ada.waitFor("Sam's message in the meeting's public chat",
		`location.origin !== `+jsString(d.URL)+` && document.body.innerText.includes(`+jsString(message)+`) && document.body.innerText.includes("Sam Student")`, stepTimeout)
	// BBB 3.0 asks how to join the audio and shows the session's
	// details, as the real client does: Ada closes both.
	ada.clickCSS("the audio modal's close button", `[data-test='audioModal'] [data-test='closeModal']`)
	ada.waitFor("the audio modal closed", `!document.querySelector("[data-test='audioModal']")`, stepTimeout)
	ada.clickCSS("the session details' close button", `[data-test='sessionDetailsModal'] [data-test='closeModal']`)
	ada.waitFor("the session details closed", `!document.querySelector("[data-test='sessionDetailsModal']")`, stepTimeout)
	shots.take(ada, "09-meeting-chat", true)

	// The demo under real use: a message as long as the chat takes, in one
	// word, leaves the video its size, on a computer and on a phone.
	sam.do("typing a 500-character message", chromedp.Evaluate[chromedp.Void](
		`document.getElementById("message").value = `+jsString(strings.Repeat("W", webinar.MaxChatLen))))
	sam.clickCSS("Send", `#chat-form button[type=submit]`)
	sam.waitFor("the long message in the list of messages sent", `document.querySelectorAll("#sent li").length === 2`, stepTimeout)
	sam.wantVideoSize("with a 500-character message sent")
	shots.take(sam, "07-long-message", false)
	shots.phone(sam, "m07-live-long-message", func() { sam.wantVideoSize("at 375 px with a 500-character message sent") })

	// Ada's other pages, with the long title.
	ada.navigate("/webinars")
	shots.phone(ada, "m04-webinars")
	ada.navigate("/webinars/" + long.ID)
	shots.phone(ada, "m04-webinar-long-title")
	ada.navigate("/webinars/" + long.ID + "/edit")
	shots.phone(ada, "m04-edit-webinar")
	ada.navigate("/webinars/" + long.ID + "/join")
	ada.waitFor("the offer to start the webinar and join", `[...document.querySelectorAll("button")].some(b => b.textContent.trim() === "Start the webinar and join")`, stepTimeout)
	shots.phone(ada, "m09-join-not-started")
	sam.navigate("/live/" + long.ID)
	sam.waitFor("the live page saying the webinar has not started", `document.getElementById("offair")?.textContent.startsWith("The webinar has not started yet.")`, stepTimeout)
	shots.phone(sam, "m06-live-long-title")
	sam.navigate("/nope")
	shots.phone(sam, "m14-not-found")
	sam.navigate("/admin/gateways")
	shots.phone(sam, "m14-forbidden")

	// An administrator's view meanwhile: the gateways and their bookings.
	grace.navigate("/signin?next=" + url.QueryEscape("/admin/gateways"))
	grace.clickCSS("Grace's radio button", "#user-grace")
	grace.clickButton("Sign in")
	grace.waitFor("the gateways page", `location.pathname === "/admin/gateways" && document.body.innerText.includes("Fake gateway 1")`, stepTimeout)
	shots.take(grace, "10-admin-gateways", true)
	shots.phone(grace, "m10-admin-gateways")
	grace.clickCSS("Capacity per day", `a.button[href="/admin/capacity"]`)
	grace.waitFor("the capacity page", `location.pathname === "/admin/capacity" && document.querySelector("table.capacity tbody tr")`, stepTimeout)
	shots.take(grace, "11-admin-capacity", true)
	shots.phone(grace, "m11-admin-capacity")

	// The health check, then one fake broken: the report says it in words.
	grace.navigate("/admin/gateways")
	grace.clickCSS("Health check", `a.button[href="/admin/health"]`)
	grace.waitFor("the health page", `location.pathname === "/admin/health" && document.querySelectorAll("table.health tbody tr").length === 8`, stepTimeout)
	if n := grace.eval(`String(document.querySelectorAll("table.health .badge.failed, table.health .badge.busy").length)`); n != "0" {
		t.Errorf("the fakes' health check shows %s errors or warnings\n%s", n, grace.diagnose())
	}
	shots.take(grace, "11-admin-health", true)
	grace.clickCSS("Break the BBB secret", `form[action="/admin/health/faults/bbb-secret"] button`)
	grace.waitFor("the broken secret said", `document.querySelector('form[action="/admin/health/faults/bbb-secret"] button.danger') && [...document.querySelectorAll("table.health tbody tr")].some(r => r.querySelector(".badge.failed") && r.innerText.includes("the shared secret is wrong"))`, stepTimeout)
	shots.phone(grace, "m11-admin-health-broken")
	grace.clickCSS("Repair the BBB secret", `form[action="/admin/health/faults/bbb-secret"] button`)
	grace.waitFor("the secret repaired", `document.querySelector('form[action="/admin/health/faults/bbb-secret"] button:not(.danger)') && !document.querySelector("table.health .badge.failed")`, stepTimeout)

	// A new gateway with five mistakes: one save shows them all, each
	// next to its field, and keeps what was typed, secrets included.
	grace.navigate("/admin/gateways/new")
	shots.phone(grace, "m10-new-gateway")
	const typedKey, typedToken = "rtmp.example/live/key-typed-by-grace", "1234"
	grace.do("filling the gateway form wrong", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const set = (id, v) => document.getElementById(id).value = v;
		set("name", %q); set("order", "first"); set("rtmpURL", %q); set("server.token", %q);
		set("hlsURL", %q); set("server.url", "http://sip.example");
		document.getElementById("enabled").checked = false;
	})()`, strings.Repeat("Gateway", 30), "ftp://"+typedKey, typedToken, longURL)))
	grace.clickButton("Save")
	grace.waitFor("the five problems of the gateway", `document.querySelectorAll("p.field-error").length === 5`, stepTimeout)
	for _, f := range []string{"name", "order", "rtmpURL", "server.url", "server.token"} {
		if ok, _ := grace.check(`document.getElementById(` + jsString(f+"-error") + `) && document.getElementById(` + jsString(f) + `).getAttribute("aria-invalid") === "true"`); !ok {
			t.Errorf("the gateway form shows no problem next to %s\n%s", f, grace.diagnose())
		}
	}
	if got := grace.eval(`document.getElementById("rtmpURL").value + " " + document.getElementById("server.token").value`); got != "ftp://"+typedKey+" "+typedToken {
		t.Errorf("the refused gateway form shows the secrets %q; want what was typed", got)
	}
	shots.phone(grace, "m10-new-gateway-errors")
	grace.do("correcting the gateway form", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => {
		const set = (id, v) => document.getElementById(id).value = v;
		set("name", %q); set("order", "9"); set("rtmpURL", "rtmps://"+%q); set("server.token", "a-strong-token");
		set("server.url", "https://sip.example");
	})()`, longGatewayName, typedKey)))
	grace.clickButton("Save")
	grace.waitFor("the gateway saved", `location.search === "?done=gateway" && document.body.innerText.includes(`+jsString(longGatewayName)+`)`, stepTimeout)
	shots.phone(grace, "m10-admin-gateways-long-name")
	grace.navigate(grace.eval(`[...document.querySelectorAll("td a")].find(a => a.textContent === ` + jsString(longGatewayName) + `).getAttribute("href")`))
	grace.waitFor("the gateway's edit page", `document.getElementById("name")?.value === `+jsString(longGatewayName), stepTimeout)
	if got := grace.eval(`document.getElementById("rtmpURL").value + document.getElementById("server.token").value`); got != "" {
		t.Errorf("the edit page shows the stored secrets %q", got)
	}
	shots.phone(grace, "m10-edit-gateway")

	// 7. Ada ends the webinar: the meeting ends, the gateway stops, and
	// Sam's page goes off air.
	sam.navigate("/live/" + id)
	sam.waitFor("the live page playing again", `document.getElementById("video")?.dataset.attached === "hls.js"`, stepTimeout)
	ada.navigate("/webinars/" + id)
	ada.clickButton("End the webinar")
	ada.waitFor("the answer to the end", `location.search === "?done=end"`, stepTimeout)
	ada.waitFor(`the state "ended"`, stateIs("ended"), 20*time.Second, reloadWhenIdle)
	if text := ada.eval(`document.getElementById("ended")?.textContent ?? ""`); !strings.Contains(text, "This webinar ended on") || !strings.Contains(text, "there is no replay") {
		t.Errorf("the ended webinar's page says %q; want when it ended, and that there is no replay", text)
	}
	shots.take(ada, "12-ended", false)
	shots.phone(ada, "m12-webinar-ended")
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
	sam.waitFor("the live page saying the webinar ended", `(o => o && !o.hidden && o.offsetParent !== null && o.textContent.startsWith("This webinar has ended."))(document.getElementById("offair")) && document.getElementById("video").hidden`, 15*time.Second)
	shots.take(sam, "13-off-air", true)
	shots.phone(sam, "m13-live-ended")

	// Joining the ended webinar: a page that says why, in words.
	ada.navigate("/webinars/" + id + "/join")
	ada.waitFor("the refused join", `document.querySelector("p.error")?.textContent.startsWith("This webinar has ended")`, stepTimeout)
	shots.phone(ada, "m13-join-ended")

	for _, b := range []*tab{ada, sam, grace} {
		if ex := b.exceptions(); len(ex) > 0 {
			t.Errorf("%s's pages threw: %s", b.name, strings.Join(ex, "\n"))
		}
	}
	t.Logf("browser tour done in %s; screenshots in %s", time.Since(began).Round(time.Millisecond), shots.dir)
}

// The long texts of the tour: a title, a gateway name and a URL, each
// with a word wider than a phone.
var (
	longTitle       = "Gravitational waves: " + strings.Repeat("Laserinterferometer", 11) + " Q&A"
	longGatewayName = strings.Repeat("Gateway", 27)
	longURL         = "https://cdn.example/" + strings.Repeat("segment", 30) + "/index.m3u8"
)

// phone checks the page b shows at the width of a phone, 375 px, with
// mobile emulation: no horizontal overflow, then checks (the video's
// size, say). It saves a full-page screenshot, name-375.png, then puts
// the desktop viewport back, where it checks the page fits as well.
func (s *shooter) phone(b *tab, name string, checks ...func()) {
	s.t.Helper()
	b.wantFits(name, viewportWidth)
	b.do("emulating a phone", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch))
	defer b.do("back to the desktop viewport", chromedp.EmulateViewport(viewportWidth, viewportHeight))
	b.wantFits(name, phoneWidth)
	for _, c := range checks {
		c()
	}
	s.save(b, name+"-"+strconv.Itoa(phoneWidth), chromedp.FullScreenshot(100), false)
}

// layout is what wantFits measures of a page.
type layout struct {
	ScrollWidth, InnerWidth, ClientWidth int
	Wide                                 []string // elements reaching past the viewport's right edge
}

// wantFits fails the test when the page is wider than the viewport,
// width px: it scrolls sideways, or an element reaches past its right
// edge. A phone zooms out a page wider than itself, making innerWidth
// larger than the viewport: innerWidth must stay width.
func (b *tab) wantFits(what string, width int) {
	b.t.Helper()
	b.do("waiting for the layout", chromedp.Evaluate[chromedp.Void](
		`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))`, chromedp.EvalAwaitPromise))
	l := evalAs[layout](b, `(() => {
		const vw = document.documentElement.clientWidth;
		const wide = [...document.body.querySelectorAll("*")]
			.filter(e => e.getClientRects().length && e.getBoundingClientRect().right > vw + 0.5 && !e.closest("pre"))
			.slice(0, 8)
			.map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (e.className ? "." + String(e.className).replace(/ /g, ".") : "") +
				" (" + Math.round(e.getBoundingClientRect().right) + " px)");
		return {scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth, clientWidth: vw, wide};
	})()`)
	if l.ScrollWidth > l.InnerWidth || l.InnerWidth != width || len(l.Wide) > 0 {
		b.t.Errorf("%s, %s at %d px: the page is %d px wide, innerWidth %d px, layout viewport %d px; too wide: %s",
			b.name, what, width, l.ScrollWidth, l.InnerWidth, l.ClientWidth, strings.Join(l.Wide, ", "))
	}
}

// videoBox is what wantVideoSize measures of the live page.
type videoBox struct {
	Width, Height, Layout float64
}

// wantVideoSize fails the test unless the live page's video keeps its
// size: at least 60% of the page's live area and 300 px wide, 16:9.
func (b *tab) wantVideoSize(what string) {
	b.t.Helper()
	v := evalAs[videoBox](b, `(() => {
		const r = document.getElementById("video").getBoundingClientRect();
		return {width: r.width, height: r.height, layout: document.querySelector(".live-layout").getBoundingClientRect().width};
	})()`)
	if v.Width < 0.6*v.Layout || v.Width < 300 || math.Abs(v.Height-v.Width*9/16) > 2 {
		b.t.Errorf("%s, %s: the video is %.0f×%.0f px in a live area %.0f px wide; want 60%% of it at least, 300 px, 16:9\n%s",
			b.name, what, v.Width, v.Height, v.Layout, b.diagnose())
	}
}

// evalAs evaluates a JavaScript expression into a T.
func evalAs[T any](b *tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("%s, evaluating %s: %v\n%s", b.name, expr, err, b.diagnose())
	}
	return v
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
	s := &shooter{t: t, dir: browsertest.ArtifactDir(t), tour: os.Getenv(envUpdateTour) == "1"}
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
	s.save(b, name, chromedp.CaptureScreenshot(), inTour)
}

// save captures the tab with capture as name.png.
func (s *shooter) save(b *tab, name string, capture chromedp.Action[[]byte], inTour bool) {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	// Two animation frames: what the page just changed is painted.
	var png []byte
	err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](
		`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r())))`, chromedp.EvalAwaitPromise))
	if err == nil {
		png, err = chromedp.Run(ctx, capture)
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
