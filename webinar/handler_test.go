package webinar_test

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/webinar"
)

// httpFixture is a live fixture whose handler is mounted as a host does,
// under /webinar (PublicURL's path).
type httpFixture struct {
	*liveFixture
	h http.Handler
}

// sessionHeader names the signed-in user in these tests, standing for
// the host's session.
const sessionHeader = "X-Test-User"

func newHTTPFixture(t *testing.T, v sipmediagwtest.Version) *httpFixture {
	t.Helper()
	return newHTTPFixtureConfig(t, v, nil)
}

// newHTTPFixtureConfig is newHTTPFixture with the Config changed by
// configure.
func newHTTPFixtureConfig(t *testing.T, v sipmediagwtest.Version, configure func(*webinar.Config)) *httpFixture {
	t.Helper()
	return newHTTPFixtureWith(t, v, configure)
}

// newHTTPFixtureWith is newHTTPFixtureConfig with options of the fake
// BBB.
func newHTTPFixtureWith(t *testing.T, v sipmediagwtest.Version, configure func(*webinar.Config), opts ...bbbtest.Option) *httpFixture {
	t.Helper()
	f := newLiveFixtureWith(t, v, webinar.RelaySIPMediaGW, configure, opts...)
	known := map[string]webinar.User{teacher.ID: teacher, student.ID: student, admin.ID: admin}
	users := func(r *http.Request) (webinar.User, bool) {
		u, ok := known[r.Header.Get(sessionHeader)]
		return u, ok
	}
	mux := http.NewServeMux()
	mux.Handle("/webinar/", http.StripPrefix("/webinar", f.svc.Handler(users)))
	return &httpFixture{liveFixture: f, h: mux}
}

// do serves one request; target may be absolute (https://portal…) or a
// path.
func (f *httpFixture) do(method, target string, body io.Reader, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, body)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	return rec
}

// liveWebinar creates and starts a webinar with its chat enabled.
func (f *httpFixture) liveWebinar(t *testing.T) webinar.Webinar {
	t.Helper()
	ctx := context.Background()
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	w, err = f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	require.Equal(t, webinar.Live, w.State)
	return w
}

// callbackURL is the URL BBB calls when the meeting ends: the signed
// meta_endCallbackUrl with meetingID and recordingmarks added.
func (f *httpFixture) callbackURL(t *testing.T, meetingID string) string {
	t.Helper()
	m, ok := f.bbb.Meeting(meetingID)
	require.True(t, ok)
	require.NotEmpty(t, m.EndCallbackURL)
	return m.EndCallbackURL + "&meetingID=" + url.QueryEscape(meetingID) + "&recordingmarks=false"
}

