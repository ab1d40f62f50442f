package bbbtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/internal/fakekit"
)

// meetingIDParam reads and validates meetingID as the release of
// WithVersion does (see meetingIDRuleFor), answering the failure itself
// when it is not valid.
func (s *Server) meetingIDParam(e *exchange, fail func(*exchange, string, string)) (string, bool) {
	id, _ := e.q.get("meetingID")
	if strings.TrimSpace(id) == "" {
		fail(e, "missingParamMeetingID", "You must provide a meeting ID")
		return "", false
	}
	if key, msg := checkMeetingID(meetingIDRuleFor(s.version, s.cfg.version), id); key != "" {
		fail(e, key, msg)
		return "", false
	}
	return id, true
}

// checkMeetingID returns BBB's error key and message for id under rule,
// or "" when it is valid. Lengths are Java's (UTF-16 units).
func checkMeetingID(rule meetingIDRule, id string) (key, msg string) {
	if rule == meetingIDNoComma {
		if strings.IndexByte(id, ',') >= 0 {
			return "invalidFormat", "Meeting id contains invalid characters."
		}
		return "", ""
	}
	if n := javaLen(id); n < 2 || n > 256 {
		return "validationError", "Meeting ID must be between 2 and 256 characters"
	}
	// The ASCII pattern of the 2.4 pre-releases kept the message of the
	// comma rule, so both answer the same.
	for i := 0; i < len(id); i++ {
		if c := id[i]; c == ',' || rule == meetingIDASCII && !asciiMeetingIDByte(c) {
			return "validationError", "Meeting ID cannot contain ','"
		}
	}
	return "", ""
}

// parseJavaBool is Boolean.parseBoolean: "true" in any case, else false.
func parseJavaBool(s string) bool { return strings.EqualFold(s, "true") }

func isBoolString(s string) bool {
	return strings.EqualFold(s, "true") || strings.EqualFold(s, "false")
}

func atoiOr(s string, def int) int {
	if v, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return v
	}
	return def
}

// ---- create ----

