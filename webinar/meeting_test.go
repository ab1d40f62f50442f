package webinar_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/internal/logx"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// Every parameter the Service owns, and every one that would lock the
// bot or the chat relay out, is refused at Create with its field named;
// nothing is stored.
func TestMeetingConflictsRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW)
	for _, tc := range []struct {
		name   string
		params bbb.CreateParams
		chat   bool
		field  string
	}{
		{"name", bbb.CreateParams{Name: "Another name"}, false, "meeting.name"},
		{"meeting ID", bbb.CreateParams{MeetingID: "mine"}, false, "meeting.meetingID"},
		{"attendee password", bbb.CreateParams{AttendeePW: "ap"}, false, "meeting.attendeePW"},
		{"moderator password", bbb.CreateParams{ModeratorPW: "mp"}, false, "meeting.moderatorPW"},
		{"guests asked", bbb.CreateParams{GuestPolicy: bbb.GuestAskModerator}, false, "meeting.guestPolicy"},
		{"guests denied", bbb.CreateParams{GuestPolicy: bbb.GuestAlwaysDeny}, false, "meeting.guestPolicy"},
		{"breakout", bbb.CreateParams{IsBreakout: bbb.Bool(true)}, false, "meeting.isBreakout"},
		{"parent meeting", bbb.CreateParams{ParentMeetingID: "parent"}, false, "meeting.parentMeetingID"},
		{"sequence", bbb.CreateParams{Sequence: 2}, false, "meeting.sequence"},
		{"end callback", bbb.CreateParams{Meta: bbb.Metadata{"endCallbackUrl": "https://evil.example.org/"}}, false, "meeting.meta_endCallbackUrl"},
		{"end callback in another case", bbb.CreateParams{Meta: bbb.Metadata{"ENDCALLBACKURL": "https://evil.example.org/"}}, false, "meeting.meta_ENDCALLBACKURL"},
		{"recording ready URL", bbb.CreateParams{Meta: bbb.Metadata{"bbb-recording-ready-url": "https://evil.example.org/"}}, false, "meeting.meta_bbb-recording-ready-url"},
		{"origin", bbb.CreateParams{Meta: bbb.Metadata{"bbb-origin": "pod"}}, false, "meeting.meta_bbb-origin"},
		{"service key", bbb.CreateParams{Meta: bbb.Metadata{"bbbcast-webinar": "other"}}, false, "meeting.meta_bbbcast-webinar"},
		{"service prefix", bbb.CreateParams{Meta: bbb.Metadata{"BBBCast-anything": "x"}}, false, "meeting.meta_BBBCast-anything"},
		{"meta key syntax", bbb.CreateParams{Meta: bbb.Metadata{"1st": "x"}}, false, "meeting.meta_1st"},
		{"meta key with an underscore", bbb.CreateParams{Meta: bbb.Metadata{"a_b": "x"}}, false, "meeting.meta_a_b"},
		{"extra meta", bbb.CreateParams{Extra: url.Values{"meta_endCallbackUrl": {"x"}}}, false, "meeting.meta_endCallbackUrl"},
		{"extra owned parameter", bbb.CreateParams{Extra: url.Values{"guestPolicy": {"ASK_MODERATOR"}}}, false, "meeting.guestPolicy"},
		{"extra modelled parameter", bbb.CreateParams{Extra: url.Values{"lockSettingsDisablePublicChat": {"true"}}}, false, "meeting.lockSettingsDisablePublicChat"},
		{"extra checksum", bbb.CreateParams{Extra: url.Values{"checksum": {"x"}}}, false, "meeting.checksum"},
		{"one participant", bbb.CreateParams{MaxParticipants: 1}, false, "meeting.maxParticipants"},
		{"negative participants", bbb.CreateParams{MaxParticipants: -5}, false, "meeting.maxParticipants"},
		{"public chat locked with the chat on", bbb.CreateParams{LockSettingsDisablePublicChat: bbb.Bool(true)}, true, "meeting.lockSettingsDisablePublicChat"},
		{"chat disabled with the chat on", bbb.CreateParams{DisabledFeatures: []string{"polls", " Chat "}}, true, "meeting.disabledFeatures"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := draft(slot(0, 2))
			d.ChatEnabled, d.Meeting = tc.chat, &tc.params
			_, err := f.svc.Create(ctx, teacher, d)
			var ie *webinar.InputError
			require.ErrorAs(t, err, &ie)
			assert.Equal(t, tc.field, ie.Field)
			assert.NotEmpty(t, ie.Reason)
			assert.NotContains(t, err.Error(), "evil.example.org", "the refused value is not echoed")
			assert.Equal(t, ie.Field+": "+ie.Reason+".", webinar.Explain(err))
			assert.Equal(t, err, webinar.CheckMeeting(&tc.params, tc.chat), "CheckMeeting says the same")
		})
	}
	t.Run("nothing stored", func(t *testing.T) {
		t.Parallel()
		list, err := f.svc.List(ctx, webinar.Query{User: teacher.ID})
		require.NoError(t, err)
		for _, w := range list {
			assert.Nil(t, w.Meeting, "a refused draft was stored")
		}
	})
}

