package botflow

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/examples/internal/browsertest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/webinar"
)

const (
	viewportWidth, viewportHeight = 1280, 900

	flowTimeout = 90 * time.Second // one release against one BBB, steps and checks
)

// botName is what every release types: the bot page's default.
const botName = webinar.BotName

// TestBotReleases runs each release's steps against the fakes, one
// browser for all, one release after another (two cores: Chromium runs
// them reliably in turn).
func TestBotReleases(t *testing.T) {
	browserCtx := startBrowser(t)
	shots := browsertest.ArtifactDir(t)

	for _, rel := range releases() {
		for _, version := range rel.BBB {
			t.Run(rel.Name+"/bbb-"+version, func(t *testing.T) {
				runFlow(t, browserCtx, shots, rel, version)
			})
		}
	}
}

// startBrowser starts headless Chromium for the test (browsertest), as
// the bot's runs: media without a prompt.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	allocCtx := browsertest.Allocator(t, t.Context(), browsertest.Chromium(t),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.WindowSize(viewportWidth, viewportHeight))
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return browserCtx
}

// portal is a webinar.Service on the fakes, its Handler served at
// PublicURL on loopback.
type portal struct {
	svc *webinar.Service
	bbb *bbbtest.Server
	url string
}

var teacher = webinar.User{ID: "ada", Name: "Ada L.", Affiliations: []string{"faculty"}}

