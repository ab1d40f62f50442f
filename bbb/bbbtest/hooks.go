package bbbtest

import (
	"slices"
	"strconv"
	"strings"
)

// Hook is a webhook registered with hooks/create (bbb-webhooks). The fake
// posts the events of its meetings to it (see the package documentation
// and FireWebhook).
type Hook struct {
	ID          int
	CallbackURL string
	MeetingID   string // "" for a hook on every meeting
	EventIDs    []string
	Permanent   bool
	RawData     bool
}

type hook struct{ Hook }

// Hooks returns copies of the registered webhooks, by ID.
func (s *Server) Hooks() []Hook {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Hook, 0, len(s.hooks))
	for _, h := range s.hooks {
		c := h.Hook
		c.EventIDs = append([]string(nil), h.EventIDs...)
		out = append(out, c)
	}
	return out
}

// addPermanentHooksLocked registers the hooks of WithPermanentHook. s.mu
// is held (or the server not started).
func (s *Server) addPermanentHooksLocked() {
	for _, u := range s.cfg.permanentHooks {
		s.nextHookID++
		s.hooks = append(s.hooks, &hook{Hook{ID: s.nextHookID, CallbackURL: u, Permanent: true}})
	}
}

// hookExistsLocked reports whether hook id is registered. s.mu is held.
func (s *Server) hookExistsLocked(id int) bool {
	return slices.ContainsFunc(s.hooks, func(h *hook) bool { return h.ID == id })
}

// ---- hooks/create ----

func (s *Server) handleHooksCreate(e *exchange) {
	q := e.q
	cb := q.value("callbackURL")
	if cb == "" {
		s.fail(e, "missingParamCallbackURL", "You must specify a callbackURL in the parameters.")
		return
	}
	meetingID := q.value("meetingID")
	raw := parseJavaBool(q.value("getRaw"))
	var events []string
	for ev := range strings.SplitSeq(q.value("eventID"), ",") {
		if ev = strings.TrimSpace(ev); ev != "" {
			events = append(events, strings.ToLower(ev))
		}
	}
	s.mu.Lock()
	for _, h := range s.hooks {
		if h.CallbackURL == cb { // bbb-webhooks keys hooks by callback URL
			id := h.ID
			s.mu.Unlock()
			x := newXMLWriter()
			defer x.release()
			x.start("SUCCESS")
			x.int("hookID", int64(id))
			x.text("messageKey", "duplicateWarning")
			x.text("message", "There is already a hook for this callback URL.")
			x.end()
			s.writeXML(e, x)
			e.key = "duplicateWarning"
			return
		}
	}
	s.nextHookID++
	h := &hook{Hook{ID: s.nextHookID, CallbackURL: cb, MeetingID: meetingID, EventIDs: events, RawData: raw}}
	s.hooks = append(s.hooks, h)
	s.mu.Unlock()
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.int("hookID", int64(h.ID))
	x.bool("permanentHook", false)
	x.bool("rawData", raw)
	x.end()
	s.writeXML(e, x)
}

// ---- hooks/destroy ----

func (s *Server) handleHooksDestroy(e *exchange) {
	raw := e.q.value("hookID")
	if raw == "" {
		s.fail(e, "missingParamHookID", "You must specify a hookID in the parameters.")
		return
	}
	id, err := strconv.Atoi(raw)
	s.mu.Lock()
	idx := -1
	if err == nil {
		for i, h := range s.hooks {
			if h.ID == id {
				idx = i
				break
			}
		}
	}
	if idx < 0 {
		s.mu.Unlock()
		s.fail(e, "destroyMissingHook", "The hook informed was not found.")
		return
	}
	s.hooks = append(s.hooks[:idx], s.hooks[idx+1:]...)
	s.mu.Unlock()
	s.answerFlag(e, "removed", true)
}

// ---- hooks/list ----

func (s *Server) handleHooksList(e *exchange) {
	meetingID, filtered := e.q.get("meetingID")
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.open("hooks")
	s.mu.RLock()
	for _, h := range s.hooks {
		if filtered && h.MeetingID != "" && h.MeetingID != meetingID {
			continue
		}
		x.open("hook")
		x.int("hookID", int64(h.ID))
		x.text("callbackURL", h.CallbackURL)
		if h.MeetingID != "" {
			x.text("meetingID", h.MeetingID)
		}
		if len(h.EventIDs) > 0 {
			x.text("eventID", strings.Join(h.EventIDs, ","))
		}
		x.bool("permanentHook", h.Permanent)
		x.bool("rawData", h.RawData)
		x.close("hook")
	}
	s.mu.RUnlock()
	x.close("hooks")
	x.end()
	s.writeXML(e, x)
}
