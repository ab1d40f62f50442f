package bbb

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Webhook deliveries. bbb-webhooks POSTs a form with "domain", "event" (a
// JSON array of one or more events) and "timestamp" to each hook's
// callback URL, authenticated in one of two ways depending on the
// server's configuration:
//
//   - a "checksum" parameter appended to the callback URL: the hex hash of
//     callbackURL + body + secret, where callbackURL is the URL the hook
//     was registered with and the hash (SHA-1 by default) is told by the
//     checksum's length, as for API calls;
//   - or the header "Authorization: Bearer <secret>" (auth2_0).
//
// bbb-webhooks 2.x hashed, instead of the raw body, the JSON text
// {"event":…,"timestamp":…,"domain":…}; VerifyWebhook accepts that form
// too. A few 3.0 releases hashed a constant instead of the body
// (callbackURL + "{}" + secret); such a checksum proves nothing about the
// body and is refused: configure those servers for bearer authentication
// or upgrade them.

// MaxWebhookBody bounds the body VerifyWebhook reads.
const MaxWebhookBody = 1 << 20

var (
	// ErrWebhookAuth is matched by a *WebhookError for a delivery that is
	// not authenticated: refuse it (HTTP 401).
	ErrWebhookAuth = errors.New("bbb: webhook not authenticated")
	// ErrWebhookPayload is matched by a *WebhookError for a delivery that
	// cannot be read or decoded (HTTP 400, or 413 when too large).
	ErrWebhookPayload = errors.New("bbb: malformed webhook delivery")
)

// WebhookError is why a webhook delivery was refused. It matches
// ErrWebhookAuth or ErrWebhookPayload and never holds the secret, the
// checksum or the body.
type WebhookError struct {
	Reason string
	kind   error
}

func (e *WebhookError) Error() string { return e.kind.Error() + ": " + e.Reason }

// Unwrap returns ErrWebhookAuth or ErrWebhookPayload.
func (e *WebhookError) Unwrap() error { return e.kind }

func webhookAuthError(reason string) error {
	return &WebhookError{Reason: reason, kind: ErrWebhookAuth}
}

func webhookPayloadError(reason string) error {
	return &WebhookError{Reason: reason, kind: ErrWebhookPayload}
}

// VerifyWebhook authenticates a webhook delivery and returns its raw body
// (at most MaxWebhookBody bytes), leaving r.Body readable again from the
// start. callbackURL is the URL exactly as given to CreateHook, which the
// checksum covers; secret is BBB's shared secret. Either authentication
// (checksum or bearer, see above) is accepted; comparisons are constant
// time. A refusal is a *WebhookError matching ErrWebhookAuth or
// ErrWebhookPayload. Pass the body to ParseWebhookEvents.
//
// bbb-webhooks 3.0.0 to 3.3.x computed their checksum over "{}" instead of
// the body (fixed in 3.4.0), so the same checksum came with every event:
// VerifyWebhook refuses those deliveries, which prove nothing about their
// body. Behind such a release, use its bearer authentication (auth2_0) or
// upgrade it.
func VerifyWebhook(r *http.Request, callbackURL, secret string) ([]byte, error) {
	if secret == "" {
		return nil, ErrEmptySecret
	}
	if r.Method != http.MethodPost {
		return nil, webhookPayloadError("method is not POST")
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, webhookPayloadError("empty body")
	}
	orig := r.Body
	body, err := io.ReadAll(io.LimitReader(orig, MaxWebhookBody+1))
	if err != nil {
		return nil, webhookPayloadError("reading body failed")
	}
	if len(body) > MaxWebhookBody {
		r.Body = readCloser{io.MultiReader(bytes.NewReader(body), orig), orig}
		return nil, webhookPayloadError("body larger than 1 MiB")
	}
	_ = orig.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 {
		return nil, webhookPayloadError("empty body")
	}

	sums := r.URL.Query()["checksum"]
	if len(sums) > 0 {
		if callbackURL == "" {
			return nil, &ParamError{Call: "webhook", Param: "callbackURL", Reason: "required to verify a checksum"}
		}
		// bbb-webhooks appends its checksum last, after any of the
		// callback URL's own parameters.
		if err := verifyWebhookChecksum(sums[len(sums)-1], callbackURL, body, secret); err != nil {
			return nil, err
		}
		return body, nil
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return nil, webhookAuthError("no checksum parameter and no Authorization header")
	}
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		return nil, webhookAuthError("Authorization is not a Bearer token")
	}
	// Hashing first makes the comparison independent of the lengths.
	got, want := sha256.Sum256([]byte(token)), sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return nil, webhookAuthError("bearer token does not match")
	}
	return body, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func verifyWebhookChecksum(sum, callbackURL string, body []byte, secret string) error {
	alg, ok := AlgorithmForLength(len(sum))
	if !ok {
		return webhookAuthError("checksum length matches no algorithm")
	}
	want := alg.sum(make([]byte, 0, alg.HexLen()), []byte(callbackURL), body, []byte(secret))
	if subtle.ConstantTimeCompare(want, []byte(sum)) == 1 {
		return nil
	}
	if legacy, ok := legacyWebhookJSON(body); ok {
		want = alg.sum(want[:0], []byte(callbackURL), legacy, []byte(secret))
		if subtle.ConstantTimeCompare(want, []byte(sum)) == 1 {
			return nil
		}
	}
	return webhookAuthError("checksum does not match")
}