func (s *Server) handleCreate(e *exchange) {
	q := e.q
	id, ok := s.meetingIDParam(e, s.fail)
	if !ok {
		return
	}
	name := q.value("name")
	if name == "" {
		s.fail(e, "validationError", "You must provide a meeting name")
		return
	}
	if n := utf8.RuneCountInString(name); n < 2 || n > 256 {
		s.fail(e, "validationError", "Meeting name must be between 2 and 256 characters")
		return
	}
	vb, hasVB := q.get("voiceBridge")
	if hasVB && vb != "" {
		if _, err := strconv.Atoi(vb); err != nil {
			s.fail(e, "validationError", "Voice bridge must be an integral value")
			return
		}
	}
	if r, ok := q.get("record"); ok && r != "" && !isBoolString(r) {
		s.fail(e, "validationError", "Record must be a boolean value (true or false)")
		return
	}
	var meta []kv
	badMeta := ""
	q.each(func(k, v string) {
		key, ok := strings.CutPrefix(k, "meta_")
		if !ok {
			return
		}
		if !bbb.ValidMetaKey(key) {
			badMeta = k
			return
		}
		meta = setKV(meta, strings.ToLower(key), v)
	})
	if badMeta != "" {
		s.fail(e, "validationError", "Invalid metadata parameter: metadata keys must match meta_[a-zA-Z][a-zA-Z0-9-]*")
		return
	}
	var docs []Document
	if e.r.Method == http.MethodPost {
		body, ok := s.readXMLBody(e)
		if !ok {
			return
		}
		docs = parseModules(body, "create", e.now)
	}

	apw, mpw := q.value("attendeePW"), q.value("moderatorPW")
	s.lock(e.now)
	if ex := s.liveMeetingLocked(id); ex != nil {
		same := apw == "" && mpw == "" || apw == ex.attendeePW && mpw == ex.moderatorPW
		if !same {
			s.unlock()
			s.fail(e, "idNotUnique", "A meeting already exists with that meeting ID.  Please use a different meeting ID.")
			return
		}
		x := newXMLWriter()
		writeCreateAnswer(x, ex, "duplicateWarning", "This conference was already in existence and may currently be in progress.")
		s.unlock()
		s.writeXML(e, x)
		x.release()
		e.key = "duplicateWarning"
		return
	}
	if hasVB && vb != "" && s.voiceBridgeUsedLocked(vb) {
		s.unlock()
		s.fail(e, "nonUniqueVoiceBridge", "The selected voice bridge is already in use.")
		return
	}
	isBreakout := parseJavaBool(q.value("isBreakout")) || parseJavaBool(q.value("isBreakoutRoom"))
	var parent *meeting
	if isBreakout {
		parent = s.byInternal[q.value("parentMeetingID")]
		if parent == nil || parent.ended {
			s.unlock()
			s.fail(e, "parentMeetingDoesNotExist", "No parent meeting exists for the breakout session")
			return
		}
	}
	m := s.newMeetingLocked(id, name, e.now)
	if apw != "" {
		m.attendeePW = apw
	}
	if mpw != "" {
		m.moderatorPW = mpw
	}
	if hasVB && vb != "" {
		m.voiceBridge = vb
	}
	if d := q.value("dialNumber"); d != "" {
		m.dialNumber = d
	}
	m.duration = max(atoiOr(q.value("duration"), 0), 0)
	m.maxUsers = max(atoiOr(q.value("maxParticipants"), 0), 0)
	m.record = parseJavaBool(q.value("record"))
	if m.record && parseJavaBool(q.value("autoStartRecording")) {
		m.recording, m.recordingMarks = true, true
	}
	if gp := q.value("guestPolicy"); gp != "" {
		m.guestPolicy = strings.ToUpper(gp)
	}
	m.logoutURL = q.value("logoutURL")
	m.meetingEndedURL = q.value("meetingEndedURL")
	if s.version.atLeast(v232) {
		m.endWhenNoModerator = parseJavaBool(q.value("endWhenNoModerator"))
	}
	m.noModeratorDelay = time.Minute
	if v := atoiOr(q.value("endWhenNoModeratorDelayInMinutes"), 0); v > 0 && s.version.atLeast(v233) {
		m.noModeratorDelay = time.Duration(v) * time.Minute
	}
	if v := atoiOr(q.value("meetingExpireIfNoUserJoinedInMinutes"), 0); v > 0 {
		m.expiry = time.Duration(v) * time.Minute
	}
	if v := atoiOr(q.value("meetingExpireWhenLastUserLeftInMinutes"), 0); v > 0 {
		m.emptyExpiry = time.Duration(v) * time.Minute
	}
	if u := q.value("preUploadedPresentation"); u != "" {
		name := q.value("preUploadedPresentationName")
		if name == "" {
			name = path.Base(strings.SplitN(u, "?", 2)[0])
		}
		docs = append([]Document{{URL: u, Name: name, Current: true, Removable: true, Call: "create", Time: e.now}}, docs...)
	}
	m.meta = meta
	for _, c := range meta {
		if c.k == "endcallbackurl" {
			m.endCallbackURL = c.v
		}
	}
	m.params = q.values()
	m.documents = docs
	if parent != nil {
		m.isBreakout = true
		m.parentInternalID = parent.internalID
		m.sequence = atoiOr(q.value("sequence"), 0)
		m.freeJoin = parseJavaBool(q.value("freeJoin"))
		parent.breakouts = append(parent.breakouts, m.internalID)
	}
	s.addMeetingLocked(m)
	x := newXMLWriter()
	writeCreateAnswer(x, m, "", "")
	s.unlock()
	s.writeXML(e, x)
	x.release()
}

