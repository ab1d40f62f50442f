package bbb

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/bbbcast/bbbcast/bbb/internal/xmltree"
)

// The calls of bbb-webhooks, BBB's optional webhooks service, live under
// the same API root and are signed like the others, with the call name
// "hooks/create", "hooks/destroy" or "hooks/list" in the checksum. Older
// bbb-webhooks releases check SHA-1 checksums only: talk to them with a
// client made WithChecksum(SHA1).

// ErrHookNotFound matches the answer of hooks/destroy for an unknown hook
// ID (or a permanent hook, which cannot be removed through the API).
var ErrHookNotFound = &APIError{Key: "destroyMissingHook"}

// HookParams registers a webhook.
type HookParams struct {
	// CallbackURL receives the events (POST); required, http or https.
	// Keep it: VerifyWebhook needs it to check the checksum of deliveries.
	CallbackURL string `url:"callbackURL"`
	// MeetingID limits the hook to the events of one meeting (external
	// ID); empty registers a global hook.
	MeetingID string `url:"meetingID,omitempty"`
	// EventIDs limits the hook to these events, such as "meeting-ended"
	// or "user-joined" (bbb-webhooks 3.0+); empty sends every event.
	EventIDs []string `url:"eventID,comma,omitempty"`
	// GetRaw asks for BBB's internal messages instead of the mapped
	// events; nil keeps the server's default (mapped).
	GetRaw *bool `url:"getRaw,omitempty"`
}

// Hook is a registered webhook.
type Hook struct {
	// ID identifies the hook for DestroyHook: a small integer before
	// bbb-webhooks 3.0, a UUID since.
	ID          string
	CallbackURL string
	MeetingID   string   // empty for a global hook
	EventIDs    []string // empty when every event is sent
	Permanent   bool     // configured on the server; cannot be destroyed
	RawData     bool     // receives raw messages (getRaw)
	// Duplicate is set by CreateHook when a hook with the same callback URL
	// already existed (answer duplicateWarning): ID is then the existing
	// hook's, whose meeting and event filters may differ from the request.
	Duplicate bool
}

// CreateHook registers a webhook. Registering a callback URL twice is not
// an error: the existing hook comes back with Duplicate set. It is never
// retried.
func (c *Client) CreateHook(ctx context.Context, p *HookParams) (*Hook, error) {
	const call = "hooks/create"
	if p == nil {
		return nil, &ParamError{Call: call, Param: "params", Reason: "required"}
	}
	if err := p.validate(call); err != nil {
		return nil, err
	}
	q, err := encodeStruct(p)
	if err != nil {
		return nil, &ParamError{Call: call, Param: "params", Reason: "cannot be encoded: " + err.Error()}
	}
	resp, err := c.do(ctx, &request{call: call, query: q})
	if err != nil {
		return nil, err
	}
	h := &Hook{ID: text(resp.Child("hookID")), CallbackURL: p.CallbackURL}
	if h.ID == "" {
		// do returns SUCCESS answers only with a 2xx status.
		return nil, &ResponseError{Call: call, StatusCode: http.StatusOK, Reason: "SUCCESS without a hookID"}
	}
	if text(resp.Child("messageKey")) == "duplicateWarning" {
		h.Duplicate = true
		return h, nil
	}
	h.MeetingID = p.MeetingID
	h.EventIDs = p.EventIDs
	h.Permanent = parseBool(resp.ChildText("permanentHook"))
	h.RawData = parseBool(resp.ChildText("rawData"))
	return h, nil
}

func (p *HookParams) validate(call string) error {
	if err := validateCallbackURL(call, "callbackURL", p.CallbackURL); err != nil {
		return err
	}
	if p.MeetingID != "" {
		if err := validateMeetingID(call, "meetingID", p.MeetingID); err != nil {
			return err
		}
	}
	for _, e := range p.EventIDs {
		if e == "" || strings.ContainsAny(e, ", \t\r\n") {
			return &ParamError{Call: call, Param: "eventID", Reason: "event IDs must be non-empty, without commas or spaces"}
		}
	}
	return nil
}

// validateCallbackURL accepts an absolute http or https URL without
// credentials, fragment or checksum parameter.
func validateCallbackURL(call, param, raw string) error {
	if raw == "" {
		return &ParamError{Call: call, Param: param, Reason: "required"}
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &ParamError{Call: call, Param: param, Reason: "must be an absolute http or https URL"}
	}
	if u.User != nil || u.Fragment != "" {
		return &ParamError{Call: call, Param: param, Reason: "must not carry credentials or a fragment"}
	}
	if q, err := url.ParseQuery(u.RawQuery); err != nil || q.Has("checksum") {
		return &ParamError{Call: call, Param: param, Reason: "must have a well-formed query without a checksum parameter"}
	}
	return nil
}

// DestroyHook removes a webhook. An unknown ID gives an error matching
// ErrHookNotFound, which a caller removing idempotently can treat as done.
// It is never retried.
func (c *Client) DestroyHook(ctx context.Context, hookID string) error {
	const call = "hooks/destroy"
	if err := required(call, "hookID", hookID); err != nil {
		return err
	}
	r := request{call: call}
	r.query.add("hookID", hookID)
	_, err := c.do(ctx, &r)
	return err
}

// ListHooks lists webhooks. With a meeting ID it lists the hooks that
// receive that meeting's events: the global ones and the meeting's own;
// with "" it lists them all.
func (c *Client) ListHooks(ctx context.Context, meetingID string) ([]Hook, error) {
	const call = "hooks/list"
	if meetingID != "" {
		if err := validateMeetingID(call, "meetingID", meetingID); err != nil {
			return nil, err
		}
	}
	r := request{call: call, idempotent: true}
	r.query.addNonEmpty("meetingID", meetingID)
	resp, err := c.do(ctx, &r)
	if err != nil {
		return nil, err
	}
	list := resp.Child("hooks")
	hooks := make([]Hook, 0, list.CountChildren())
	for n := range list.Children() {
		if n.Name() == "hook" {
			hooks = append(hooks, decodeHook(n))
		}
	}
	return hooks, nil
}

func decodeHook(n xmltree.Node) Hook {
	var h Hook
	for c := range n.Children() {
		switch c.Name() {
		case "hookID":
			h.ID = text(c)
		case "callbackURL":
			h.CallbackURL = text(c)
		case "meetingID":
			h.MeetingID = text(c)
		case "eventID":
			for e := range strings.SplitSeq(text(c), ",") {
				if e = strings.TrimSpace(e); e != "" {
					h.EventIDs = append(h.EventIDs, e)
				}
			}
		case "permanentHook":
			h.Permanent = parseBool(c.Text())
		case "rawData":
			h.RawData = parseBool(c.Text())
		}
	}
	return h
}