// What does not conflict passes: the service's own values, the chat's
// locks while the chat is off, a nil or empty CreateParams.
func TestMeetingAccepted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		params *bbb.CreateParams
		chat   bool
	}{
		{"nil", nil, true},
		{"empty", &bbb.CreateParams{}, true},
		{"guests accepted", &bbb.CreateParams{GuestPolicy: bbb.GuestAlwaysAccept}, true},
		{"not a breakout", &bbb.CreateParams{IsBreakout: bbb.Bool(false)}, true},
		{"two participants", &bbb.CreateParams{MaxParticipants: webinar.MinMaxParticipants}, true},
		{"public chat locked, chat off", &bbb.CreateParams{LockSettingsDisablePublicChat: bbb.Bool(true)}, false},
		{"chat feature off, chat off", &bbb.CreateParams{DisabledFeatures: []string{"chat"}}, false},
		{"public chat unlocked", &bbb.CreateParams{LockSettingsDisablePublicChat: bbb.Bool(false)}, true},
		{"host metadata", &bbb.CreateParams{Meta: bbb.Metadata{"bbb-context": "x", "origin-like": "y"}}, true},
		{"extra parameter", &bbb.CreateParams{Extra: url.Values{"allowOverrideClientSettingsOnCreateCall": {"true"}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			assert.NoError(t, webinar.CheckMeeting(tc.params, tc.chat))
		})
	}
}

// The host's parameters reach BBB next to the Service's own; without
// recording, no recording-ready URL is set and record is false.
func TestMeetingParamsPassThrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW)
	d := draft(slot(0, 2))
	host := &bbb.CreateParams{
		Welcome: "Bienvenue", MaxParticipants: 20, LockSettingsDisableCam: bbb.Bool(true),
		ModeratorOnlyMessage: "Presenters only", Logo: "https://portal.example.org/logo.png", BannerText: "Live",
		Duration: 120, MeetingLayout: "PRESENTATION_FOCUS", DisabledFeatures: []string{"polls"},
		Meta:  bbb.Metadata{"bbb-context": "Amphi"},
		Extra: url.Values{"allowOverrideClientSettingsOnCreateCall": {"true"}},
	}
	d.Meeting = host
	w, err := f.svc.Create(ctx, teacher, d)
	require.NoError(t, err)
	assert.Equal(t, host, w.Meeting)
	live, err := f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	require.Equal(t, webinar.Live, live.State)

	m, ok := f.bbb.Meeting(w.MeetingID)
	require.True(t, ok)
	for k, want := range map[string]string{
		"name": w.Title, "meetingID": w.MeetingID, "guestPolicy": "ALWAYS_ACCEPT", "record": "false",
		"welcome": "Bienvenue", "maxParticipants": "20", "lockSettingsDisableCam": "true",
		"moderatorOnlyMessage": "Presenters only", "logo": "https://portal.example.org/logo.png", "bannerText": "Live",
		"duration": "120", "meetingLayout": "PRESENTATION_FOCUS", "disabledFeatures": "polls",
		"allowOverrideClientSettingsOnCreateCall": "true", "meta_bbb-context": "Amphi", "meta_bbb-origin": "bbbcast",
		"meta_bbbcast-webinar": w.ID,
	} {
		assert.Equal(t, []string{want}, m.Params[k], k)
	}
	assert.NotEmpty(t, m.EndCallbackURL)
	assert.NotContains(t, m.Metadata, "bbb-recording-ready-url")
	assert.Equal(t, bbb.Metadata{"bbb-context": "Amphi"}, host.Meta, "the host's parameters are not written to")
}