// newMeetingLocked returns a meeting with BBB's defaults; the caller
// adjusts it and adds it with addMeetingLocked.
func (s *Server) newMeetingLocked(id, name string, now time.Time) *meeting {
	ms := now.UnixMilli()
	return &meeting{
		id:          id,
		internalID:  internalMeetingID(id, ms),
		name:        name,
		attendeePW:  fakekit.RandomString(8, fakekit.Alnum),
		moderatorPW: fakekit.RandomString(8, fakekit.Alnum),
		createTime:  time.UnixMilli(ms),
		createMs:    ms,
		startTime:   time.UnixMilli(ms),
		voiceBridge: s.uniqueVoiceBridgeLocked(),
		dialNumber:  "613-555-1234",
		guestPolicy: "ALWAYS_ACCEPT",
		expiry:      s.cfg.expiry,
		emptyExpiry: s.cfg.emptyExpiry,
		params:      url.Values{},
	}
}

func (s *Server) addMeetingLocked(m *meeting) {
	if old := s.meetings[m.id]; old != nil {
		s.removeLocked(old) // an ended meeting is replaced by a new one
	}
	s.meetings[m.id] = m
	s.byInternal[m.internalID] = m
	s.scheduleMeetingLocked(m)
	s.webhookMeetingCreatedLocked(m)
}

func writeCreateAnswer(x *xmlWriter, m *meeting, key, msg string) {
	x.start("SUCCESS")
	x.text("meetingID", m.id)
	x.text("internalMeetingID", m.internalID)
	if m.isBreakout {
		x.text("parentMeetingID", m.parentInternalID)
	} else {
		x.text("parentMeetingID", "bbb-none")
	}
	x.text("attendeePW", m.attendeePW)
	x.text("moderatorPW", m.moderatorPW)
	x.int("createTime", m.createMs)
	x.text("voiceBridge", m.voiceBridge)
	x.text("dialNumber", m.dialNumber)
	x.text("createDate", javaDate(m.createTime))
	x.bool("hasUserJoined", m.hasUserJoined)
	x.int("duration", int64(m.duration))
	x.bool("hasBeenForciblyEnded", m.forciblyEnded)
	x.text("messageKey", key)
	x.text("message", msg)
	x.end()
}

// ---- join ----