func TestHandlerEndCallback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newHTTPFixture(t, sipmediagwtest.V16)
	w := f.liveWebinar(t)
	cb := f.callbackURL(t, w.MeetingID)

	// Early or replayed: BBB says the meeting still runs.
	rec := f.do(http.MethodGet, cb, nil, nil)
	assert.Equal(t, http.StatusOK, rec.Code)
	got, err := f.svc.Get(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Live, got.State, "a running meeting is not ended")
	assert.True(t, f.gw.IsRunning(w.Session))

	// Refused callbacks change nothing.
	other, err := bbb.NewCallbackSigner([]byte("another key, 32 bytes long......"))
	require.NoError(t, err)
	forged, err := other.EndCallbackURL(publicURL+"/callback/end", w.MeetingID, w.ID)
	require.NoError(t, err)
	u, err := url.Parse(cb)
	require.NoError(t, err)
	q := u.Query()
	q.Set("meetingID", "bbbcast-another-meeting")
	u.RawQuery = q.Encode()
	for name, target := range map[string]string{
		"forged token":    forged + "&meetingID=" + w.MeetingID + "&recordingmarks=false",
		"no token":        publicURL + "/callback/end?meetingID=" + w.MeetingID + "&recordingmarks=false",
		"no meetingID":    strings.Split(cb, "&meetingID=")[0],
		"another meeting": u.String(),
		"two meetingIDs":  cb + "&meetingID=" + w.MeetingID,
	} {
		rec := f.do(http.MethodGet, target, nil, nil)
		assert.Equal(t, http.StatusForbidden, rec.Code, name)
		assert.NotContains(t, rec.Body.String(), "token", name)
	}

	// The meeting ends in BBB: the webinar ends, the stream stops.
	require.NoError(t, f.bbb.EndMeeting(w.MeetingID))
	for i := range 2 { // BBB retries: idempotent
		rec = f.do(http.MethodGet, cb, nil, nil)
		assert.Equal(t, http.StatusOK, rec.Code, "call %d", i)
		got, err = f.svc.Wait(ctx, w.ID)
		require.NoError(t, err)
		assert.Equal(t, webinar.Ended, got.State)
		assert.False(t, f.gw.IsRunning(w.Session))
	}
	assert.Equal(t, 1, f.gw.StopCount(), "stopped once")

	// A valid token for a meeting no webinar has: 200, so BBB stops.
	signer, err := bbb.NewCallbackSigner([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	unknown, err := signer.EndCallbackURL(publicURL+"/callback/end", "bbbcast-unknown", "x")
	require.NoError(t, err)
	rec = f.do(http.MethodGet, unknown+"&meetingID=bbbcast-unknown&recordingmarks=true", nil, nil)
	assert.Equal(t, http.StatusOK, rec.Code)
}

func TestHandlerEndCallbackRetriesWhenBBBFails(t *testing.T) {
	t.Parallel()
	f := newHTTPFixture(t, sipmediagwtest.V16)
	w := f.liveWebinar(t)
	cb := f.callbackURL(t, w.MeetingID)
	require.NoError(t, f.bbb.EndMeeting(w.MeetingID))
	f.bbb.Close() // BBB unreachable: BBB's retry must come
	rec := f.do(http.MethodGet, cb, nil, nil)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	got, err := f.svc.Get(context.Background(), w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Live, got.State)
}

func TestHandlerBotPage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newHTTPFixture(t, sipmediagwtest.V15)

	// Before start: the credential is good, the meeting does not run.
	sched, err := f.svc.Create(ctx, teacher, draft(slot(3, 4)))
	require.NoError(t, err)
	rec := f.do(http.MethodGet, publicURL+webinar.BotPagePath(&sched), nil, nil)
	assert.Equal(t, http.StatusConflict, rec.Code)
	assert.Contains(t, rec.Body.String(), "has not started")

	w := f.liveWebinar(t)
	page := publicURL + webinar.BotPagePath(&w)
	rec = f.do(http.MethodGet, page, nil, nil)
	require.Equal(t, http.StatusOK, rec.Code)
	body := rec.Body.String()
	for _, want := range []string{`<!DOCTYPE html>`, `id="okcookie"`, `id="id_name" name="name" placeholder="streaming"`,
		`id="joinFormName" name="joinFormName" placeholder="streaming"`, `<button type="submit">`, `<form method="post">`} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, "<script")
	assert.Equal(t, 1, strings.Count(body, `type="submit"`), "one button the bot may click")
	assert.Equal(t, "text/html; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"))
	assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"))
	assert.Contains(t, rec.Header().Get("X-Robots-Tag"), "noindex")
	csp := rec.Header().Get("Content-Security-Policy")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "form-action 'self'")
	assert.NotContains(t, csp, "unsafe-inline")

	// Wrong credentials: 404 whatever is wrong.
	for name, path := range map[string]string{
		"wrong secret": "/bot/" + w.ID + "/" + strings.Repeat("0", 48) + "/" + w.BotRoom,
		"wrong room":   "/bot/" + w.ID + "/" + w.BotSecret.Reveal() + "/bffffffffff",
		"unknown id":   "/bot/ffffffffffffffffffffffff/" + w.BotSecret.Reveal() + "/" + w.BotRoom,
		"other's room": "/bot/" + w.ID + "/" + w.BotSecret.Reveal() + "/" + sched.BotRoom,
	} {
		for _, m := range []string{http.MethodGet, http.MethodPost} {
			rec := f.do(m, publicURL+path, strings.NewReader("name=streaming"),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			assert.Equal(t, http.StatusNotFound, rec.Code, "%s %s", m, name)
			assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"))
		}
	}

	// The bot submits the form as Greenlight's or Pod's.
	for _, tc := range []struct {
		form, name string
	}{
		{"name=streaming&joinFormName=streaming", "streaming"},
		{"name=streaming&joinFormName=Live+bot", "Live bot"},
		{"name=", "streaming"},
	} {
		rec := f.do(http.MethodPost, page, strings.NewReader(tc.form), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		require.Equal(t, http.StatusSeeOther, rec.Code, tc.form)
		assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"))
		loc, err := url.Parse(rec.Header().Get("Location"))
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(loc.String(), f.bbb.URL), "to the fake BBB: %s", loc.Host)
		assert.Equal(t, "VIEWER", loc.Query().Get("role"))
		assert.Equal(t, tc.name, loc.Query().Get("fullName"))
		assert.Equal(t, w.MeetingID, loc.Query().Get("meetingID"))
		assert.NotEmpty(t, loc.Query().Get("createTime"))
	}

	// Following the redirect makes the bot an attendee.
	rec = f.do(http.MethodPost, page, strings.NewReader("name=streaming&joinFormName=streaming"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	require.Equal(t, http.StatusSeeOther, rec.Code)
	a, err := f.bbb.OpenJoinURL(ctx, rec.Header().Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "streaming", a.FullName)
	m, ok := f.bbb.Meeting(w.MeetingID)
	require.True(t, ok)
	var names []string
	for _, at := range m.Attendees {
		names = append(names, at.FullName)
	}
	assert.Contains(t, names, "streaming")
}

func TestHandlerChat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newHTTPFixture(t, sipmediagwtest.V16)
	w := f.liveWebinar(t)
	closed, err := f.svc.Create(ctx, teacher, webinar.Draft{Title: "No chat", Slot: slot(3, 4)})
	require.NoError(t, err)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", sessionHeader: student.ID}
	with := func(kv ...string) map[string]string {
		h := map[string]string{}
		maps.Copy(h, form)
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				delete(h, kv[i])
			} else {
				h[kv[i]] = kv[i+1]
			}
		}
		return h
	}
	msg := func(s string) string { return "message=" + url.QueryEscape(s) }
	for _, tc := range []struct {
		name string
		id   string
		body string
		hdr  map[string]string
		want int
	}{
		{"anonymous", w.ID, msg("hi"), with(sessionHeader, ""), http.StatusUnauthorized},
		{"cross-site", w.ID, msg("hi"), with("Sec-Fetch-Site", "cross-site"), http.StatusForbidden},
		{"foreign origin", w.ID, msg("hi"), with("Origin", "https://evil.example.com"), http.StatusForbidden},
		{"null origin", w.ID, msg("hi"), with("Origin", "null"), http.StatusForbidden},
		{"JSON", w.ID, `{"message":"hi"}`, with("Content-Type", "application/json"), http.StatusUnsupportedMediaType},
		{"chat disabled", closed.ID, msg("hi"), form, http.StatusConflict},
		{"unknown webinar", "nope", msg("hi"), form, http.StatusNotFound},
		{"empty", w.ID, msg("   "), form, http.StatusBadRequest},
		{"too long", w.ID, msg(strings.Repeat("a", 600)), form, http.StatusBadRequest},
		{"oversized body", w.ID, msg(strings.Repeat("a", 9<<10)), form, http.StatusRequestEntityTooLarge},
		{"ok", w.ID, msg("Où est la diapo 3 ?"), form, http.StatusNoContent},
		{"ok same origin", w.ID, msg("second"), with("Sec-Fetch-Site", "same-origin", "Origin", "https://portal.example.org"), http.StatusNoContent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := f.do(http.MethodPost, publicURL+"/webinars/"+tc.id+"/chat", strings.NewReader(tc.body), tc.hdr)
			assert.Equal(t, tc.want, rec.Code, rec.Body.String())
		})
	}
	chat := f.gw.Chat(w.Session)
	require.Len(t, chat, 2)
	assert.Contains(t, chat[0], "(Bob) Où est la diapo 3 ?")
	assert.Contains(t, chat[1], "(Bob) second")
}

