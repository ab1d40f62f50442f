package bbbtest

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	// maxClientForm bounds the body of the client's form POSTs. A longest
	// valid message, percent-encoded, takes 4.5 KiB.
	maxClientForm = 8 << 10
)

const (
	clientTitle     = "BigBlueButton"
	msgInvalidToken = "Invalid session token. The meeting may have ended."
	msgMeetingEnded = "The meeting has ended."
)

// serveClientChat posts the form's message to the public chat as the
// session's user, then sends the browser back to the room (303).
func (s *Server) serveClientChat(w http.ResponseWriter, r *http.Request) {
	form, sess, now, ok := s.lockClientForm(w, r)
	if !ok {
		return
	}
	// The HTML5 client trims what was typed before sending it.
	msg := strings.TrimSpace(form.Get("message"))
	m := sess.meeting
	room := roomURL(sess.token, m.internalID)
	if m.findAttendeeInternal(sess.internalID) < 0 {
		s.unlock()
		writeClientPageLink(w, http.StatusForbidden, m.name, "You are not in the meeting, so you cannot chat.", room, "Join the meeting")
		return
	}
	if n := javaLen(msg); n < 1 || n > maxChatMessage {
		s.unlock()
		writeClientPageLink(w, http.StatusBadRequest, m.name,
			"Message must be between 1 and "+strconv.Itoa(maxChatMessage)+" characters.", room+"#send", "Back to the meeting")
		return
	}
	// As PostChat: a message typed by a participant.
	m.chat = append(m.chat, ChatMessage{UserName: sess.fullName, Message: msg, Time: now})
	s.unlock()
	setClientHeaders(w.Header())
	http.Redirect(w, r, room+"#send", http.StatusSeeOther)
}

// serveClientLeave takes the session's user out of the meeting, as
// UserLeaves does. Leaving twice is fine; opening the room again rejoins.
func (s *Server) serveClientLeave(w http.ResponseWriter, r *http.Request) {
	_, sess, now, ok := s.lockClientForm(w, r)
	if !ok {
		return
	}
	m := sess.meeting
	if i := m.findAttendeeInternal(sess.internalID); i >= 0 {
		s.leaveLocked(m, i, now)
	}
	name, room := m.name, roomURL(sess.token, m.internalID)
	s.unlock()
	writeClientPageLink(w, http.StatusOK, name, "You left the meeting.", room, "Rejoin")
}

// leaveLocked takes attendee i out of m at now, as UserLeaves does: when
// the last user leaves, the empty meeting's expiry starts.
func (s *Server) leaveLocked(m *meeting, i int, now time.Time) {
	s.webhookUserLocked(EventUserLeft, m, m.attendees[i])
	m.attendees = append(m.attendees[:i], m.attendees[i+1:]...)
	if m.moderatorHasJoined && m.lastModeratorLeft.IsZero() && !m.hasModerator() {
		m.lastModeratorLeft = now
		s.scheduleMeetingLocked(m)
	}
	if len(m.attendees) == 0 {
		m.emptySince = now
		s.scheduleMeetingLocked(m)
	}
}

// clientSessionLocked finds the session of a client page. With no live
// session, ended is the meeting hint (an internal meeting ID the page
// carries) names when that meeting has ended, which BBB still remembers
// for a minute. s.mu is held.
func (s *Server) clientSessionLocked(token, hint string) (sess *session, ended *meeting) {
	if found := s.sessions[token]; found != nil && s.meetings[found.meeting.id] == found.meeting {
		if found.meeting.ended {
			return nil, found.meeting
		}
		return found, nil
	}
	if hint != "" {
		if m := s.byInternal[hint]; m != nil && m.ended {
			return nil, m
		}
	}
	return nil, nil
}

// writeClientGoneLocked answers a client page whose session is not live:
// the meeting ended (endedStatus), with the way out the 3.0 client's
// "meeting ended" dialog offers, its OK going to the logout URL; or the
// token is unknown (401). s.mu is held.
func (s *Server) writeClientGoneLocked(w http.ResponseWriter, ended *meeting, endedStatus int) {
	if ended != nil {
		writeClientPageLink(w, endedStatus, ended.name, msgMeetingEnded, s.logoutURLOf(ended), "OK")
		return
	}
	writeClientPage(w, http.StatusUnauthorized, clientTitle, msgInvalidToken)
}

// clientForm checks a form POST of the client's pages and returns its
// fields: POST only (405), from this origin only (403), URL-encoded (415)
// and at most maxClientForm bytes (413). It has answered when ok is false.
// lockClientForm reads a form of the meeting room and finds its session,
// then returns holding the lock, with the time it was taken at. When it
// answers the request itself (a bad form, a session gone), it returns
// false, not holding the lock.
func (s *Server) lockClientForm(w http.ResponseWriter, r *http.Request) (form url.Values, sess *session, now time.Time, ok bool) {
	form, ok = clientForm(w, r)
	if !ok {
		return nil, nil, now, false
	}
	now = s.clock.Now()
	s.lock(now)
	sess, ended := s.clientSessionLocked(form.Get("sessionToken"), form.Get("meeting"))
	if sess == nil {
		s.writeClientGoneLocked(w, ended, http.StatusNotFound)
		s.unlock()
		return nil, nil, now, false
	}
	return form, sess, now, true
}

func clientForm(w http.ResponseWriter, r *http.Request) (form url.Values, ok bool) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeClientPage(w, http.StatusMethodNotAllowed, clientTitle, "Use the forms of the meeting page.")
		return nil, false
	}
	if crossOrigin(r) {
		writeClientPage(w, http.StatusForbidden, clientTitle, "Cross-site request refused.")
		return nil, false
	}
	if ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || ct != "application/x-www-form-urlencoded" {
		writeClientPage(w, http.StatusUnsupportedMediaType, clientTitle, "The form must be sent URL-encoded.")
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxClientForm)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			writeClientPage(w, http.StatusRequestEntityTooLarge, clientTitle, "The form is too large.")
			return nil, false
		}
		writeClientPage(w, http.StatusBadRequest, clientTitle, "The form could not be read.")
		return nil, false
	}
	return r.PostForm, true
}

// crossOrigin reports whether a browser says the request comes from
// another origin: Sec-Fetch-Site other than same-origin, or an Origin
// other than the request's host.
func crossOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host)
}