func (s *Server) handleJoin(e *exchange) {
	q := e.q
	fullName := strings.TrimSpace(stripControl(q.value("fullName")))
	if fullName == "" {
		s.joinFail(e, "missingParamFullName", "You must specify a name for the attendee who will be joining the meeting.")
		return
	}
	id, ok := s.meetingIDParam(e, s.joinFail)
	if !ok {
		return
	}
	s.lock(e.now)
	m := s.meetings[id]
	if m == nil {
		s.unlock()
		s.joinFail(e, "invalidMeetingIdentifier", "The meeting ID that you supplied did not match any existing meetings")
		return
	}
	if m.ended {
		s.unlock()
		s.joinFail(e, "meetingForciblyEnded", "You can not re-join a meeting that has already been forcibly ended.")
		return
	}
	if ct, ok := q.get("createTime"); ok {
		v, err := strconv.ParseInt(ct, 10, 64)
		if err != nil {
			v = -1
		}
		if v != m.createMs {
			s.unlock()
			s.joinFail(e, "mismatchCreateTimeParam", "The createTime parameter submitted mismatches with the current meeting.")
			return
		}
	}
	role := ""
	if s.version.atLeast(v26) {
		switch strings.ToUpper(q.value("role")) {
		case roleModerator:
			role = roleModerator
		case roleViewer:
			role = roleViewer
		}
	}
	if role == "" {
		switch pw := q.value("password"); {
		case pw == "":
		case pw == m.moderatorPW:
			role = roleModerator
		case pw == m.attendeePW:
			role = roleViewer
		}
	}
	if role == "" {
		s.unlock()
		s.joinFail(e, "invalidPassword", "You either did not supply a password or the password supplied is neither the attendee or moderator password for this conference.")
		return
	}
	if m.maxUsers > 0 && len(m.attendees) >= m.maxUsers {
		s.unlock()
		s.joinFail(e, "maxParticipantsReached", "The number of participants allowed for this meeting has been reached.")
		return
	}
	guest := parseJavaBool(q.value("guest"))
	authenticated := q.value("guest") == ""
	if a := q.value("auth"); a != "" {
		authenticated = parseJavaBool(a)
	}
	status := guestStatus(m.guestPolicy, role, guest, authenticated)
	if status == guestDeny {
		logout := s.logoutURLOf(m)
		s.unlock()
		s.joinDenied(e, logout)
		return
	}
	sess := &session{
		token:       fakekit.RandomString(16, fakekit.LowerAlnum),
		authToken:   fakekit.RandomString(12, fakekit.LowerAlnum),
		meeting:     m,
		internalID:  "w_" + fakekit.RandomString(12, fakekit.LowerAlnum),
		fullName:    fullName,
		role:        role,
		guest:       guest,
		guestStatus: status,
		since:       e.now,
	}
	sess.userID = q.value("userID")
	if sess.userID == "" {
		sess.userID = sess.internalID
	}
	q.each(func(k, v string) {
		if key, ok := strings.CutPrefix(k, "userdata-"); ok && key != "" {
			sess.customData = setKV(sess.customData, key, v)
		}
	})
	s.sessions[sess.token] = sess
	internalID := m.internalID
	s.unlock()

	key, msg := "successfullyJoined", "You have joined successfully."
	dest := s.host + "/html5client/join?sessionToken=" + sess.token
	if status == "WAIT" {
		key, msg = "guestWait", "Guest waiting for approval to join meeting."
		dest = s.host + "/html5client/guestWait?sessionToken=" + sess.token
	}
	if redirectAsked(q) {
		redirectTo(e, dest)
		return
	}
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.text("messageKey", key)
	x.text("message", msg)
	x.text("meeting_id", internalID)
	x.text("user_id", sess.internalID)
	x.text("auth_token", sess.authToken)
	x.text("session_token", sess.token)
	x.text("guestStatus", status)
	x.text("url", dest)
	x.end()
	s.writeXML(e, x)
	e.key = key
}

// redirectAsked reports whether a join answers with a redirect: unless
// redirect is given and false.
func redirectAsked(q query) bool {
	r, ok := q.get("redirect")
	return !ok || r == "" || parseJavaBool(r)
}

// redirectTo answers 302 to dest.
func redirectTo(e *exchange, dest string) {
	e.w.Header().Set("Location", dest)
	e.w.WriteHeader(http.StatusFound)
	e.status = http.StatusFound
}

// joinDenied answers the join of a guest the policy denies: up to 2.5 (read
// in 2.4.0 and 2.5-alpha-4) a join answer with guestDeny whose URL, and
// redirect, is the meeting's logout URL; later (read in a 3.0
// development version; the release in between that changed it is not
// known) the guestDeniedAccess error.
func (s *Server) joinDenied(e *exchange, logout string) {
	if s.version.atLeast(v26) {
		s.joinFail(e, "guestDeniedAccess", "You have been denied access to this meeting based on the meeting's guest policy")
		return
	}
	e.key = "guestDeny"
	if redirectAsked(e.q) {
		redirectTo(e, logout)
		return
	}
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.text("messageKey", "guestDeny")
	x.text("message", "Guest denied to join meeting.")
	x.text("guestStatus", guestDeny)
	x.text("url", logout)
	x.end()
	s.writeXML(e, x)
}

// guestStatus is BBB's Meeting.calcGuestStatus for the common policies.
func guestStatus(policy, role string, guest, authenticated bool) string {
	if !guest || role == roleModerator {
		return "ALLOW"
	}
	switch policy {
	case "ALWAYS_ACCEPT":
		return "ALLOW"
	case "ALWAYS_DENY":
		return "DENY"
	case "ALWAYS_ACCEPT_AUTH":
		if authenticated {
			return "ALLOW"
		}
		return "WAIT"
	}
	return "WAIT" // ASK_MODERATOR
}

