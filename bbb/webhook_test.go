package bbb_test

import (
	"crypto/sha1" //nolint:gosec // bbb-webhooks signs with sha1 by default.
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	whSecret   = "639259d4-9dd8-4b25-bf01-95f9567eaf4b"
	whCallback = "https://portal.example.org/bbb/events?tenant=univ"
	whEnded    = `{"data":{"type":"event","id":"meeting-ended","attributes":{"meeting":{"internal-meeting-id":"038b74cf04c0ee371f939c9e54de060753899589-1696511528029","external-meeting-id":"webinar-42"}},"event":{"ts":1696511606899}}}`
	whJoined   = `{"data":{"type":"event","id":"user-joined","attributes":{"meeting":{"internal-meeting-id":"038b74cf04c0ee371f939c9e54de060753899589-1696511528029","external-meeting-id":"webinar-42"},"user":{"internal-user-id":"w_1fewpbchnudl","external-user-id":"w_1fewpbchnudl","name":"Zoé <b>&","role":"VIEWER","presenter":"false"}},"event":{"ts":1696511534740}}}`
)

// whBody encodes a delivery as bbb-webhooks 3.x does (URLSearchParams).
func whBody(events ...string) string {
	v := url.Values{}
	v.Set("domain", "bbb.example.org")
	v.Set("event", "["+strings.Join(events, ",")+"]")
	v.Set("timestamp", "1696511606950")
	return v.Encode()
}

func whSum(h func() hash.Hash, parts ...string) string {
	m := h()
	for _, p := range parts {
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// whRequest is the POST bbb-webhooks sends to callbackURL, with checksum
// appended when not empty.
func whRequest(callbackURL, checksum, body string) *http.Request {
	u := callbackURL
	if checksum != "" {
		if strings.Contains(u, "?") {
			u += "&checksum=" + checksum
		} else {
			u += "?checksum=" + checksum
		}
	}
	r := httptest.NewRequest(http.MethodPost, u, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	return r
}

// whLegacyJSON is what bbb-webhooks 2.x hashed: JSON.stringify of
// {event, timestamp, domain}, written here by hand.
func whLegacyJSON(event string) string {
	b, _ := json.Marshal(event)
	s := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b))
	return `{"event":` + s + `,"timestamp":1696511606950,"domain":"bbb.example.org"}`
}

func whLegacyBody(event string) string {
	return "event=" + url.QueryEscape(event) + "&timestamp=1696511606950&domain=bbb.example.org"
}

func TestVerifyWebhookAccepts(t *testing.T) {
	t.Parallel()
	body := whBody(whEnded, whJoined)
	noQuery := "https://portal.example.org/bbb/events"
	legacyEvent := "[" + whJoined + "]"
	tests := []struct {
		name     string
		callback string
		req      *http.Request
		body     string
	}{
		{"sha1 checksum", whCallback, whRequest(whCallback, whSum(sha1.New, whCallback, body, whSecret), body), body},
		{"sha256 checksum", whCallback, whRequest(whCallback, whSum(sha256.New, whCallback, body, whSecret), body), body},
		{"sha512 checksum", whCallback, whRequest(whCallback, whSum(sha512.New, whCallback, body, whSecret), body), body},
		{"callback URL without query", noQuery, whRequest(noQuery, whSum(sha1.New, noQuery, body, whSecret), body), body},
		{"bbb-webhooks 2.x checksum", whCallback,
			whRequest(whCallback, whSum(sha1.New, whCallback, whLegacyJSON(legacyEvent), whSecret), whLegacyBody(legacyEvent)),
			whLegacyBody(legacyEvent)},
		{"bearer", whCallback, func() *http.Request {
			r := whRequest(whCallback, "", body)
			r.Header.Set("Authorization", "Bearer "+whSecret)
			return r
		}(), body},
		{"bearer without callback URL", "", func() *http.Request {
			r := whRequest(whCallback, "", body)
			r.Header.Set("Authorization", "Bearer "+whSecret)
			return r
		}(), body},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := bbb.VerifyWebhook(tt.req, tt.callback, whSecret)
			require.NoError(t, err)
			assert.Equal(t, tt.body, string(got))
			again, err := io.ReadAll(tt.req.Body)
			require.NoError(t, err)
			assert.Equal(t, tt.body, string(again), "the body can be read again")
		})
	}
}

