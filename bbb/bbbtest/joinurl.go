package bbbtest

import (
	"net/http"
	"slices"

	"github.com/bbbcast/bbbcast/bbb"
)

// handleGetJoinURL is 3.0's getJoinUrl (GET or POST, no checksum): the
// client of a user in a running meeting asks for a new, signed join URL
// for that user (a second device, a plugin). It answers JSON, the URL
// built as bbb-web builds it: fullName, meetingID, role, redirect=true and
// userID in that order, names encoded as Java's URLEncoder encodes, signed
// with SHA-1 (the fake's first accepted algorithm when SHA-1 is not
// accepted). bbb-web renders no answer for a missing or unknown session
// token (its rejection is written only after the meeting check), which
// Grails turns into a 404; the fake answers that 404.
func (s *Server) handleGetJoinURL(e *exchange) {
	token := e.q.value("sessionToken")
	s.lock(e.now)
	sess := s.sessions[token]
	if token == "" || sess == nil {
		s.unlock()
		e.status = http.StatusNotFound
		writeHTMLStatus(e.w, http.StatusNotFound)
		return
	}
	if !sess.meeting.running() {
		s.unlock()
		s.writeJSON(e, http.StatusOK, map[string]any{"returncode": "FAILED", "message": "Meeting not found"})
		return
	}
	role := roleViewer
	if sess.role == roleModerator {
		role = roleModerator
	}
	raw := "fullName=" + javaURLEncode(sess.fullName) + "&meetingID=" + javaURLEncode(sess.meeting.id) +
		"&role=" + role + "&redirect=true&userID=" + sess.userID
	s.unlock()
	alg := bbb.SHA1
	if !slices.Contains(s.algs, alg) {
		alg = s.algs[0]
	}
	u := s.host + BasePath + "/api/join?" + raw + "&checksum=" + bbb.Sign(alg, "join", raw, s.Secret)
	s.writeJSON(e, http.StatusOK, map[string]any{"returncode": "SUCCESS", "message": "Join URL provided successfully.", "url": u})
}
