package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/webinar"
)

// The tests below each pin a bug found in the demo, now fixed.

// .offair { display: grid } used to win over the hidden attribute, so the
// off-air notice showed under a playing stream.
func TestHiddenAttributeWins(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	css := d.visitor(t).get("/static/style.css").body
	if !regexp.MustCompile(`\[hidden\]\s*\{\s*display:\s*none\s*!important`).MatchString(css) {
		t.Error("the hidden attribute loses to the display rules of the page")
	}
}

// BBB's end callback, arriving while End still ran, drove the webinar at
// the same time: End then failed with "changed concurrently".
func TestEndDoesNotRaceTheCallback(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	for i := range 10 {
		id := d.newWebinar(t, ada, fmt.Sprintf("Run %d", i))
		d.act(t, ada, id, "start")
		d.act(t, ada, id, "end") // fails the test if the end failed
		d.wantState(t, id, webinar.Ended)
	}
}

// A one-character title was accepted, then BBB refused the meeting name.
func TestOneCharacterTitleRefused(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	res := d.signedIn(t, "ada").post("/webinars/new", webinarValues("X", slotStart(time.Now()), 60, true, true))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("one-character title: %d, want 422", res.status)
	}
	wantContains(t, "form", res.body, "at least 2 characters", `aria-invalid="true"`)
}

// A fake gateway disabled by a run with fewer fakes stayed disabled when
// a later run served it again.
func TestFakeGatewayEnabledAgain(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	t.Run("two", func(t *testing.T) { startDemo(t, func(o *options) { o.Data = dir }) })
	t.Run("one", func(t *testing.T) {
		d := startDemo(t, func(o *options) { o.Data = dir; o.FakeGateways = 1 })
		if d.gatewayNamed(t, "Fake gateway 2").Enabled {
			t.Error("a gateway no fake serves stays enabled")
		}
	})
	t.Run("two again", func(t *testing.T) {
		d := startDemo(t, func(o *options) { o.Data = dir })
		if !d.gatewayNamed(t, "Fake gateway 2").Enabled {
			t.Error("a gateway a fake serves again stays disabled")
		}
	})
}

// A refused edit that blanked the name titled the page "Edit ".
func TestGatewayEditHeading(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	g := d.gatewayNamed(t, "Fake gateway 1")
	f := editForm(g)
	f.Set("name", "")
	res := d.signedIn(t, "grace").post("/admin/gateways/"+strconv.FormatInt(g.ID, 10), f)
	wantContains(t, "refused edit", res.body, "<h1>Edit Fake gateway 1</h1>")
}

// Behind a reverse proxy that rewrites Host, the browser's Origin is the
// public URL's: every POST was refused.
func TestPublicOriginAccepted(t *testing.T) {
	t.Parallel()
	a, err := newApp(context.Background(), options{Data: t.TempDir(), Assets: ".", Timezone: "UTC", FakeGateways: 1},
		"https://demo.example", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(func() { srv.Close(); a.Close() })
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tc := range []struct {
		origin, site string // what the browser sends
		want         int
	}{
		{"https://demo.example", "same-origin", http.StatusSeeOther},
		{"https://demo.example", "", http.StatusSeeOther}, // an older browser: the Origin alone, trusted
		{"https://evil.example", "cross-site", http.StatusForbidden},
		{"https://evil.example", "", http.StatusForbidden},
	} {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/signin", strings.NewReader("user=ada"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", tc.origin)
		if tc.site != "" {
			req.Header.Set("Sec-Fetch-Site", tc.site)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("Origin %s, Sec-Fetch-Site %q: %s, want %d", tc.origin, tc.site, resp.Status, tc.want)
		}
	}
}

// The page drawn for a refused anonymous chat post sent "Sign in" back
// to the POST-only chat path, a 404 after signing in.
func TestSignInLinkAfterChatRefusal(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	id := d.newWebinar(t, ada, "Chat")
	d.act(t, ada, id, "start")
	res := d.visitor(t).post("/live/"+id+"/chat", url.Values{"message": {"hi"}})
	wantAbsent(t, "page", res.body, "next=%2flive%2f"+id+"%2fchat", "next=/live/"+id+"/chat")
	wantContains(t, "page", res.body, `/signin?next=%2flive%2f`+id+`"`)
	d.endWebinar(t, ada, id)
}

// One 500-character chat message shrank the live page's video to 50×28 px
// (a longer one to nothing), and a long title widened every page: the
// grid's columns grew to their longest word, which nothing broke. The
// browser test measures the pages; this checks the rules without one.
func TestLongWordsDoNotWidenThePage(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	css := d.visitor(t).get("/static/style.css").body
	for _, rule := range []string{
		`body \{[^}]*overflow-wrap: anywhere`,
		`\.live-layout \{[^}]*grid-template-columns: minmax\(0, 1fr\)`,
		`\.live-layout \{ grid-template-columns: minmax\(0, 2fr\) minmax\(0, 1fr\); \}`,
		`video \{[^}]*width: 100%;[^}]*aspect-ratio: 16 / 9`,
	} {
		if !regexp.MustCompile(rule).MatchString(css) {
			t.Errorf("style.css lacks %s", rule)
		}
	}
	// On a phone the cells of the lists stack, each labelled.
	ada := d.signedIn(t, "ada")
	d.newWebinar(t, ada, "Listed")
	for _, page := range []string{d.signedIn(t, "grace").get("/admin/gateways").body, ada.get("/webinars").body} {
		cells, labelled := strings.Count(page, "<td"), strings.Count(page, "<td data-label=")
		if !strings.Contains(page, `<table class="list stack">`) || cells == 0 || cells != labelled {
			t.Errorf("a list with %d cells, %d of them labelled:\n%s", cells, labelled, page)
		}
	}
}