func TestVerifyWebhookRefuses(t *testing.T) {
	t.Parallel()
	body := whBody(whEnded)
	sum := whSum(sha1.New, whCallback, body, whSecret)
	bearer := func(v string) *http.Request {
		r := whRequest(whCallback, "", body)
		r.Header.Set("Authorization", v)
		return r
	}
	tests := []struct {
		name     string
		callback string
		req      *http.Request
		sentinel error
	}{
		{"body changed", whCallback, whRequest(whCallback, sum, whBody(whJoined)), bbb.ErrWebhookAuth},
		{"other callback URL", "https://portal.example.org/bbb/events?tenant=other", whRequest(whCallback, sum, body), bbb.ErrWebhookAuth},
		{"other secret", whCallback, whRequest(whCallback, whSum(sha1.New, whCallback, body, "other"), body), bbb.ErrWebhookAuth},
		{"upper-case checksum", whCallback, whRequest(whCallback, strings.ToUpper(sum), body), bbb.ErrWebhookAuth},
		{"checksum of unknown length", whCallback, whRequest(whCallback, sum[:39], body), bbb.ErrWebhookAuth},
		{"empty checksum", whCallback, whRequest(whCallback+"&checksum=", "", body), bbb.ErrWebhookAuth},
		{"bbb-webhooks 3.0 constant checksum", whCallback, whRequest(whCallback, whSum(sha1.New, whCallback, "{}", whSecret), body), bbb.ErrWebhookAuth},
		{"nothing", whCallback, whRequest(whCallback, "", body), bbb.ErrWebhookAuth},
		{"wrong bearer", whCallback, bearer("Bearer nope"), bbb.ErrWebhookAuth},
		{"bearer prefix only", whCallback, bearer("Bearer "), bbb.ErrWebhookAuth},
		{"lower-case bearer", whCallback, bearer("bearer " + whSecret), bbb.ErrWebhookAuth},
		{"bare secret", whCallback, bearer(whSecret), bbb.ErrWebhookAuth},
		{"basic", whCallback, bearer("Basic " + whSecret), bbb.ErrWebhookAuth},
		{"GET", whCallback, httptest.NewRequest(http.MethodGet, whCallback+"&checksum="+sum, nil), bbb.ErrWebhookPayload},
		{"empty body", whCallback, whRequest(whCallback, sum, ""), bbb.ErrWebhookPayload},
		{"too large", whCallback, whRequest(whCallback, sum, strings.Repeat("a", bbb.MaxWebhookBody+1)), bbb.ErrWebhookPayload},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := bbb.VerifyWebhook(tt.req, tt.callback, whSecret)
			require.Error(t, err)
			assert.Nil(t, got)
			assert.ErrorIs(t, err, tt.sentinel)
			var we *bbb.WebhookError
			require.ErrorAs(t, err, &we)
			assert.NotContains(t, err.Error(), whSecret)
			assert.NotContains(t, err.Error(), sum)
		})
	}
	t.Run("checksum without callback URL", func(t *testing.T) {
		t.Parallel()
		_, err := bbb.VerifyWebhook(whRequest(whCallback, sum, body), "", whSecret)
		require.ErrorIs(t, err, bbb.ErrInvalidParam)
	})
	t.Run("empty secret", func(t *testing.T) {
		t.Parallel()
		r := whRequest(whCallback, whSum(sha1.New, whCallback, body), body)
		_, err := bbb.VerifyWebhook(r, whCallback, "")
		require.ErrorIs(t, err, bbb.ErrEmptySecret)
	})
	t.Run("too large body stays readable", func(t *testing.T) {
		t.Parallel()
		big := strings.Repeat("a", bbb.MaxWebhookBody+10)
		r := whRequest(whCallback, sum, big)
		_, err := bbb.VerifyWebhook(r, whCallback, whSecret)
		require.ErrorIs(t, err, bbb.ErrWebhookPayload)
		rest, err := io.ReadAll(r.Body)
		require.NoError(t, err)
		assert.Len(t, rest, len(big))
	})
}

