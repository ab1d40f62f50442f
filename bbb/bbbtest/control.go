package bbbtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// ControlPath is the prefix of the control API, a JSON API that plays the
// helpers' part for suites that cannot call them (PHP, Python, JavaScript
// driving the fakebbb command): list meetings and attendees, make users
// join and leave, end meetings, inject faults, add recordings, list
// webhooks, fire webhook events, reset. It is outside BasePath, never needs a checksum, and is
// not in the request log; faults do not apply to it. Requests with a
// cross-site Origin or Sec-Fetch-Site header are refused, so a web page
// cannot drive it; anyone who can reach the server can. The endpoints:
//
//	GET    /_control/                  {"version", "url", "publicURL", "checksumAlgorithms"}
//	GET    /_control/meetings          {"meetings": [meeting…]}, the ones getMeetings lists
//	GET    /_control/meeting?meetingID=…  meeting, also one ended less than a minute ago
//	POST   /_control/join              {"meetingID", "fullName", "role"} → {"userID"}
//	POST   /_control/leave             {"meetingID", "userID"} → {"ok": true}
//	POST   /_control/end               {"meetingID"} → {"ok": true}
//	GET    /_control/guests?meetingID=…  {"guests": [{"userID", "internalUserID", "fullName", "role", "since" (ms), "position"}]}
//	POST   /_control/guests            {"meetingID", "userID", "status": "ALLOW" or "DENY"} → {"ok": true}
//	POST   /_control/faults            {"call", "status", "body", "contentType", "key", "message", "delay", "times"} → {"ok": true}
//	DELETE /_control/faults            → {"ok": true}
//	GET    /_control/recordings        {"recordings": [recording…]}
//	POST   /_control/recordings        recording → {"recordID"}
//	GET    /_control/hooks             {"hooks": [hook…]}
//	POST   /_control/webhooks          {"event", "meetingID", "userID"} → {"hooks": n}
//	GET    /_control/deliveries        {"deliveries": [delivery…]}, webhook and recording-ready POSTs
//	GET    /_control/callbacks         {"callbacks": [callback…]}, end callback attempts
//	POST   /_control/reset             → {"ok": true}
//
// A meeting is {"meetingID", "internalMeetingID", "meetingName",
// "createTime" (ms), "attendeePW", "moderatorPW", "voiceBridge", "running",
// "hasUserJoined", "ended", "recording", "isBreakout", "parentMeetingID",
// "metadata", "participantCount", "attendees": [{"userID",
// "internalUserID", "fullName", "role", "isPresenter", "isListeningOnly",
// "hasJoinedVoice", "hasVideo", "guest", "clientType", "customData"}]}.
// The actions are the helpers UserJoins, UserLeaves, EndMeeting (end
// callback included), Fail (call "*" for every call, "" for the version
// probe; delay is a Go duration such as "1.5s"), ClearFaults, AddRecording,
// GuestsWaiting, ApproveGuest and DenyGuest (userID "" for every guest
// waiting) and Reset; POST /webhooks is FireWebhook (userID only for user-joined
// and user-left). A recording is {"recordID", "meetingID", "internalMeetingID",
// "name", "isBreakout", "state", "startTime" and "endTime" (ms),
// "participants", "rawSize" and "size" (bytes), "metadata", "playback":
// [{"type", "url", "length", "processingTime", "size", "preview": [{"url",
// "alt", "width", "height"}]}]}; all but meetingID are optional, as for
// AddRecording.
//
// A delivery is {"kind" ("webhook" or "recording-ready"), "url", "meetingID",
// "recordID", "event", "hookID", "body" (the form sent), "time" (ms),
// "statusCode" (0 when no answer came), "error", "attempt", "nextRetry"
// (ms, 0 for none), "hookRemoved"}; a callback is
// {"meetingID", "url", "attempt", "time", "statusCode", "error",
// "nextRetry" (ms, 0 for none)}, as Deliveries and Callbacks return them.
//
// Bodies are JSON objects (at most 1 MiB, unknown fields refused), answers
// are JSON. Errors are {"error": "…"} with HTTP 400 (bad JSON, missing or
// invalid field, invalid role), 403 (cross-site request), 404 (unknown
// endpoint, meeting or user), 405 (wrong method, with Allow) or 409 (the
// meeting has ended or is full).
const ControlPath = "/_control"