func newPortal(t *testing.T, bbbVersion string, gw sipmediagwtest.Version) *portal {
	t.Helper()
	fakeBBB := bbbtest.NewServer(bbbtest.WithVersion(bbbVersion))
	t.Cleanup(fakeBBB.Close)
	fakeGW := sipmediagwtest.NewServer(gw)
	t.Cleanup(fakeGW.Close)

	// PublicURL must be known before the Service: the server's handler
	// is set once the Service is made.
	var handler atomic.Pointer[http.Handler]
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := handler.Load(); h != nil {
			(*h).ServeHTTP(w, r)
			return
		}
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	t.Cleanup(web.Close)

	store := memory.New()
	gateways := gateway.NewService(gateway.Config{Store: store})
	srv := gateway.Server{URL: fakeGW.URL, Token: gateway.NewSecret(fakeGW.Token), Protocol: gw.Protocol(), Insecure: true}
	if gw.IsLauncher() {
		srv.LauncherID = "1"
	}
	_, err := gateways.CreateGateway(t.Context(), gateway.Gateway{
		Name: "Amphi A", RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/KEY"),
		HLSURL: "https://live.example.org/hls/a.m3u8", Server: srv, Enabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := bbb.NewCallbackSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := webinar.NewService(webinar.Config{
		Store: store, Gateways: gateways, BBB: fakeBBB.Client(),
		// http on loopback: the bot is this test's Chromium.
		PublicURL: web.URL + "/webinar", Callbacks: signer, ChatRelay: webinar.RelaySIPMediaGW,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	svc.Mount(mux, func(*http.Request) (webinar.User, bool) { return teacher, true })
	var h http.Handler = mux
	handler.Store(&h)
	return &portal{svc: svc, bbb: fakeBBB, url: web.URL + "/webinar"}
}

// startWebinar creates a webinar starting in a few minutes and starts it.
func (p *portal) startWebinar(t *testing.T) webinar.Webinar {
	t.Helper()
	ctx := t.Context()
	start := time.Now().Add(5 * time.Minute).Truncate(time.Minute)
	w, err := p.svc.Create(ctx, teacher, webinar.Draft{
		Title: "Bot flow", ChatEnabled: true,
		Slot: gateway.Slot{Start: start, End: start.Add(time.Hour)},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := p.svc.Start(ctx, teacher, w.ID); err != nil {
		t.Fatalf("start: %v", err)
	}
	w, err = p.svc.Wait(ctx, w.ID)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	if w.State != webinar.Live {
		t.Fatalf("the webinar is %v, not live", w.State)
	}
	return w
}

func runFlow(t *testing.T, browserCtx context.Context, shots string, rel release, bbbVersion string) {
	began := time.Now()
	portal := newPortal(t, bbbVersion, rel.Gateway)
	w := portal.startWebinar(t)
	botPage := portal.url + webinar.BotPagePath(&w)

	// A tab of its own, in a browser context of its own (no shared
	// cookies or storage between releases).
	tabCtx, cancelTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	defer cancelTab()
	ctx, cancel := context.WithTimeout(tabCtx, flowTimeout)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(viewportWidth, viewportHeight),
		chromedp.Navigate(botPage),
	); err != nil {
		t.Fatalf("opening the bot page: %v", err)
	}
	p := &page{ctx: ctx, name: botName, message: "Hello from the " + rel.Name + " bot"}
	defer shoot(t, tabCtx, filepath.Join(shots, rel.Name+"-bbb"+bbbVersion+".png"))

	for i, s := range rel.Steps {
		stepBegan := time.Now()
		if err := s.Do(p); err != nil {
			t.Fatalf("%s against BBB %s, step %d (%s, from %s): %v", rel.Name, bbbVersion, i+1, s.Name, rel.Source, err)
		}
		t.Logf("step %2d %-6s %s", i+1, time.Since(stepBegan).Round(time.Millisecond), s.Name)
	}

	// The bot is in the meeting, a viewer named as it typed, and its
	// message in the public chat.
	var m bbbtest.Meeting
	var found, chatted bool
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		var ok bool
		m, ok = portal.bbb.Meeting(w.MeetingID)
		if !ok {
			t.Fatalf("meeting %s not found on the fake BBB", w.MeetingID)
		}
		found, chatted = false, false
		for _, a := range m.Attendees {
			found = found || (a.FullName == botName && a.Role == "VIEWER")
		}
		for _, c := range portal.bbb.Chat(w.MeetingID) {
			chatted = chatted || (c.UserName == botName && c.Message == p.message)
		}
		if found && chatted {
			break
		}
		select {
		case <-time.After(pollInterval):
		case <-t.Context().Done():
			t.Fatal(t.Context().Err())
		}
	}
	if !found {
		t.Errorf("no VIEWER %q among the attendees: %+v", botName, m.Attendees)
	}
	if !chatted {
		t.Errorf("%q from %q not in the public chat: %+v", p.message, botName, portal.bbb.Chat(w.MeetingID))
	}
	t.Logf("%s against BBB %s: %d steps in %v", rel.Name, bbbVersion, len(rel.Steps), time.Since(began).Round(time.Millisecond))
}

// shoot saves the tab's viewport as a PNG.
func shoot(t *testing.T, tabCtx context.Context, file string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tabCtx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", file)
}

// The steps name the release's file; every release has some.
func TestReleasesHaveSteps(t *testing.T) {
	for _, r := range releases() {
		if len(r.Steps) == 0 || !strings.HasPrefix(r.Source, r.Name+":") || len(r.BBB) == 0 {
			t.Errorf("%s: %d steps, source %q, BBB %v", r.Name, len(r.Steps), r.Source, r.BBB)
		}
	}
}

// TestSeleniumClickIntercepted checks the harness itself: in a 3.0 room
// with BBB's defaults (the audio modal on its options over the
// session-details modal, both over the page), a Selenium click on the
// action bar's "Join audio" is refused as chromedriver refuses it, one
// on the audio modal's own buttons goes through; once in the audio, the
// session details still refuse a Selenium click on the camera, not one
// dispatched by script (v1.8.4).
func TestSeleniumClickIntercepted(t *testing.T) {
	browserCtx := startBrowser(t)
	srv := bbbtest.NewServer(bbbtest.WithVersion("3.0.0"))
	t.Cleanup(srv.Close)
	c := srv.Client()
	if _, err := c.Create(t.Context(), &bbb.CreateParams{Name: "Overlay", MeetingID: "overlay"}); err != nil {
		t.Fatal(err)
	}
	join, err := c.JoinURL(&bbb.JoinParams{FullName: botName, MeetingID: "overlay", Role: bbb.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	tabCtx, cancelTab := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	defer cancelTab()
	ctx, cancel := context.WithTimeout(tabCtx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportWidth, viewportHeight), chromedp.Navigate(join)); err != nil {
		t.Fatal(err)
	}
	p := &page{ctx: ctx}
	if err := p.clickable(`[data-test="joinAudio"]`, time.Second); err != nil {
		t.Fatalf("Selenium's clickable ignores overlays: %v", err)
	}
	err = p.seleniumClick(`[data-test="joinAudio"]`)
	if err == nil || !strings.Contains(err.Error(), errIntercepted) {
		t.Fatalf("Selenium click under the modals: %v, want %q", err, errIntercepted)
	}
	if err := p.tryClick("[aria-label=Microphone]", 1, time.Second, false); err != nil {
		t.Fatalf("Selenium click on the modal's Microphone: %v", err)
	}
	if err := p.waitJS("the audio settings", `!!document.querySelector("#inputDeviceSelect")`, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := p.tryClick("[data-test=joinEchoTestButton]", 1, time.Second, false); err != nil {
		t.Fatalf("Selenium click on the echo test's Join audio: %v", err)
	}
	if err := inAudio(p); err != nil {
		t.Fatal(err)
	}
	// The audio modal closed; the session details are still over the
	// page.
	err = p.seleniumClick(`.icon-bbb-video_off`)
	if err == nil || !strings.Contains(err.Error(), errIntercepted) {
		t.Fatalf("Selenium click under the session details: %v, want %q", err, errIntercepted)
	}
	if err := p.dispatchClick(`[data-test="joinVideo"]`); err != nil {
		t.Fatal(err)
	}
	if err := p.waitForElement("#setQuality", false, true, time.Second); err != nil {
		t.Fatalf("a dispatched click under the session details: %v", err)
	}
}
