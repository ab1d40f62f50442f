package bbbtest

import (
	"cmp"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// The guest lobby. A guest whose join gets WAIT (guestPolicy ASK_MODERATOR,
// or ALWAYS_ACCEPT_AUTH for an unauthenticated guest) is redirected to
// /html5client/guestWait, whose page polls the guestWait call until a
// moderator allows or denies it (GuestsWaitingApprovedMsg in akka-apps;
// here ApproveGuest, DenyGuest or the control API).

// Guest statuses, as join and guestWait report them.
const (
	guestAllow = "ALLOW"
	guestWait  = "WAIT"
	guestDeny  = "DENY"
)

// Guest is a user waiting in a meeting's guest lobby.
type Guest struct {
	// UserID is the join's userID, or InternalUserID when it had none.
	UserID         string
	InternalUserID string
	FullName       string
	Role           string    // VIEWER (a moderator never waits)
	Since          time.Time // when the join put the guest in the lobby
	Position       int       // 1 for the guest waiting longest
}

// waitingLocked returns m's guests in the lobby, longest waiting first.
// s.mu is held.
func (s *Server) waitingLocked(m *meeting) []*session {
	var out []*session
	for _, sess := range s.sessions {
		if sess.meeting == m && sess.guestStatus == guestWait {
			out = append(out, sess)
		}
	}
	slices.SortFunc(out, func(a, b *session) int {
		if c := a.since.Compare(b.since); c != 0 {
			return c
		}
		return cmp.Compare(a.internalID, b.internalID)
	})
	return out
}

// positionLocked is sess's 1-based place in its meeting's lobby.
func (s *Server) positionLocked(sess *session) int {
	return slices.Index(s.waitingLocked(sess.meeting), sess) + 1
}

// GuestsWaiting returns the guests in the meeting's lobby, longest waiting
// first.
func (s *Server) GuestsWaiting(meetingID string) ([]Guest, error) {
	s.lock(s.clock.Now())
	defer s.unlock()
	m, err := s.liveForHelper(meetingID)
	if err != nil {
		return nil, err
	}
	waiting := s.waitingLocked(m)
	out := make([]Guest, len(waiting))
	for i, sess := range waiting {
		out[i] = Guest{
			UserID: sess.userID, InternalUserID: sess.internalID, FullName: sess.fullName,
			Role: sess.role, Since: sess.since, Position: i + 1,
		}
	}
	return out, nil
}

// ApproveGuest lets a waiting guest in, as a moderator's "Allow" does:
// the guest's next guestWait poll gets ALLOW and the client URL. userID is
// the join's userID or the internal user ID; "" approves every guest
// waiting. It returns ErrNoUser when no such guest waits.
func (s *Server) ApproveGuest(meetingID, userID string) error {
	return s.decideGuests(meetingID, userID, guestAllow)
}

// DenyGuest turns a waiting guest away, as a moderator's "Deny" does: the
// guest's next guestWait poll gets DENY and the meeting's logout URL, and
// the client refuses the session. "" denies every guest waiting.
func (s *Server) DenyGuest(meetingID, userID string) error {
	return s.decideGuests(meetingID, userID, guestDeny)
}

func (s *Server) decideGuests(meetingID, userID, status string) error {
	s.lock(s.clock.Now())
	defer s.unlock()
	m, err := s.liveForHelper(meetingID)
	if err != nil {
		return err
	}
	found := false
	for _, sess := range s.waitingLocked(m) {
		if userID == "" || sess.userID == userID || sess.internalID == userID {
			sess.guestStatus, found = status, true
		}
	}
	if !found && userID != "" {
		return ErrNoUser
	}
	return nil
}

// logoutURLOf is where m's users go when they leave or are turned away:
// create's logoutURL, else the server's default (its root), as BBB's
// bigbluebutton.web.logoutURL=default.
func (s *Server) logoutURLOf(m *meeting) string {
	if isAbsoluteURL(m.logoutURL) {
		return m.logoutURL
	}
	return s.host + "/"
}

// handleGuestWait is the guestWait call the lobby page polls (GET, no
// checksum; bbb-web's guestWaitHandler). It answers JSON, or with
// redirect=true (the default) a 302 to the client once the guest is
// allowed.
func (s *Server) handleGuestWait(e *exchange) {
	token, hasToken := e.q.get("sessionToken")
	s.lock(e.now)
	sess := s.sessions[token]
	if !hasToken || token == "" || sess == nil {
		s.unlock()
		key, msg := "missingSession", "Invalid session token"
		if !hasToken || token == "" {
			key, msg = "missingToken", "You must provide a session token"
		}
		s.writeJSON(e, http.StatusOK, map[string]any{
			"returncode": "FAILED", "messageKey": key, "message": msg, "url": s.host + "/",
		})
		return
	}
	m := sess.meeting
	status := sess.guestStatus
	redirect := true
	if r, ok := e.q.get("redirect"); ok && r != "" {
		redirect = parseJavaBool(r)
	}
	var key, msg, dest string
	switch status {
	case guestWait:
		key, msg = "guestWait", "Please wait for a moderator to approve you joining the meeting."
		dest, redirect = s.host+"/html5client/guestWait?sessionToken="+sess.token, false
	case guestDeny:
		key, msg = "guestDeny", "Guest denied of joining the meeting."
		dest, redirect = s.logoutURLOf(m), false
	default:
		// bbb-web leaves its placeholders in an ALLOW answer.
		key, msg = "defaultKey", "defaultValue"
		dest = s.host + "/html5client/join?sessionToken=" + sess.token
		if m.maxUsers > 0 && len(m.attendees) >= m.maxUsers && m.findAttendeeInternal(sess.internalID) < 0 {
			key, msg, status, redirect = "seatWait", "Guest waiting for a seat in the meeting.", guestWait, false
		}
	}
	resp := map[string]any{
		"returncode": "SUCCESS", "messageKey": key, "message": msg,
		"meeting_id": m.internalID, "user_id": sess.internalID, "auth_token": sess.authToken,
		"session_token": sess.token, "guestStatus": status, "lobbyMessage": "", "url": dest,
	}
	if s.version.atLeast(v25) {
		resp["positionInWaitingQueue"] = strconv.Itoa(s.positionLocked(sess)) // a string in bbb-web
	}
	s.unlock()
	if redirect {
		e.w.Header().Set("Location", dest)
		e.w.WriteHeader(http.StatusFound)
		e.status, e.key = http.StatusFound, key
		return
	}
	s.writeJSON(e, http.StatusOK, resp)
}