// ControlHandler returns the control API (see ControlPath) as a handler
// of paths relative to ControlPath ("/meetings", …), for instance to mount
// with http.StripPrefix on another mux. The server already serves it under
// ControlPath.
func (s *Server) ControlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.serveControl(w, r, r.URL.Path) })
}

// controlBodyLimit bounds a control request's body.
const controlBodyLimit = 1 << 20

type controlAttendee struct {
	UserID          string            `json:"userID"`
	InternalUserID  string            `json:"internalUserID"`
	FullName        string            `json:"fullName"`
	Role            string            `json:"role"`
	IsPresenter     bool              `json:"isPresenter"`
	IsListeningOnly bool              `json:"isListeningOnly"`
	HasJoinedVoice  bool              `json:"hasJoinedVoice"`
	HasVideo        bool              `json:"hasVideo"`
	Guest           bool              `json:"guest"`
	ClientType      string            `json:"clientType"`
	CustomData      map[string]string `json:"customData"`
}

type controlMeeting struct {
	MeetingID         string            `json:"meetingID"`
	InternalMeetingID string            `json:"internalMeetingID"`
	Name              string            `json:"meetingName"`
	CreateTime        int64             `json:"createTime"`
	AttendeePW        string            `json:"attendeePW"`
	ModeratorPW       string            `json:"moderatorPW"`
	VoiceBridge       string            `json:"voiceBridge"`
	Running           bool              `json:"running"`
	HasUserJoined     bool              `json:"hasUserJoined"`
	Ended             bool              `json:"ended"`
	Recording         bool              `json:"recording"`
	IsBreakout        bool              `json:"isBreakout"`
	ParentMeetingID   string            `json:"parentMeetingID,omitempty"`
	Metadata          map[string]string `json:"metadata"`
	ParticipantCount  int               `json:"participantCount"`
	Attendees         []controlAttendee `json:"attendees"`
}

func controlMeetingOf(m Meeting) controlMeeting {
	out := controlMeeting{
		MeetingID: m.MeetingID, InternalMeetingID: m.InternalMeetingID, Name: m.Name,
		CreateTime: m.CreateTimeMillis, AttendeePW: m.AttendeePW, ModeratorPW: m.ModeratorPW,
		VoiceBridge: m.VoiceBridge, Running: m.Running, HasUserJoined: m.HasUserJoined, Ended: m.Ended,
		Recording: m.Recording, IsBreakout: m.IsBreakout, ParentMeetingID: m.ParentMeetingID,
		Metadata: nonNil(m.Metadata), ParticipantCount: len(m.Attendees),
		Attendees: make([]controlAttendee, 0, len(m.Attendees)),
	}
	for _, a := range m.Attendees {
		out.Attendees = append(out.Attendees, controlAttendee{
			UserID: a.UserID, InternalUserID: a.InternalUserID, FullName: a.FullName, Role: a.Role,
			IsPresenter: a.IsPresenter, IsListeningOnly: a.IsListeningOnly, HasJoinedVoice: a.HasJoinedVoice,
			HasVideo: a.HasVideo, Guest: a.Guest, ClientType: a.ClientType, CustomData: nonNil(a.CustomData),
		})
	}
	return out
}

type controlPlayback struct {
	Type           string         `json:"type"`
	URL            string         `json:"url"`
	Length         int            `json:"length"`
	ProcessingTime int            `json:"processingTime"`
	Size           int64          `json:"size"`
	Preview        []controlImage `json:"preview"`
}