func TestParseWebhookEvents(t *testing.T) {
	t.Parallel()
	raw := `{"envelope":{"name":"MeetingEndedEvtMsg","routing":{"sender":"bbb-apps-akka"}},"core":{"header":{"name":"MeetingEndedEvtMsg","meetingId":"038b74cf04c0ee371f939c9e54de060753899589-1696511528029"},"body":{"meetingId":"038b74cf04c0ee371f939c9e54de060753899589-1696511528029"}}}`
	events, err := bbb.ParseWebhookEvents([]byte(whBody(whEnded, whJoined, raw, `{"unexpected":true}`, `"a string"`)))
	require.NoError(t, err)
	require.Len(t, events, 5)

	assert.Equal(t, "meeting-ended", events[0].ID)
	assert.Equal(t, "webinar-42", events[0].ExternalMeetingID)
	assert.Equal(t, "038b74cf04c0ee371f939c9e54de060753899589-1696511528029", events[0].InternalMeetingID)
	assert.Equal(t, time.UnixMilli(1696511606899).UTC(), events[0].Timestamp)
	assert.JSONEq(t, whEnded, string(events[0].Raw))

	assert.Equal(t, "user-joined", events[1].ID)
	var user struct {
		Data struct {
			Attributes struct {
				User struct {
					Name string `json:"name"`
				} `json:"user"`
			} `json:"attributes"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(events[1].Raw, &user))
	assert.Equal(t, "Zoé <b>&", user.Data.Attributes.User.Name)

	assert.Equal(t, "MeetingEndedEvtMsg", events[2].ID)
	assert.Equal(t, "038b74cf04c0ee371f939c9e54de060753899589-1696511528029", events[2].InternalMeetingID)
	assert.Empty(t, events[2].ExternalMeetingID)
	assert.True(t, events[2].Timestamp.IsZero())

	for _, e := range events[3:] {
		assert.Empty(t, e.ID)
		assert.NotEmpty(t, e.Raw)
	}
}

func TestParseWebhookEventsRefuses(t *testing.T) {
	t.Parallel()
	for name, body := range map[string]string{
		"not a form":       "%zz",
		"no event":         "domain=bbb.example.org&timestamp=1",
		"two events":       "event=%5B%5D&event=%5B%5D",
		"event not JSON":   "event=meeting-ended",
		"event not array":  "event=" + url.QueryEscape(whEnded),
		"truncated array":  "event=" + url.QueryEscape("["+whEnded),
		"empty":            "",
		"trailing garbage": "event=" + url.QueryEscape("[]x"),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := bbb.ParseWebhookEvents([]byte(body))
			require.ErrorIs(t, err, bbb.ErrWebhookPayload)
			assert.False(t, errors.Is(err, bbb.ErrWebhookAuth))
		})
	}
	t.Run("empty array", func(t *testing.T) {
		t.Parallel()
		events, err := bbb.ParseWebhookEvents([]byte("event=%5B%5D"))
		require.NoError(t, err)
		assert.Empty(t, events)
	})
}

// A webhook handler verifies each delivery before decoding its events.
func ExampleVerifyWebhook() {
	const secret = "shared-secret"
	const callbackURL = "https://portal.example.org/bbb/events" // as given to CreateHook

	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := bbb.VerifyWebhook(r, callbackURL, secret)
		if errors.Is(err, bbb.ErrWebhookAuth) {
			http.Error(w, "forbidden", http.StatusUnauthorized)
			return
		} else if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		events, err := bbb.ParseWebhookEvents(body)
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		for _, e := range events {
			fmt.Println(e.ID, e.ExternalMeetingID)
		}
	})

	// What bbb-webhooks sends (checksum mode, sha1 by default).
	body := "domain=bbb.example.org&event=" + url.QueryEscape(`[{"data":{"type":"event","id":"meeting-ended","attributes":{"meeting":{"internal-meeting-id":"abc-1","external-meeting-id":"webinar-42"}},"event":{"ts":1}}}]`) + "&timestamp=1"
	sum := sha1.Sum([]byte(callbackURL + body + secret))
	req := httptest.NewRequest(http.MethodPost, callbackURL+"?checksum="+hex.EncodeToString(sum[:]), strings.NewReader(body))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)

	forged := httptest.NewRequest(http.MethodPost, callbackURL+"?checksum="+hex.EncodeToString(sum[:]), strings.NewReader(body+"x"))
	rec = httptest.NewRecorder()
	handler.ServeHTTP(rec, forged)
	fmt.Println(rec.Code)
	// Output:
	// meeting-ended webinar-42
	// 401
}

func TestVerifyWebhookLeavesFormParsable(t *testing.T) {
	t.Parallel()
	body := whBody(whEnded)
	r := whRequest(whCallback, whSum(sha1.New, whCallback, body, whSecret), body)
	_, err := bbb.VerifyWebhook(r, whCallback, whSecret)
	require.NoError(t, err)
	require.NoError(t, r.ParseForm())
	assert.Equal(t, "1696511606950", r.PostForm.Get("timestamp"))
	assert.Equal(t, "bbb.example.org", r.PostForm.Get("domain"))
}
