package bbbtest

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// serveClientJoin plays the HTML5 client's entry page: the browser that
// follows join's redirect lands here, its user enters the meeting, and the
// page shows a minimal meeting room (attendees, public chat, the chat and
// leave forms) that refreshes itself. Opening the page again with the same
// token does not add a second user. With the internal meeting ID the room
// carries in its own URL (meeting=…), a session the end dropped gets "the
// meeting has ended" (410) rather than 401.
func (s *Server) serveClientJoin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.lock(s.clock.Now())
	sess, ended := s.clientSessionLocked(q.Get("sessionToken"), q.Get("meeting"))
	if sess == nil {
		s.writeClientGoneLocked(w, ended, http.StatusGone)
		s.unlock()
		return
	}
	m := sess.meeting
	switch sess.guestStatus {
	case guestWait:
		s.unlock()
		setClientHeaders(w.Header())
		http.Redirect(w, r, guestWaitURL(sess.token), http.StatusFound)
		return
	case guestDeny:
		// As enter's guestDeny: the client shows it and offers the way out.
		logout := s.logoutURLOf(m)
		s.unlock()
		writeClientPageLink(w, http.StatusForbidden, m.name, msgGuestDenied, logout, "OK")
		return
	}
	if m.findAttendeeInternal(sess.internalID) < 0 {
		if m.maxUsers > 0 && len(m.attendees) >= m.maxUsers {
			s.unlock()
			writeClientPage(w, http.StatusForbidden, m.name, "The maximum number of participants allowed for this meeting has been reached.")
			return
		}
		a := &attendee{
			internalID: sess.internalID,
			userID:     sess.userID,
			fullName:   sess.fullName,
			role:       sess.role,
			clientType: "HTML5",
			customData: append([]kv(nil), sess.customData...),
			guest:      sess.guest,
		}
		m.addAttendee(a)
		s.webhookUserLocked(EventUserJoined, m, a)
	}
	room := roomLocked(sess)
	room.UI = clientUIFor(s.version, sess.role, sess.customData)
	s.unlock()
	renderClientPage(w, http.StatusOK, clientPage{Title: room.Meeting, Room: room})
}

// msgGuestDenied is what a denied guest reads.
const msgGuestDenied = "Guest denied of joining the meeting."

func guestWaitURL(token string) string {
	return "/html5client/guestWait?" + url.Values{"sessionToken": {token}}.Encode()
}

// guestPollSeconds is how often the lobby page asks again, as the real
// page polls guestWait every 5 s.
const guestPollSeconds = 5

// serveGuestWait is the guest lobby a WAIT join redirects to. Like the
// real page, it follows the guest's status: while waiting it shows the
// place in the queue (2.5+) and reloads itself; once allowed it goes to
// the client, once denied to the meeting's logout URL.
func (s *Server) serveGuestWait(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("sessionToken")
	s.lock(s.clock.Now())
	sess := s.sessions[token]
	if sess == nil {
		s.unlock()
		writeClientPage(w, http.StatusUnauthorized, clientTitle, "Invalid session token.")
		return
	}
	m := sess.meeting
	var dest string
	switch sess.guestStatus {
	case guestAllow:
		dest = roomURL(sess.token, m.internalID)
	case guestDeny:
		dest = s.logoutURLOf(m)
	}
	if dest != "" {
		s.unlock()
		setClientHeaders(w.Header())
		http.Redirect(w, r, dest, http.StatusFound)
		return
	}
	text := "Please wait for a moderator to approve you joining the meeting."
	if s.version.atLeast(v25) {
		text += " You are number " + strconv.Itoa(s.positionLocked(sess)) + " in the waiting queue."
	}
	name := m.name
	s.unlock()
	renderClientPage(w, http.StatusOK, clientPage{Title: name, Text: text, Reload: guestPollSeconds})
}

// JoinError is why OpenJoinURL could not enter a meeting: BBB's messageKey
// and message, from the errors of a redirect or a FAILED answer.
type JoinError struct {
	StatusCode int // HTTP status of the join answer
	Key        string
	Message    string
}

func (e *JoinError) Error() string {
	if e.Key == "" {
		return "bbbtest: join failed with HTTP " + strconv.Itoa(e.StatusCode)
	}
	return "bbbtest: join failed: " + e.Key + ": " + e.Message
}

// OpenJoinURL does what a browser does with a join URL (such as one made
// by bbb.Client.JoinURL): it calls join on this server, follows the
// redirect to the HTML5 client and enters the meeting. It returns the user
// who entered, or a *JoinError with BBB's messageKey when the join was
// refused.
func (s *Server) OpenJoinURL(ctx context.Context, joinURL string) (Attendee, error) {
	hc := s.HTTPClient()
	get := func(u string) (*http.Response, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, nil, err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp, body, err
	}
	resp, body, err := get(joinURL)
	if err != nil {
		return Attendee{}, err
	}
	if resp.StatusCode != http.StatusFound {
		je := &JoinError{StatusCode: resp.StatusCode}
		var env struct {
			Key     string `xml:"messageKey"`
			Message string `xml:"message"`
		}
		if xml.Unmarshal(body, &env) == nil {
			je.Key, je.Message = env.Key, env.Message
		}
		return Attendee{}, je
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return Attendee{}, err
	}
	token := loc.Query().Get("sessionToken")
	if loc.Path != "/html5client/join" || token == "" {
		je := &JoinError{StatusCode: resp.StatusCode}
		var errs []struct{ Key, Message string }
		if json.Unmarshal([]byte(loc.Query().Get("errors")), &errs) == nil && len(errs) > 0 {
			je.Key, je.Message = errs[0].Key, errs[0].Message
		}
		return Attendee{}, je
	}
	resp, _, err = get(loc.String())
	if err != nil {
		return Attendee{}, err
	}
	if resp.StatusCode != http.StatusOK {
		return Attendee{}, &JoinError{StatusCode: resp.StatusCode}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if sess := s.sessions[token]; sess != nil {
		if i := sess.meeting.findAttendeeInternal(sess.internalID); i >= 0 {
			return sess.meeting.attendees[i].snapshot(), nil
		}
	}
	return Attendee{}, &JoinError{StatusCode: resp.StatusCode, Key: "guestWait", Message: "The guest waits for approval."}
}
