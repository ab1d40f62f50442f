package webinar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/bbbcast/bbbcast/bbb"
)

// MinMaxParticipants is the lowest limit of participants a webinar's
// meeting may have (Meeting.MaxParticipants; 0 means no limit): a
// presenter and the streaming bot, which counts as a participant. Leave
// room for every presenter, plus one.
const MinMaxParticipants = 2

// Metadata keys the Service sets on every meeting it creates (BBB keeps
// metadata keys lower-cased: a host key equal to one of them in any case,
// or starting with ServiceMetaPrefix, is refused).
const (
	MetaEndCallback    = "endCallbackUrl"
	MetaRecordingReady = "bbb-recording-ready-url"
	MetaOrigin         = "bbb-origin"
	// ServiceMetaPrefix starts the metadata keys of the Service
	// (bbbcast-webinar: the webinar's ID).
	ServiceMetaPrefix = "bbbcast-"
)

// ownedParams are the create parameters the Service sets, with why.
var ownedParams = []struct {
	name, reason string
	set          func(p *bbb.CreateParams) bool
}{
	{"name", "the meeting's name is the webinar's title: change the title", func(p *bbb.CreateParams) bool { return p.Name != "" }},
	{"meetingID", "the Service generates the meeting ID once and keeps it for the webinar's whole life",
		func(p *bbb.CreateParams) bool { return p.MeetingID != "" }},
	{"attendeePW", "the Service joins everyone by role, never by password", func(p *bbb.CreateParams) bool { return p.AttendeePW != "" }},
	{"moderatorPW", "the Service joins everyone by role, never by password", func(p *bbb.CreateParams) bool { return p.ModeratorPW != "" }},
	{"guestPolicy", "the streaming bot must get in without a moderator's approval: the Service sets ALWAYS_ACCEPT",
		func(p *bbb.CreateParams) bool { return p.GuestPolicy != "" && p.GuestPolicy != bbb.GuestAlwaysAccept }},
	{"isBreakout", "a webinar's meeting is never a breakout room", func(p *bbb.CreateParams) bool { return p.IsBreakout != nil && *p.IsBreakout }},
	{"parentMeetingID", "a webinar's meeting is never a breakout room", func(p *bbb.CreateParams) bool { return p.ParentMeetingID != "" }},
	{"sequence", "a webinar's meeting is never a breakout room", func(p *bbb.CreateParams) bool { return p.Sequence != 0 }},
}

// createParamNames are the parameters CreateParams models (its url tags),
// which Extra may not repeat.
var createParamNames = func() map[string]bool {
	names := map[string]bool{}
	t := reflect.TypeFor[bbb.CreateParams]()
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("url"), ","); name != "" && name != "-" && name != "meta" {
			names[name] = true
		}
	}
	return names
}()

// CheckMeeting checks a host's parameters of a webinar's BBB meeting, as
// Create and Update do (chatEnabled is the webinar's ChatEnabled), and
// returns the first problem as an *InputError whose Field is "meeting."
// followed by the BBB parameter's name:
//
//   - what the Service owns must be left unset: name (the title),
//     meetingID, attendeePW and moderatorPW, guestPolicy (but
//     ALWAYS_ACCEPT), isBreakout (but false), parentMeetingID, sequence,
//     and the metadata keys endCallbackUrl, bbb-recording-ready-url,
//     bbb-origin and bbbcast-* in any case;
//   - nothing may lock the streaming bot or the chat relay out:
//     maxParticipants is 0 (no limit) or at least MinMaxParticipants;
//     while the webinar's chat is enabled, lockSettingsDisablePublicChat
//     may not be true and disabledFeatures may not hold "chat";
//   - metadata keys follow BBB's syntax (bbb.ValidMetaKey), and Extra
//     holds neither a parameter CreateParams models (set its field),
//     nor a meta_ key (use Meta), nor a checksum.
//
// Every other parameter is the host's and passes through. nil is fine.
func CheckMeeting(p *bbb.CreateParams, chatEnabled bool) error {
	if p == nil {
		return nil
	}
	for _, o := range ownedParams {
		if o.set(p) {
			return &InputError{Field: "meeting." + o.name, Reason: "set by the Service: " + o.reason}
		}
	}
	for k := range p.Meta {
		if err := checkMetaKey(k); err != nil {
			return err
		}
	}
	for k := range p.Extra {
		switch {
		case strings.HasPrefix(k, "meta_"):
			return &InputError{Field: "meeting." + k, Reason: "metadata goes in Meta, where it is checked, not in Extra"}
		case k == "checksum":
			return &InputError{Field: "meeting.checksum", Reason: "the client signs the request itself"}
		case createParamNames[k]:
			return &InputError{Field: "meeting." + k, Reason: "CreateParams has a field for it: set the field, not Extra, so that it is sent once and checked"}
		case k == "":
			return &InputError{Field: "meeting.extra", Reason: "a parameter needs a name"}
		}
	}
	if p.MaxParticipants < 0 || p.MaxParticipants == 1 {
		return &InputError{Field: "meeting.maxParticipants", Reason: fmt.Sprintf(
			"0 for no limit or at least %d: the streaming bot takes a place besides the presenters, and a full meeting keeps it out", MinMaxParticipants)}
	}
	if chatEnabled {
		if p.LockSettingsDisablePublicChat != nil && *p.LockSettingsDisablePublicChat {
			return &InputError{Field: "meeting.lockSettingsDisablePublicChat",
				Reason: "the webinar's chat is enabled and reaches the meeting's public chat as a viewer, which this lock silences: disable the webinar's chat first"}
		}
		for _, f := range p.DisabledFeatures {
			if strings.EqualFold(strings.TrimSpace(f), "chat") {
				return &InputError{Field: "meeting.disabledFeatures",
					Reason: "the webinar's chat is enabled and needs the meeting's chat: disable the webinar's chat first"}
			}
		}
	}
	return nil
}