type actionAnswer struct {
	ID          string        `json:"id"`
	State       webinar.State `json:"state"`
	FailReason  string        `json:"failReason"`
	ChatShown   bool          `json:"chatShown"`
	ChatVisible bool          `json:"chatVisible"`
	Error       string        `json:"error"`
}

func TestHandlerPresenterActions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newHTTPFixture(t, sipmediagwtest.V15)
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	post := func(user, action string) (*httptest.ResponseRecorder, actionAnswer) {
		rec := f.do(http.MethodPost, publicURL+"/webinars/"+w.ID+"/"+action, nil, map[string]string{sessionHeader: user})
		var a actionAnswer
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &a), rec.Body.String())
		}
		return rec, a
	}
	for _, tc := range []struct {
		user, action string
		want         int
		state        webinar.State // answered: the stored step
		final        webinar.State // once the background part is done
	}{
		{"", "start", http.StatusUnauthorized, "", ""},
		{student.ID, "start", http.StatusForbidden, "", ""},
		{teacher.ID, "launch", http.StatusNotFound, "", ""},
		{teacher.ID, "start", http.StatusAccepted, webinar.Starting, webinar.Live},
		{teacher.ID, "start", http.StatusAccepted, webinar.Live, webinar.Live},
		{teacher.ID, "show-chat", http.StatusOK, webinar.Live, webinar.Live},
		{student.ID, "stop-live", http.StatusForbidden, "", ""},
		{teacher.ID, "stop-live", http.StatusAccepted, webinar.StoppingLive, webinar.LiveStopped},
		{admin.ID, "restart-live", http.StatusAccepted, webinar.Starting, webinar.Live},
		{teacher.ID, "hide-chat", http.StatusOK, webinar.Live, webinar.Live},
		{teacher.ID, "end", http.StatusAccepted, webinar.Ending, webinar.Ended},
		{teacher.ID, "end", http.StatusAccepted, webinar.Ended, webinar.Ended},
		{teacher.ID, "start", http.StatusConflict, "", ""},
	} {
		rec, a := post(tc.user, tc.action)
		require.Equal(t, tc.want, rec.Code, "%s %s: %s", tc.user, tc.action, rec.Body.String())
		if tc.state != "" {
			assert.Equal(t, tc.state, a.State, tc.action)
			assert.Equal(t, w.ID, a.ID)
			done, err := f.svc.Wait(ctx, w.ID)
			require.NoError(t, err)
			assert.Equal(t, tc.final, done.State, tc.action)
		}
		got, err := f.svc.Get(ctx, w.ID)
		require.NoError(t, err)
		body := rec.Body.String()
		for name, secret := range map[string]string{"bot secret": got.BotSecret.Reveal(), "bot room": got.BotRoom,
			"session": "legacy:" + got.BotRoom, "stream key": "KEY"} {
			assert.NotContains(t, body, secret, "%s in the answer to %s", name, tc.action)
		}
		if tc.action == "show-chat" {
			assert.True(t, a.ChatShown)
			assert.True(t, a.ChatVisible)
		}
	}
	rec := f.do(http.MethodGet, publicURL+"/webinars/"+w.ID+"/start", nil, map[string]string{sessionHeader: teacher.ID})
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	rec = f.do(http.MethodPost, publicURL+"/webinars/"+w.ID+"/end", nil, map[string]string{sessionHeader: teacher.ID, "Sec-Fetch-Site": "cross-site"})
	assert.Equal(t, http.StatusForbidden, rec.Code)
	rec = f.do(http.MethodGet, publicURL+"/nowhere", nil, nil)
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