// legacyWebhookJSON rebuilds what bbb-webhooks 2.x hashed: JavaScript's
// JSON.stringify of {event, timestamp, domain} (timestamp a number).
func legacyWebhookJSON(body []byte) ([]byte, bool) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, false
	}
	event, timestamp, domain := form["event"], form["timestamp"], form["domain"]
	if len(event) != 1 || len(timestamp) != 1 || len(domain) != 1 {
		return nil, false
	}
	if _, err := strconv.ParseUint(timestamp[0], 10, 64); err != nil {
		return nil, false
	}
	b := make([]byte, 0, len(body)+64)
	b = append(b, `{"event":`...)
	b = appendJSString(b, event[0])
	b = append(b, `,"timestamp":`...)
	b = append(b, timestamp[0]...)
	b = append(b, `,"domain":`...)
	b = appendJSString(b, domain[0])
	b = append(b, '}')
	return b, true
}

// appendJSString appends s quoted as JavaScript's JSON.stringify does:
// only '"', '\\' and control characters are escaped.
func appendJSString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

// WebhookEvent is one event of a webhook delivery.
type WebhookEvent struct {
	// ID is the event type, such as "meeting-created", "meeting-ended",
	// "user-joined" or "rap-publish-ended" (data.id). For raw messages
	// (getRaw) it is BBB's message name, such as "MeetingEndedEvtMsg".
	ID string
	// ExternalMeetingID is the meeting ID given to create
	// (data.attributes.meeting["external-meeting-id"]).
	ExternalMeetingID string
	// InternalMeetingID is BBB's internal meeting ID
	// (data.attributes.meeting["internal-meeting-id"]).
	InternalMeetingID string
	// Timestamp is when the event happened (data.event.ts), or the zero
	// time.
	Timestamp time.Time
	// Raw is the event's JSON, for the fields not decoded here.
	Raw json.RawMessage
}

// ParseWebhookEvents decodes the events of a webhook delivery body (as
// VerifyWebhook returns it): the JSON array of its "event" field. Events
// of an unknown shape are kept with only Raw set. A malformed body is a
// *WebhookError matching ErrWebhookPayload.
func ParseWebhookEvents(body []byte) ([]WebhookEvent, error) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, webhookPayloadError("body is not a form")
	}
	field := form["event"]
	if len(field) != 1 {
		return nil, webhookPayloadError("the form must have exactly one event field")
	}
	var raws []json.RawMessage
	if err := json.Unmarshal([]byte(field[0]), &raws); err != nil {
		return nil, webhookPayloadError("event field is not a JSON array")
	}
	events := make([]WebhookEvent, 0, len(raws))
	for _, raw := range raws {
		events = append(events, decodeWebhookEvent(raw))
	}
	return events, nil
}

func decodeWebhookEvent(raw json.RawMessage) WebhookEvent {
	var v struct {
		Data *struct {
			ID         string `json:"id"`
			Attributes struct {
				Meeting struct {
					External string `json:"external-meeting-id"`
					Internal string `json:"internal-meeting-id"`
				} `json:"meeting"`
			} `json:"attributes"`
			Event struct {
				TS json.Number `json:"ts"`
			} `json:"event"`
		} `json:"data"`
		Core *struct {
			Header struct {
				Name      string `json:"name"`
				MeetingID string `json:"meetingId"`
			} `json:"header"`
		} `json:"core"`
	}
	e := WebhookEvent{Raw: raw}
	if json.Unmarshal(raw, &v) != nil {
		return e
	}
	switch {
	case v.Data != nil:
		e.ID = v.Data.ID
		e.ExternalMeetingID = v.Data.Attributes.Meeting.External
		e.InternalMeetingID = v.Data.Attributes.Meeting.Internal
		if ms, err := v.Data.Event.TS.Int64(); err == nil && ms > 0 {
			e.Timestamp = time.UnixMilli(ms).UTC()
		}
	case v.Core != nil:
		e.ID = v.Core.Header.Name
		e.InternalMeetingID = v.Core.Header.MeetingID
	}
	return e
}