// checkMetaKey refuses a metadata key BBB would refuse, and one of the
// Service's.
func checkMetaKey(k string) error {
	field := "meeting.meta_" + k
	if !bbb.ValidMetaKey(k) {
		return &InputError{Field: field, Reason: "metadata keys must match [a-zA-Z][a-zA-Z0-9-]*, as BBB requires"}
	}
	low := strings.ToLower(k)
	for _, owned := range [...]string{MetaEndCallback, MetaRecordingReady, MetaOrigin} {
		if low == strings.ToLower(owned) {
			return &InputError{Field: field, Reason: "set by the Service, which receives the meeting's callbacks and marks its meetings"}
		}
	}
	if strings.HasPrefix(low, ServiceMetaPrefix) {
		return &InputError{Field: field, Reason: "keys starting with " + ServiceMetaPrefix + " are the Service's"}
	}
	return nil
}

// normMeeting returns nil for empty parameters.
func normMeeting(p *bbb.CreateParams) *bbb.CreateParams {
	if p == nil || reflect.ValueOf(*p).IsZero() {
		return nil
	}
	return p
}

// changeMeeting applies c.Meeting to w, refusing a change while a meeting
// of w exists.
func changeMeeting(w *Webinar, c Changes) error {
	if c.Meeting == nil {
		return nil
	}
	p := normMeeting(c.Meeting)
	if reflect.DeepEqual(p, w.Meeting) {
		return nil
	}
	if w.State != Scheduled && w.State != Failed {
		return fmt.Errorf("%w: the meeting's parameters cannot change while the webinar is %s (they apply when its meeting is created)",
			ErrInvalidState, w.State)
	}
	w.Meeting = p
	return nil
}

// meetingParams are the create parameters of w's meeting: the host's
// (Config.Meeting's, else w.Meeting), checked, with the Service's own.
func (s *Service) meetingParams(w *Webinar) (*bbb.CreateParams, error) {
	host := w.Meeting
	if s.meetingFn != nil {
		host = s.meetingFn(*w)
	}
	if err := CheckMeeting(host, w.ChatEnabled); err != nil {
		return nil, err
	}
	var p bbb.CreateParams
	if host != nil {
		p = *host // fields are replaced below, never written through
	}
	end, err := s.callbacks.EndCallbackURL(s.publicURL+endCallbackPath, w.MeetingID, w.ID)
	if err != nil {
		return nil, err
	}
	p.Name, p.MeetingID, p.GuestPolicy = w.Title, w.MeetingID, bbb.GuestAlwaysAccept
	if p.Record == nil {
		p.Record = bbb.Bool(false)
	}
	p.Meta = make(bbb.Metadata, len(p.Meta)+4)
	if host != nil {
		maps.Copy(p.Meta, host.Meta)
	}
	p.Meta[MetaEndCallback], p.Meta[MetaOrigin], p.Meta[ServiceMetaPrefix+"webinar"] = end, "bbbcast", w.ID
	if *p.Record {
		ready, err := s.recordingURL(w)
		if err != nil {
			return nil, err
		}
		p.Meta[MetaRecordingReady] = ready
	}
	return &p, nil
}

// Paths of the callbacks under PublicURL.
const (
	endCallbackPath       = "/callback/end"
	recordingCallbackPath = "/callback/recording"
)

// recordingURL is the recording-ready callback URL of w's meeting: the
// signed URL of an end callback (the same token, which proves the
// Service made it for that meeting and webinar) on its own path, with the
// meeting ID that BBB adds to an end callback but not to this POST.
func (s *Service) recordingURL(w *Webinar) (string, error) {
	u, err := s.callbacks.EndCallbackURL(s.publicURL+recordingCallbackPath, w.MeetingID, w.ID)
	if err != nil {
		return "", err
	}
	return u + "&meetingID=" + url.QueryEscape(w.MeetingID), nil
}

// createMeeting creates w's BBB meeting with its parameters and, when
// Config.Documents gives some, its presentation documents.
func (s *Service) createMeeting(ctx context.Context, w Webinar, p *bbb.CreateParams) (*bbb.CreateResult, error) {
	var docs []bbb.Document
	if s.documents != nil {
		docs = s.documents(w)
	}
	ctx, cancel := s.stepCtx(ctx)
	defer cancel()
	if len(docs) > 0 {
		return s.bbbFor(&w).CreateWithDocuments(ctx, p, docs)
	}
	return s.bbbFor(&w).Create(ctx, p)
}