// Config.Meeting decides at creation; its conflicts fail the start with
// the reason recorded.
func TestConfigMeeting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		fn      func(w webinar.Webinar) *bbb.CreateParams
		welcome string // want, when the start succeeds
		field   string // the refused field, when it fails
	}{
		{"sees the webinar's", func(w webinar.Webinar) *bbb.CreateParams {
			p := *w.Meeting
			p.Welcome += " — " + w.Title
			return &p
		}, "Hello — Distributed systems", ""},
		{"nil: none", func(webinar.Webinar) *bbb.CreateParams { return nil }, "", ""},
		{"conflict", func(webinar.Webinar) *bbb.CreateParams {
			return &bbb.CreateParams{GuestPolicy: bbb.GuestAskModerator}
		}, "", "meeting.guestPolicy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newLiveFixtureConfig(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW, func(c *webinar.Config) { c.Meeting = tc.fn })
			d := draft(slot(0, 2))
			d.Meeting = &bbb.CreateParams{Welcome: "Hello"}
			w, err := f.svc.Create(ctx, teacher, d)
			require.NoError(t, err)
			got, err := f.waited(f.svc.Start, teacher, w.ID)
			if tc.field != "" {
				var ie *webinar.InputError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, tc.field, ie.Field)
				assert.Equal(t, webinar.Failed, got.State)
				assert.Contains(t, got.FailReason, "meeting parameters: webinar: "+tc.field)
				_, created := f.bbb.Meeting(w.MeetingID)
				assert.False(t, created, "no meeting was created")
				assert.Equal(t, 0, f.gw.StartCount())
				return
			}
			require.NoError(t, err)
			m, ok := f.bbb.Meeting(w.MeetingID)
			require.True(t, ok)
			assert.Equal(t, tc.welcome, m.Params.Get("welcome"))
		})
	}
}

// Config.Documents' documents go with create's POST.
func TestConfigDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixtureConfig(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW, func(c *webinar.Config) {
		c.Documents = func(webinar.Webinar) []bbb.Document {
			return []bbb.Document{{URL: "https://portal.example.org/slides.pdf", Name: "slides.pdf"}}
		}
	})
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	live, err := f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Live, live.State)
	var posted bool
	for _, r := range f.bbb.Requests() {
		posted = posted || r.Call == "create" && r.Method == http.MethodPost
	}
	assert.True(t, posted, "create was a POST with the documents")
}