// A GET never starts anything: it offers a form, whose POST starts the
// webinar and sends the presenter to the meeting; once it runs, the GET
// sends them back to it.
func TestHandlerPresenterJoin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newHTTPFixture(t, sipmediagwtest.V17)
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	join := publicURL + "/webinars/" + w.ID + "/join"
	as := func(u webinar.User) map[string]string { return map[string]string{sessionHeader: u.ID} }
	for _, m := range []string{http.MethodGet, http.MethodPost} {
		assert.Equal(t, http.StatusUnauthorized, f.do(m, join, nil, nil).Code, m)
		assert.Equal(t, http.StatusForbidden, f.do(m, join, nil, as(student)).Code, m)
	}
	rec := f.do(http.MethodGet, join, nil, as(teacher))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `<form method="post">`)
	_, running := f.bbb.Meeting(w.MeetingID)
	assert.False(t, running, "a GET started nothing")
	assert.Zero(t, f.gw.StartCount())

	rec = f.do(http.MethodPost, join, nil, as(teacher))
	require.Equal(t, http.StatusSeeOther, rec.Code, rec.Body.String())
	assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"))
	loc, err := url.Parse(rec.Header().Get("Location"))
	require.NoError(t, err)
	assert.Equal(t, "MODERATOR", loc.Query().Get("role"))
	m, ok := f.bbb.Meeting(w.MeetingID)
	require.True(t, ok, "the meeting exists before the presenter is sent there")
	assert.Equal(t, loc.Query().Get("createTime"), strconv.FormatInt(m.CreateTimeMillis, 10))
	got, err := f.svc.Wait(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Live, got.State, "the presenter's arrival starts the webinar")

	rec = f.do(http.MethodGet, join, nil, as(teacher))
	require.Equal(t, http.StatusSeeOther, rec.Code, "back to the running meeting")
	assert.Equal(t, 1, f.gw.StartCount())
}