// Recording is a recording BBB published, as its recording-ready
// callback tells it.
type Recording struct {
	MeetingID string // the webinar's BBB meeting ID
	RecordID  string // the recording's ID in BBB (getRecordings' recordID)
}

// errRecordingMismatch: a verified token names another meeting than the
// callback URL's.
var errRecordingMismatch = errors.New("webinar: the recording-ready token names another meeting")

// maxRecordingsSeen bounds the recordings remembered against repeats.
const maxRecordingsSeen = 4096

// recordingsSeen remembers the latest recordings told to the host, so
// that a repeated callback tells nothing again.
type recordingsSeen struct {
	mu    sync.Mutex
	seen  map[Recording]bool
	order []Recording
}

// add reports whether r is new, remembering it.
func (rs *recordingsSeen) add(r Recording) bool {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.seen[r] {
		return false
	}
	if rs.seen == nil {
		rs.seen = map[Recording]bool{}
	}
	if len(rs.order) >= maxRecordingsSeen {
		delete(rs.seen, rs.order[0])
		rs.order = rs.order[1:]
	}
	rs.seen[r] = true
	rs.order = append(rs.order, r)
	return true
}

// recordingReady handles a recording-ready callback whose URL was
// verified (cb): the webinar is its nonce, its meeting must be the URL's
// and the token's, and the token must be signed with the secret of the
// webinar's BBB server. The host hears of a recording once per process;
// told reports whether it heard of it now.
func (s *Service) recordingReady(ctx context.Context, cb bbb.EndCallback, signedParameters string) (rec Recording, told bool, err error) {
	if cb.Nonce == "" {
		return Recording{}, false, &bbb.CallbackError{Reason: "no webinar in the URL"}
	}
	w, err := s.store.Webinar(ctx, cb.Nonce)
	if err != nil {
		return Recording{}, false, err
	}
	if w.MeetingID != cb.MeetingID {
		return Recording{}, false, &bbb.CallbackError{Reason: "the URL names another meeting than its webinar's"}
	}
	client := s.bbbFor(&w)
	if client == nil {
		return Recording{}, false, ErrNotConfigured
	}
	ready, err := client.VerifyRecordingReady(signedParameters)
	if err != nil {
		return Recording{}, false, err
	}
	if ready.MeetingID != w.MeetingID {
		return Recording{}, false, errRecordingMismatch
	}
	rec = Recording{MeetingID: ready.MeetingID, RecordID: ready.RecordID}
	if !s.recordings.add(rec) {
		return rec, false, nil
	}
	s.notifier.Notify(ctx, Event{Kind: RecordingReady, WebinarID: w.ID, Recording: &rec})
	return rec, true, nil
}

// recordingCallback receives BBB's recording-ready POST. Its URL must
// carry the Service's token (403 otherwise), its form one
// signed_parameters (400), a token signed with the secret of the
// webinar's BBB server for the webinar's meeting (401 otherwise); the
// host is then told (RecordingReady), once. Neither the URL nor the token
// is logged.
func (h *handler) recordingCallback(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	ctx := r.Context()
	if h.s.callbacks == nil {
		http.Error(w, "not configured", http.StatusServiceUnavailable)
		return
	}
	cb, err := h.s.callbacks.VerifyEndCallback(r.URL.Query())
	if err != nil {
		h.s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: recording callback refused", slog.String("error", err.Error()))
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil || len(r.PostForm[bbb.RecordingReadyParam]) != 1 {
		h.s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: recording callback without one "+bbb.RecordingReadyParam,
			slog.String("meeting", cb.MeetingID))
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	rec, told, err := h.s.recordingReady(ctx, cb, r.PostForm.Get(bbb.RecordingReadyParam))
	switch {
	case err == nil:
		h.s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar: recording ready", slog.String("webinar", cb.Nonce),
			slog.String("meeting", rec.MeetingID), slog.String("record", rec.RecordID), slog.Bool("repeat", !told))
		w.WriteHeader(http.StatusOK)
	case errors.Is(err, bbb.ErrCallbackToken):
		h.s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: recording callback refused", slog.String("error", err.Error()))
		http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
	case errors.Is(err, bbb.ErrInvalidJWT), errors.Is(err, errRecordingMismatch):
		h.s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: recording callback token refused",
			slog.String("meeting", cb.MeetingID), slog.String("error", err.Error()))
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
	case errors.Is(err, ErrNotFound):
		h.s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar: recording callback for an unknown webinar", slog.String("meeting", cb.MeetingID))
		http.NotFound(w, r)
	default:
		h.s.logger.LogAttrs(ctx, slog.LevelError, "webinar: recording callback failed",
			slog.String("meeting", cb.MeetingID), slog.String("error", err.Error()))
		http.Error(w, "try again later", http.StatusServiceUnavailable)
	}
}