// Update changes the parameters while no meeting exists, refuses a
// change once it does (the same parameters are no change), and checks
// the chat's locks against a chat enabled later.
func TestUpdateMeeting(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW)
	d := draft(slot(0, 2))
	d.ChatEnabled = false
	w, err := f.svc.Create(ctx, teacher, d)
	require.NoError(t, err)

	locked := &bbb.CreateParams{Welcome: "Hi", LockSettingsDisablePublicChat: bbb.Bool(true)}
	w, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Meeting: locked})
	require.NoError(t, err)
	assert.Equal(t, locked, w.Meeting)

	on := true
	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{ChatEnabled: &on})
	var ie *webinar.InputError
	require.ErrorAs(t, err, &ie, "enabling the chat of a meeting whose public chat is locked")
	assert.Equal(t, "meeting.lockSettingsDisablePublicChat", ie.Field)
	got, err := f.svc.Get(ctx, w.ID)
	require.NoError(t, err)
	assert.False(t, got.ChatEnabled, "nothing changed")

	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Meeting: &bbb.CreateParams{Name: "x"}})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "meeting.name", ie.Field)

	// An empty CreateParams removes them.
	w, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Meeting: &bbb.CreateParams{}, ChatEnabled: &on})
	require.NoError(t, err)
	assert.Nil(t, w.Meeting)
	assert.True(t, w.ChatEnabled)

	welcome := &bbb.CreateParams{Welcome: "Hello"}
	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Meeting: welcome})
	require.NoError(t, err)
	_, err = f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)

	title := "Renamed"
	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Title: &title, Meeting: &bbb.CreateParams{Welcome: "Hello"}})
	require.NoError(t, err, "the same parameters are no change while live")
	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Meeting: &bbb.CreateParams{Welcome: "Changed"}})
	require.ErrorIs(t, err, webinar.ErrInvalidState)
	assert.Contains(t, webinar.Explain(err), "The meeting's parameters cannot change while the webinar is live")
	got, err = f.svc.Get(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, welcome, got.Meeting)
}

// roundTripFunc serves the fake BBB's callbacks with the Service's
// handler, in process.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// newRecordingFixture is an HTTP fixture whose fake BBB publishes
// recordings at once and calls the Service's handler back in process.
func newRecordingFixture(t *testing.T, configure func(*webinar.Config)) *httpFixture {
	t.Helper()
	var h atomic.Pointer[http.Handler]
	client := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		rec := httptest.NewRecorder()
		(*h.Load()).ServeHTTP(rec, r)
		return rec.Result(), nil
	})}
	f := newHTTPFixtureWith(t, sipmediagwtest.V17, configure, bbbtest.WithRecordingDelay(0), bbbtest.WithCallbackClient(client))
	h.Store(&f.h)
	return f
}

// recordedWebinar creates a webinar recorded from the start and starts
// it.
func recordedWebinar(t *testing.T, f *httpFixture) webinar.Webinar {
	t.Helper()
	d := draft(slot(0, 2))
	d.Meeting = &bbb.CreateParams{Record: bbb.Bool(true), AutoStartRecording: bbb.Bool(true)}
	w, err := f.svc.Create(context.Background(), teacher, d)
	require.NoError(t, err)
	w, err = f.waited(f.svc.Start, teacher, w.ID)
	require.NoError(t, err)
	require.Equal(t, webinar.Live, w.State)
	return w
}

func (f *httpFixture) recordings() []webinar.Recording {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []webinar.Recording
	for _, e := range f.events {
		if e.Kind == webinar.RecordingReady {
			out = append(out, *e.Recording)
		}
	}
	return out
}

// A recorded webinar runs and ends in BBB; the fake publishes the
// recording and posts its recording-ready callback, and the host hears of
// it, once, however often BBB posts.
func TestRecordingReadyFromTheFake(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := newRecordingFixture(t, nil)
	w := recordedWebinar(t, f)

	m, ok := f.bbb.Meeting(w.MeetingID)
	require.True(t, ok)
	assert.Equal(t, "true", m.Params.Get("record"))
	ready, err := url.Parse(m.Metadata["bbb-recording-ready-url"])
	require.NoError(t, err)
	assert.Equal(t, "/webinar/callback/recording", ready.Path)
	assert.NotEmpty(t, ready.Query().Get(bbb.CallbackTokenParam))

	require.NoError(t, f.bbb.EndMeeting(w.MeetingID))
	ds, err := f.bbb.WaitDeliveries(ctx, 1)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	d := ds[0]
	require.Equal(t, bbbtest.DeliveryRecordingReady, d.Kind)
	assert.Equal(t, http.StatusOK, d.StatusCode, "the callback was accepted")
	assert.Equal(t, []webinar.Recording{{MeetingID: w.MeetingID, RecordID: d.RecordID}}, f.recordings())
	f.mu.Lock()
	for _, e := range f.events {
		if e.Kind == webinar.RecordingReady {
			assert.Equal(t, w.ID, e.WebinarID)
		}
	}
	f.mu.Unlock()

	// BBB posts again: 200, nothing told twice.
	rec := f.do(http.MethodPost, d.URL, strings.NewReader(d.Body), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Len(t, f.recordings(), 1)

	// The end callback ended the webinar.
	cbs, err := f.bbb.WaitCallbacks(ctx, 1)
	require.NoError(t, err)
	assert.True(t, cbs[0].OK(), "the end callback was accepted")
	ended, err := f.svc.Wait(ctx, w.ID)
	require.NoError(t, err)
	assert.Contains(t, []webinar.State{webinar.Ending, webinar.Ended}, ended.State)
}

// signJWT signs claims (JSON) with HS256, for tokens SignRecordingReady
// does not make.
func signJWT(header, claims, secret string) string {
	enc := base64.RawURLEncoding
	s := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(s))
	return s + "." + enc.EncodeToString(mac.Sum(nil))
}

