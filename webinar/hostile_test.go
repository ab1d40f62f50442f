package webinar_test

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// The handler against a hostile page: every request that changes state
// from a browser on another origin (another site, a sibling subdomain,
// another port, a sandboxed or file page) is refused and changes nothing;
// requests without a browser's headers, from the same origin or from an
// origin the host trusts, pass. No GET changes anything.
func TestHandlerRefusesOtherOrigins(t *testing.T) {
	t.Parallel()
	f := newHTTPFixtureConfig(t, sipmediagwtest.V17, func(c *webinar.Config) {
		c.TrustedOrigins = []string{"https://www.example.org"}
	})
	ctx := context.Background()
	live := startedWebinar(t, f.liveFixture)
	scheduled, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "Later", Slot: slot(3, 4), ChatEnabled: true})
	require.NoError(t, err)

	type route struct {
		name, path, body string
	}
	routes := []route{
		{"chat", "/webinars/" + live.ID + "/chat", "message=hi"},
		{"stop-live", "/webinars/" + live.ID + "/stop-live", ""},
		{"restart-live", "/webinars/" + live.ID + "/restart-live", ""},
		{"end", "/webinars/" + live.ID + "/end", ""},
		{"show-chat", "/webinars/" + live.ID + "/show-chat", ""},
		{"hide-chat", "/webinars/" + live.ID + "/hide-chat", ""},
		{"start", "/webinars/" + scheduled.ID + "/start", ""},
		{"join", "/webinars/" + scheduled.ID + "/join", ""},
		{"bot form", webinar.BotPagePath(&live), "name=streaming"},
	}
	hostile := []struct {
		name string
		hdr  map[string]string
	}{
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example.com"}},
		{"same-site sibling", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "https://blog.portal.example.org"}},
		{"same-site, no origin", map[string]string{"Sec-Fetch-Site": "same-site"}},
		{"another port", map[string]string{"Origin": "https://portal.example.org:8443"}},
		{"another scheme", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://portal.example.org"}},
		{"foreign origin", map[string]string{"Origin": "https://evil.example.com"}},
		{"null origin", map[string]string{"Origin": "null"}},
	}
	before := snapshot(t, f, live.ID, scheduled.ID)
	for _, rt := range routes {
		for _, h := range hostile {
			hdr := map[string]string{sessionHeader: teacher.ID, "Content-Type": "application/x-www-form-urlencoded"}
			maps.Copy(hdr, h.hdr)
			rec := f.do(http.MethodPost, publicURL+rt.path, strings.NewReader(rt.body), hdr)
			assert.Equal(t, http.StatusForbidden, rec.Code, "%s from %s", rt.name, h.name)
			assert.Contains(t, rec.Body.String(), "cross-site request refused", "%s from %s", rt.name, h.name)
		}
		for _, m := range []string{http.MethodGet, http.MethodHead} {
			f.do(m, publicURL+rt.path, nil, map[string]string{sessionHeader: teacher.ID})
		}
	}
	assert.Equal(t, before, snapshot(t, f, live.ID, scheduled.ID), "nothing changed")

	// The same origin, a trusted one, or no browser at all: accepted.
	for _, hdr := range []map[string]string{
		{"Sec-Fetch-Site": "same-origin", "Origin": "https://portal.example.org"},
		{"Origin": "https://www.example.org", "Sec-Fetch-Site": "same-site"},
		{},
	} {
		hdr[sessionHeader] = teacher.ID
		hdr["Content-Type"] = "application/x-www-form-urlencoded"
		rec := f.do(http.MethodPost, publicURL+"/webinars/"+live.ID+"/chat", strings.NewReader("message=hello"), hdr)
		assert.Equal(t, http.StatusNoContent, rec.Code, "%v: %s", hdr, rec.Body.String())
	}
}

// snapshot is what a refused request must not change: the webinars'
// versions and the servers' requests that change something.
func snapshot(t *testing.T, f *httpFixture, ids ...string) []any {
	t.Helper()
	var out []any
	for _, id := range ids {
		w, err := f.svc.Get(context.Background(), id)
		require.NoError(t, err)
		out = append(out, w.Version, w.State)
	}
	return append(out, f.gw.StartCount(), f.gw.StopCount(), len(f.gw.Chat("legacy:"+f.mustLive(t, ids[0]).BotRoom)),
		len(f.bbb.RequestsFor("create")), len(f.bbb.RequestsFor("end")))
}

func (f *httpFixture) mustLive(t *testing.T, id string) webinar.Webinar {
	t.Helper()
	w, err := f.svc.Get(context.Background(), id)
	require.NoError(t, err)
	return w
}

func TestNewServiceRefusesOddURLs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	for _, tc := range []struct {
		publicURL string
		trusted   []string
		ok        bool
	}{
		{"https://portal.example.org/webinar", nil, true},
		{"https://portal.example.org/webinar", []string{"https://www.example.org"}, true},
		{"https://portal.example.org/webinar?x=1", nil, false},
		{"https://portal.example.org/webinar?", nil, false},
		{"https://portal.example.org/webinar#top", nil, false},
		{"https://user:pass@portal.example.org/webinar", nil, false},
		{"ftp://portal.example.org/webinar", nil, false},
		{"/webinar", nil, false},
		{"https://portal.example.org/webinar", []string{"https://www.example.org/path"}, false},
		{"https://portal.example.org/webinar", []string{"not an origin"}, false},
	} {
		_, err := webinar.NewService(webinar.Config{Store: f.store, Gateways: f.gateways, PublicURL: tc.publicURL, TrustedOrigins: tc.trusted})
		assert.Equal(t, tc.ok, err == nil, "%s %v: %v", tc.publicURL, tc.trusted, err)
	}
}

// The bot's page credential is fresh for each start: the URL of an
// earlier run no longer opens the page.
func TestBotCredentialPerRun(t *testing.T) {
	t.Parallel()
	f := newHTTPFixture(t, sipmediagwtest.V17)
	first := startedWebinar(t, f.liveFixture)
	old := publicURL + webinar.BotPagePath(&first)
	assert.Equal(t, http.StatusOK, f.do(http.MethodGet, old, nil, nil).Code)

	again, err := f.waited(f.svc.RestartLive, teacher, first.ID)
	require.NoError(t, err)
	require.Equal(t, webinar.Live, again.State)
	assert.NotEqual(t, first.BotSecret.Reveal(), again.BotSecret.Reveal())
	assert.Equal(t, http.StatusNotFound, f.do(http.MethodGet, old, nil, nil).Code, "the old run's URL")
	assert.Equal(t, http.StatusOK, f.do(http.MethodGet, publicURL+webinar.BotPagePath(&again), nil, nil).Code)
}