type controlImage struct {
	URL    string `json:"url"`
	Alt    string `json:"alt"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type controlRecording struct {
	RecordID          string            `json:"recordID"`
	MeetingID         string            `json:"meetingID"`
	InternalMeetingID string            `json:"internalMeetingID"`
	Name              string            `json:"name"`
	IsBreakout        bool              `json:"isBreakout"`
	State             string            `json:"state"`
	StartTime         int64             `json:"startTime"`
	EndTime           int64             `json:"endTime"`
	Participants      int               `json:"participants"`
	RawSize           int64             `json:"rawSize"`
	Size              int64             `json:"size"`
	Metadata          map[string]string `json:"metadata"`
	Playback          []controlPlayback `json:"playback"`
}

func controlRecordingOf(r Recording) controlRecording {
	out := controlRecording{
		RecordID: r.RecordID, MeetingID: r.MeetingID, InternalMeetingID: r.InternalMeetingID, Name: r.Name,
		IsBreakout: r.IsBreakout, State: r.State, StartTime: millis(r.StartTime), EndTime: millis(r.EndTime),
		Participants: r.Participants, RawSize: r.RawSize, Size: r.Size, Metadata: nonNil(r.Metadata),
		Playback: make([]controlPlayback, 0, len(r.Playback)),
	}
	for _, p := range r.Playback {
		cp := controlPlayback{
			Type: p.Type, URL: p.URL, Length: p.Length, ProcessingTime: p.ProcessingTime, Size: p.Size,
			Preview: make([]controlImage, 0, len(p.Preview)),
		}
		for _, im := range p.Preview {
			cp.Preview = append(cp.Preview, controlImage(im))
		}
		out.Playback = append(out.Playback, cp)
	}
	return out
}

// playback is the inverse of controlRecordingOf for one playback format.
func (p controlPlayback) playback() Playback {
	out := Playback{Type: p.Type, URL: p.URL, Length: p.Length, ProcessingTime: p.ProcessingTime, Size: p.Size}
	for _, im := range p.Preview {
		out.Preview = append(out.Preview, Image(im))
	}
	return out
}

type controlHook struct {
	ID          int      `json:"hookID"`
	CallbackURL string   `json:"callbackURL"`
	MeetingID   string   `json:"meetingID"`
	EventIDs    []string `json:"eventIDs"`
	Permanent   bool     `json:"permanentHook"`
	RawData     bool     `json:"rawData"`
}

type controlFault struct {
	Call        *string `json:"call"`
	Status      int     `json:"status"`
	Body        string  `json:"body"`
	ContentType string  `json:"contentType"`
	Key         string  `json:"key"`
	Message     string  `json:"message"`
	Delay       string  `json:"delay"`
	Times       int     `json:"times"`
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

var controlOK = map[string]bool{"ok": true}

// controlError is an error answer of the control API.
type controlError struct {
	status int
	msg    string
}

func (e *controlError) Error() string { return e.msg }

func badRequest(format string, a ...any) error {
	return &controlError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

// helperStatus maps a helper's error to an HTTP status.
func helperStatus(err error) int {
	switch {
	case errors.Is(err, ErrNoMeeting), errors.Is(err, ErrNoUser), errors.Is(err, ErrNoRecording):
		return http.StatusNotFound
	case errors.Is(err, ErrMeetingEnded), errors.Is(err, ErrMeetingFull), errors.Is(err, ErrNotRecorded):
		return http.StatusConflict
	case errors.Is(err, ErrInvalidRole):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// controlRoute is one endpoint: its handler per method.
type controlRoute map[string]func(*Server, *http.Request) (any, error)

var controlRoutes = map[string]controlRoute{
	"/":           {http.MethodGet: (*Server).controlInfo},
	"/meetings":   {http.MethodGet: (*Server).controlMeetings},
	"/meeting":    {http.MethodGet: (*Server).controlMeeting},
	"/join":       {http.MethodPost: (*Server).controlJoin},
	"/leave":      {http.MethodPost: (*Server).controlLeave},
	"/end":        {http.MethodPost: (*Server).controlEnd},
	"/faults":     {http.MethodPost: (*Server).controlFail, http.MethodDelete: (*Server).controlClearFaults},
	"/recordings": {http.MethodGet: (*Server).controlRecordings, http.MethodPost: (*Server).controlAddRecording},
	"/hooks":      {http.MethodGet: (*Server).controlHooks},
	"/webhooks":   {http.MethodPost: (*Server).controlFireWebhook},
	"/deliveries": {http.MethodGet: (*Server).controlDeliveries},
	"/callbacks":  {http.MethodGet: (*Server).controlCallbacks},
	"/guests":     {http.MethodGet: (*Server).controlGuests, http.MethodPost: (*Server).controlDecideGuests},
	"/reset":      {http.MethodPost: (*Server).controlReset},
}

// serveControl answers a control request; path is relative to ControlPath.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request, path string) {
	if path == "" {
		path = "/"
	}
	rt, ok := controlRoutes[path]
	if !ok {
		writeControl(w, http.StatusNotFound, map[string]string{"error": "no such control endpoint"})
		return
	}
	h, ok := rt[r.Method]
	if !ok && r.Method == http.MethodHead {
		h, ok = rt[http.MethodGet]
	}
	if !ok {
		allow := make([]string, 0, len(rt))
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete} {
			if rt[m] != nil {
				allow = append(allow, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeControl(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && crossOrigin(r) {
		writeControl(w, http.StatusForbidden, map[string]string{"error": "cross-site request"})
		return
	}
	v, err := h(s, r)
	if err != nil {
		status := helperStatus(err)
		var ce *controlError
		if errors.As(err, &ce) {
			status = ce.status
		}
		writeControl(w, status, map[string]string{"error": err.Error()})
		return
	}
	writeControl(w, http.StatusOK, v)
}

func writeControl(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decodeControl reads r's JSON object body into v.
func decodeControl(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, controlBodyLimit+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("bad JSON body: %v", err)
	}
	if dec.More() {
		return badRequest("bad JSON body: more than one value")
	}
	return nil
}

func requireField(name, v string) error {
	if v == "" {
		return badRequest("missing %s", name)
	}
	return nil
}

func (s *Server) controlInfo(*http.Request) (any, error) {
	algs := make([]string, 0, len(s.algs))
	for _, a := range s.algs {
		algs = append(algs, a.String())
	}
	return map[string]any{
		"version":            s.Version(),
		"url":                s.URL,
		"publicURL":          s.host + BasePath,
		"checksumAlgorithms": algs,
	}, nil
}

func (s *Server) controlMeetings(*http.Request) (any, error) {
	list := s.Meetings()
	out := make([]controlMeeting, 0, len(list))
	for _, m := range list {
		out = append(out, controlMeetingOf(m))
	}
	return map[string][]controlMeeting{"meetings": out}, nil
}

func (s *Server) controlMeeting(r *http.Request) (any, error) {
	id := r.URL.Query().Get("meetingID")
	if err := requireField("meetingID", id); err != nil {
		return nil, err
	}
	m, ok := s.Meeting(id)
	if !ok {
		return nil, ErrNoMeeting
	}
	return controlMeetingOf(m), nil
}

func (s *Server) controlJoin(r *http.Request) (any, error) {
	var in struct {
		MeetingID string `json:"meetingID"`
		FullName  string `json:"fullName"`
		Role      string `json:"role"`
	}
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	if err := errors.Join(requireField("meetingID", in.MeetingID), requireField("fullName", in.FullName),
		requireField("role", in.Role)); err != nil {
		return nil, badRequest("%v", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	id, err := s.UserJoins(in.MeetingID, in.FullName, in.Role)
	if err != nil {
		return nil, err
	}
	return map[string]string{"userID": id}, nil
}

func (s *Server) controlLeave(r *http.Request) (any, error) {
	var in struct {
		MeetingID string `json:"meetingID"`
		UserID    string `json:"userID"`
	}
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	if err := errors.Join(requireField("meetingID", in.MeetingID), requireField("userID", in.UserID)); err != nil {
		return nil, badRequest("%v", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	if err := s.UserLeaves(in.MeetingID, in.UserID); err != nil {
		return nil, err
	}
	return controlOK, nil
}

func (s *Server) controlEnd(r *http.Request) (any, error) {
	var in struct {
		MeetingID string `json:"meetingID"`
	}
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	if err := requireField("meetingID", in.MeetingID); err != nil {
		return nil, err
	}
	if err := s.EndMeeting(in.MeetingID); err != nil {
		return nil, err
	}
	return controlOK, nil
}

func (s *Server) controlFail(r *http.Request) (any, error) {
	var in controlFault
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	if in.Call == nil {
		return nil, badRequest(`missing call ("*" for every call, "" for the version probe)`)
	}
	f := Fault{Status: in.Status, Body: in.Body, ContentType: in.ContentType, Key: in.Key, Message: in.Message, Times: in.Times}
	if in.Status != 0 && (in.Status < 100 || in.Status > 999) {
		return nil, badRequest("invalid status %d", in.Status)
	}
	if in.Times < 0 {
		return nil, badRequest("invalid times %d", in.Times)
	}
	if in.Delay != "" {
		d, err := time.ParseDuration(in.Delay)
		if err != nil || d < 0 {
			return nil, badRequest("invalid delay %q: want a Go duration such as \"1.5s\"", in.Delay)
		}
		f.Delay = d
	}
	if f == (Fault{Times: f.Times}) {
		return nil, badRequest("the fault does nothing: set status, key or delay")
	}
	s.Fail(*in.Call, f)
	return controlOK, nil
}

func (s *Server) controlClearFaults(*http.Request) (any, error) {
	s.ClearFaults()
	return controlOK, nil
}

func (s *Server) controlRecordings(*http.Request) (any, error) {
	list := s.Recordings()
	out := make([]controlRecording, 0, len(list))
	for _, r := range list {
		out = append(out, controlRecordingOf(r))
	}
	return map[string][]controlRecording{"recordings": out}, nil
}

func (s *Server) controlAddRecording(r *http.Request) (any, error) {
	var in controlRecording
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	if err := requireField("meetingID", in.MeetingID); err != nil {
		return nil, err
	}
	switch in.State {
	case "", "published", "unpublished", "deleted", "processing", "processed":
	default:
		return nil, badRequest("invalid state %q", in.State)
	}
	rec := Recording{
		RecordID: in.RecordID, MeetingID: in.MeetingID, InternalMeetingID: in.InternalMeetingID, Name: in.Name,
		IsBreakout: in.IsBreakout, State: in.State, Participants: in.Participants,
		RawSize: in.RawSize, Size: in.Size, Metadata: in.Metadata,
	}
	if in.StartTime != 0 {
		rec.StartTime = time.UnixMilli(in.StartTime)
	}
	if in.EndTime != 0 {
		rec.EndTime = time.UnixMilli(in.EndTime)
	}
	for _, p := range in.Playback {
		rec.Playback = append(rec.Playback, p.playback())
	}
	return map[string]string{"recordID": s.AddRecording(rec)}, nil
}

func (s *Server) controlHooks(*http.Request) (any, error) {
	list := s.Hooks()
	out := make([]controlHook, 0, len(list))
	for _, h := range list {
		events := h.EventIDs
		if events == nil {
			events = []string{}
		}
		out = append(out, controlHook{ID: h.ID, CallbackURL: h.CallbackURL, MeetingID: h.MeetingID,
			EventIDs: events, Permanent: h.Permanent, RawData: h.RawData})
	}
	return map[string][]controlHook{"hooks": out}, nil
}

func (s *Server) controlFireWebhook(r *http.Request) (any, error) {
	var in struct {
		Event     string `json:"event"`
		MeetingID string `json:"meetingID"`
		UserID    string `json:"userID"`
	}
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	if err := errors.Join(requireField("event", in.Event), requireField("meetingID", in.MeetingID)); err != nil {
		return nil, badRequest("%v", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	n, err := s.FireWebhook(in.Event, in.MeetingID, in.UserID)
	if err != nil {
		return nil, err
	}
	return map[string]int{"hooks": n}, nil
}

func (s *Server) controlReset(*http.Request) (any, error) {
	s.Reset()
	return controlOK, nil
}