// Forged, expired and mismatched callbacks are refused, and nothing is
// told; the refusals' logs hold no token.
func TestRecordingReadyRefused(t *testing.T) {
	t.Parallel()
	logs := &logx.Buffer{}
	f := newRecordingFixture(t, func(c *webinar.Config) { c.Logger = slog.New(slog.NewTextHandler(logs, nil)) })
	gw2 := sipmediagwtest.NewServer(sipmediagwtest.V17)
	t.Cleanup(gw2.Close)
	addGateway(t, f.liveFixture, gw2, sipmediagwtest.V17)
	w := recordedWebinar(t, f)
	other := recordedWebinar(t, f)
	m, ok := f.bbb.Meeting(w.MeetingID)
	require.True(t, ok)
	readyURL := m.Metadata["bbb-recording-ready-url"]
	otherURL := func() string {
		om, ok := f.bbb.Meeting(other.MeetingID)
		require.True(t, ok)
		return om.Metadata["bbb-recording-ready-url"]
	}()
	secret := f.bbb.Secret
	sign := func(meetingID, alg, key string) string {
		tok, err := bbb.SignRecordingReady(meetingID, "rec-1", key, alg)
		require.NoError(t, err)
		return tok
	}
	// The URL of w's callback with its query changed.
	withQuery := func(change func(q url.Values)) string {
		u, err := url.Parse(readyURL)
		require.NoError(t, err)
		q := u.Query()
		change(q)
		u.RawQuery = q.Encode()
		return u.String()
	}
	signer := mustSigner(t)
	swapped, err := signer.EndCallbackURL(publicURL+"/callback/recording", other.MeetingID, w.ID)
	require.NoError(t, err)
	swapped += "&meetingID=" + url.QueryEscape(other.MeetingID)
	expired := signJWT(`{"alg":"HS256","typ":"JWT"}`,
		`{"meeting_id":"`+w.MeetingID+`","record_id":"rec-1","exp":`+
			"1000000000"+`}`, secret)
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`)) + "." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"meeting_id":"`+w.MeetingID+`","record_id":"rec-1"}`)) + "."

	for _, tc := range []struct {
		name   string
		target string
		form   url.Values
		code   int
	}{
		{"wrong secret", readyURL, url.Values{bbb.RecordingReadyParam: {sign(w.MeetingID, bbb.HS256, "not-the-secret")}}, http.StatusUnauthorized},
		{"algorithm not accepted", readyURL, url.Values{bbb.RecordingReadyParam: {sign(w.MeetingID, bbb.HS384, secret)}}, http.StatusUnauthorized},
		{"alg none", readyURL, url.Values{bbb.RecordingReadyParam: {none}}, http.StatusUnauthorized},
		{"expired", readyURL, url.Values{bbb.RecordingReadyParam: {expired}}, http.StatusUnauthorized},
		{"garbage", readyURL, url.Values{bbb.RecordingReadyParam: {"not.a.jwt"}}, http.StatusUnauthorized},
		{"token of another meeting", readyURL, url.Values{bbb.RecordingReadyParam: {sign(other.MeetingID, bbb.HS256, secret)}}, http.StatusUnauthorized},
		{"token of an unknown meeting", readyURL, url.Values{bbb.RecordingReadyParam: {sign("elsewhere", bbb.HS256, secret)}}, http.StatusUnauthorized},
		{"another webinar's URL", otherURL, url.Values{bbb.RecordingReadyParam: {sign(w.MeetingID, bbb.HS256, secret)}}, http.StatusUnauthorized},
		{"URL naming another webinar's meeting", swapped, url.Values{bbb.RecordingReadyParam: {sign(other.MeetingID, bbb.HS256, secret)}}, http.StatusForbidden},
		{"forged URL token", withQuery(func(q url.Values) { q.Set(bbb.CallbackTokenParam, "AAAA") }),
			url.Values{bbb.RecordingReadyParam: {sign(w.MeetingID, bbb.HS256, secret)}}, http.StatusForbidden},
		{"URL without token", withQuery(func(q url.Values) { q.Del(bbb.CallbackTokenParam) }),
			url.Values{bbb.RecordingReadyParam: {sign(w.MeetingID, bbb.HS256, secret)}}, http.StatusForbidden},
		{"URL of another meeting ID", withQuery(func(q url.Values) { q.Set("meetingID", other.MeetingID) }),
			url.Values{bbb.RecordingReadyParam: {sign(other.MeetingID, bbb.HS256, secret)}}, http.StatusForbidden},
		{"no token", readyURL, url.Values{}, http.StatusBadRequest},
		{"two tokens", readyURL, url.Values{bbb.RecordingReadyParam: {sign(w.MeetingID, bbb.HS256, secret), "x"}}, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := f.do(http.MethodPost, tc.target, strings.NewReader(tc.form.Encode()),
				map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			assert.Equal(t, tc.code, rec.Code)
			assert.NotContains(t, rec.Body.String(), secret)
			u, err := url.Parse(tc.target)
			require.NoError(t, err)
			secrets := append([]string{secret, u.RawQuery}, tc.form[bbb.RecordingReadyParam]...)
			if tok := u.Query().Get(bbb.CallbackTokenParam); len(tok) > 8 {
				secrets = append(secrets, tok)
			}
			for _, s := range secrets {
				if len(s) > 8 {
					assert.NotContains(t, logs.String(), s, "a secret in the logs")
				}
			}
		})
	}
	assert.Empty(t, f.recordings(), "nothing was told")

	// The webinar gone: 404. (Its recording, published when End ended its
	// meeting, was told.)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = f.waited(f.svc.End, teacher, other.ID)
	require.NoError(t, err)
	_, err = f.bbb.WaitCallbacks(ctx, 1) // the end callback BBB sends, handled in process
	require.NoError(t, err)
	_, err = f.svc.Wait(ctx, other.ID)
	require.NoError(t, err)
	require.NoError(t, f.svc.Delete(ctx, teacher, other.ID))
	rec := f.do(http.MethodPost, otherURL, strings.NewReader(url.Values{bbb.RecordingReadyParam: {sign(other.MeetingID, bbb.HS256, secret)}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	assert.Equal(t, http.StatusNotFound, rec.Code)

	// HS512, as behind Scalelite, is accepted.
	rec = f.do(http.MethodPost, readyURL, strings.NewReader(url.Values{bbb.RecordingReadyParam: {sign(w.MeetingID, bbb.HS512, secret)}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	assert.Equal(t, http.StatusOK, rec.Code)
	var told []webinar.Recording
	for _, r := range f.recordings() {
		if r.MeetingID == w.MeetingID {
			told = append(told, r)
		}
	}
	assert.Equal(t, []webinar.Recording{{MeetingID: w.MeetingID, RecordID: "rec-1"}}, told)
}