// joinFail answers a join error the way BBB does: as XML from 2.7 when
// redirect=false, else as a redirect to errorRedirectUrl (2.7+), the
// join's logoutURL or the server's default logout URL with
// errors=[{"key":…,"message":…}] in the query.
func (s *Server) joinFail(e *exchange, key, msg string) {
	redirect := true
	if s.version.atLeast(v27) {
		if r, ok := e.q.get("redirect"); ok && r != "" {
			redirect = parseJavaBool(r)
		}
	}
	if !redirect {
		s.fail(e, key, msg)
		return
	}
	target := s.host + "/"
	if u := e.q.value("logoutURL"); isAbsoluteURL(u) {
		target = u
	}
	if s.version.atLeast(v27) {
		if u := e.q.value("errorRedirectUrl"); isAbsoluteURL(u) {
			target = u
		}
	}
	errs, _ := json.Marshal([]struct {
		Key     string `json:"key"`
		Message string `json:"message"`
	}{{key, msg}})
	base, frag, hasFrag := strings.Cut(target, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	loc := base + sep + "errors=" + strings.ReplaceAll(url.QueryEscape(string(errs)), "+", "%20")
	if hasFrag {
		loc += "#" + frag
	}
	e.w.Header().Set("Location", loc)
	e.w.WriteHeader(http.StatusFound)
	e.status, e.key = http.StatusFound, key
}

func isAbsoluteURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// stripControl removes control characters, like BBB does with names.
func stripControl(s string) string {
	clean := true
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// ---- end ----

func (s *Server) handleEnd(e *exchange) {
	id, ok := s.meetingIDParam(e, s.fail)
	if !ok {
		return
	}
	s.lock(e.now)
	m := s.meetings[id]
	if m == nil {
		s.unlock()
		s.fail(e, "notFound", "We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?")
		return
	}
	if !s.version.atLeast(v26) && e.q.value("password") != m.moderatorPW {
		s.unlock()
		s.fail(e, "invalidPassword", "You must supply the moderator password for this call.")
		return
	}
	s.finishLocked(m, e.now, true)
	s.unlock()
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.text("messageKey", "sentEndMeetingRequest")
	x.text("message", "A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended.")
	x.end()
	s.writeXML(e, x)
	e.key = "sentEndMeetingRequest"
}

// ---- isMeetingRunning ----

func (s *Server) handleIsMeetingRunning(e *exchange) {
	id, ok := s.meetingIDParam(e, s.fail)
	if !ok {
		return
	}
	s.rlock(e.now)
	m := s.meetings[id]
	running := m != nil && m.running()
	s.runlock()
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.bool("running", running)
	x.end()
	s.writeXML(e, x)
}

// ---- getMeetingInfo ----

func (s *Server) handleGetMeetingInfo(e *exchange) {
	id, ok := s.meetingIDParam(e, s.fail)
	if !ok {
		return
	}
	x := newXMLWriter()
	defer x.release()
	s.rlock(e.now)
	m := s.meetings[id]
	if m == nil {
		s.runlock()
		s.fail(e, "notFound", "We could not find a meeting with that meeting ID")
		return
	}
	x.start("SUCCESS")
	s.writeMeetingLocked(x, m, false)
	s.runlock()
	x.end()
	s.writeXML(e, x)
}

// writeMeetingLocked writes the fields getMeetingInfo and getMeetings share.
// BBB lays out a breakout room's details differently in the two answers:
// getMeetings wraps parentMeetingID and sequence in <breakout>, while
// getMeetingInfo writes them, and freeJoin, in the meeting itself.
func (s *Server) writeMeetingLocked(x *xmlWriter, m *meeting, wrapBreakout bool) {
	x.text("meetingName", m.name)
	x.text("meetingID", m.id)
	x.text("internalMeetingID", m.internalID)
	x.int("createTime", m.createMs)
	x.text("createDate", javaDate(m.createTime))
	x.text("voiceBridge", m.voiceBridge)
	x.text("dialNumber", m.dialNumber)
	x.text("attendeePW", m.attendeePW)
	x.text("moderatorPW", m.moderatorPW)
	x.bool("running", m.running())
	x.int("duration", int64(m.duration))
	x.bool("hasUserJoined", m.hasUserJoined)
	x.bool("recording", m.recording)
	x.bool("hasBeenForciblyEnded", m.forciblyEnded)
	x.int("startTime", millis(m.startTime))
	x.int("endTime", millis(m.endTime))
	var listeners, voice, video, moderators int64
	for _, a := range m.attendees {
		if a.listenOnly {
			listeners++
		}
		if a.voice {
			voice++
		}
		if a.video {
			video++
		}
		if a.role == roleModerator {
			moderators++
		}
	}
	x.int("participantCount", int64(len(m.attendees)))
	x.int("listenerCount", listeners)
	x.int("voiceParticipantCount", voice)
	x.int("videoCount", video)
	x.int("maxUsers", int64(m.maxUsers))
	x.int("moderatorCount", moderators)
	x.open("attendees")
	for _, a := range m.attendees {
		x.open("attendee")
		x.text("userID", a.userID)
		x.text("fullName", a.fullName)
		x.text("role", a.role)
		x.bool("isPresenter", a.presenter)
		x.bool("isListeningOnly", a.listenOnly)
		x.bool("hasJoinedVoice", a.voice)
		x.bool("hasVideo", a.video)
		x.text("clientType", a.clientType)
		if len(a.customData) > 0 {
			x.open("customdata")
			for _, c := range a.customData {
				if validXMLName(c.k) {
					x.text(c.k, c.v)
				}
			}
			x.close("customdata")
		}
		x.close("attendee")
	}
	x.close("attendees")
	x.open("metadata")
	for _, c := range m.meta {
		x.text(c.k, c.v)
	}
	x.close("metadata")
	x.bool("isBreakout", m.isBreakout)
	switch {
	case m.isBreakout && wrapBreakout:
		x.open("breakout")
		x.text("parentMeetingID", m.parentInternalID)
		x.int("sequence", int64(m.sequence))
		x.close("breakout")
	case m.isBreakout:
		x.text("parentMeetingID", m.parentInternalID)
		x.int("sequence", int64(m.sequence))
		x.bool("freeJoin", m.freeJoin)
	}
	if len(m.breakouts) > 0 {
		x.open("breakoutRooms")
		for _, id := range m.breakouts {
			x.text("breakout", id)
		}
		x.close("breakoutRooms")
	}
}

// ---- getMeetings ----

func (s *Server) handleGetMeetings(e *exchange) {
	x := newXMLWriter()
	defer x.release()
	s.rlock(e.now)
	// Like BBB's MeetingService.getMeetings, every meeting getMeetingInfo
	// knows is listed, an ended one too (hasBeenForciblyEnded, endTime set,
	// running false) until it is forgotten endedRetention after its end.
	list := make([]*meeting, 0, len(s.meetings))
	for _, m := range s.meetings {
		list = append(list, m)
	}
	sortMeetings(list)
	x.start("SUCCESS")
	if len(list) == 0 {
		s.runlock()
		x.empty("meetings")
		x.text("messageKey", "noMeetings")
		x.text("message", "no meetings were found on this server")
		x.end()
		s.writeXML(e, x)
		e.key = "noMeetings"
		return
	}
	x.open("meetings")
	for _, m := range list {
		x.open("meeting")
		s.writeMeetingLocked(x, m, true)
		x.close("meeting")
	}
	x.close("meetings")
	s.runlock()
	x.end()
	s.writeXML(e, x)
}

// sortMeetings orders meetings by creation, then ID, so answers are
// deterministic.
func sortMeetings(list []*meeting) {
	sort.Slice(list, func(i, j int) bool {
		if list[i].createMs != list[j].createMs {
			return list[i].createMs < list[j].createMs
		}
		return list[i].id < list[j].id
	})
}