// Mount serves the handler under PublicURL's path, whatever the slashes.
func TestMount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		publicURL, callback string
	}{
		{"https://portal.example.org/webinar", "/webinar/callback/end"},
		{"https://portal.example.org/webinar/", "/webinar/callback/end"},
		{"https://portal.example.org/a/b", "/a/b/callback/end"},
		{"https://portal.example.org", "/callback/end"},
	} {
		t.Run(tc.publicURL, func(t *testing.T) {
			t.Parallel()
			store := memory.New()
			signer, err := bbb.NewCallbackSigner([]byte("0123456789abcdef0123456789abcdef"))
			require.NoError(t, err)
			client, err := bbb.NewClient("https://bbb.example.org/bigbluebutton", "0123456789abcdef0123456789")
			require.NoError(t, err)
			svc, err := webinar.NewService(webinar.Config{Store: store, Gateways: gateway.NewService(gateway.Config{Store: store}),
				BBB: client, Callbacks: signer, PublicURL: tc.publicURL})
			require.NoError(t, err)
			mux := http.NewServeMux()
			svc.Mount(mux, func(*http.Request) (webinar.User, bool) { return webinar.User{}, false })

			// An unsigned end callback reaches the handler, which refuses
			// it (404 for a bad credential); outside the path, the mux's 404
			// page has no JSON.
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tc.callback+"?meetingID=x", nil))
			assert.NotEqual(t, http.StatusOK, rec.Code)
			assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"), "answered by the webinar handler")

			rec = httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/elsewhere/callback/end", nil))
			assert.Equal(t, http.StatusNotFound, rec.Code)
			assert.Empty(t, rec.Header().Get("Cache-Control"), "not the webinar handler")
		})
	}
}
