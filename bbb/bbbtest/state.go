package bbbtest

import (
	"crypto/sha1" //nolint:gosec // BBB derives internal meeting IDs with sha1.
	"encoding/hex"
	"net/url"
	"strconv"
	"time"

	"github.com/bbbcast/bbbcast/internal/fakekit"
)

// kv is one metadata or custom data entry; slices of them keep the order
// entries were given in.
type kv struct{ k, v string }

func setKV(list []kv, k, v string) []kv {
	for i := range list {
		if list[i].k == k {
			list[i].v = v
			return list
		}
	}
	return append(list, kv{k, v})
}

func deleteKV(list []kv, k string) []kv {
	for i := range list {
		if list[i].k == k {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

func kvMap(list []kv) map[string]string {
	m := make(map[string]string, len(list))
	for _, e := range list {
		m[e.k] = e.v
	}
	return m
}

// attendee is a user inside a meeting.
type attendee struct {
	internalID string // w_xxxxxxxxxxxx
	userID     string // the join's userID, or internalID
	fullName   string
	role       string // MODERATOR or VIEWER
	presenter  bool
	listenOnly bool
	voice      bool
	video      bool
	clientType string
	customData []kv
	guest      bool
}

// session is what a join created: the token the browser brings to
// html5client/join.
type session struct {
	token       string
	authToken   string
	meeting     *meeting
	internalID  string
	userID      string
	fullName    string
	role        string
	guest       bool
	guestStatus string // ALLOW, WAIT (in the guest lobby) or DENY
	since       time.Time
	customData  []kv
}

// meeting is the state of one meeting, keyed by its external ID.
type meeting struct {
	id, internalID, name    string
	attendeePW, moderatorPW string
	createTime              time.Time
	createMs                int64
	voiceBridge, dialNumber string
	duration                int // minutes, 0 = unlimited
	maxUsers                int
	record                  bool
	recording               bool // a recording is in progress
	recordingMarks          bool // the recording was started at least once
	joins                   int  // users who joined, the recording's participants
	guestPolicy             string
	logoutURL               string
	meetingEndedURL         string        // called as given when the meeting ends
	endWhenNoModerator      bool          // 2.3.2+
	noModeratorDelay        time.Duration // endWhenNoModeratorDelayInMinutes
	moderatorHasJoined      bool
	lastModeratorLeft       time.Time     // zero while a moderator is in
	expiry                  time.Duration // while nobody joined
	emptyExpiry             time.Duration // once the last user left
	meta                    []kv          // lower-cased keys
	params                  url.Values
	endCallbackURL          string

	attendees     []*attendee
	hasUserJoined bool
	startTime     time.Time
	emptySince    time.Time // last user left at; zero while not empty

	ended         bool // ended by end or EndMeeting, kept until purged
	forciblyEnded bool
	endTime       time.Time

	isBreakout       bool
	parentInternalID string
	sequence         int
	freeJoin         bool
	breakouts        []string // internal IDs of the breakout rooms

	chat      []ChatMessage
	documents []Document
}

// internalMeetingID is BBB's internal ID: sha1 hex of the external ID, a
// dash, and the creation time in milliseconds.
func internalMeetingID(externalID string, createMs int64) string {
	sum := sha1.Sum([]byte(externalID)) //nolint:gosec // BBB's derivation, not a security use.
	return hex.EncodeToString(sum[:]) + "-" + strconv.FormatInt(createMs, 10)
}

// javaDate formats t like java.util.Date.toString in UTC, as BBB's
// createDate.
func javaDate(t time.Time) string { return t.UTC().Format("Mon Jan 02 15:04:05 MST 2006") }

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func (m *meeting) running() bool { return !m.ended && len(m.attendees) > 0 }

func (m *meeting) findAttendee(userID string) int {
	for i, a := range m.attendees {
		if a.userID == userID || a.internalID == userID {
			return i
		}
	}
	return -1
}

func (m *meeting) findAttendeeInternal(internalID string) int {
	for i, a := range m.attendees {
		if a.internalID == internalID {
			return i
		}
	}
	return -1
}

// addAttendee puts a in the meeting; the first moderator becomes presenter.
func (m *meeting) addAttendee(a *attendee) {
	if a.role == roleModerator {
		hasPresenter := false
		for _, o := range m.attendees {
			hasPresenter = hasPresenter || o.presenter
		}
		a.presenter = !hasPresenter
	}
	m.attendees = append(m.attendees, a)
	if a.role == roleModerator {
		m.moderatorHasJoined, m.lastModeratorLeft = true, time.Time{}
	}
	m.hasUserJoined = true
	m.joins++
	m.emptySince = time.Time{}
}

const (
	roleModerator = "MODERATOR"
	roleViewer    = "VIEWER"
)

// deadline is when the lifecycle rules next act on m, and whether that is
// a purge of an ended meeting (true) or an expiry (false).
func (s *Server) deadline(m *meeting) (at time.Time, purge bool, ok bool) {
	if m.ended {
		return m.endTime.Add(endedRetention), true, true
	}
	consider := func(t time.Time) {
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	if !m.hasUserJoined && m.expiry > 0 {
		consider(m.createTime.Add(m.expiry))
	}
	if m.hasUserJoined && len(m.attendees) == 0 && !m.emptySince.IsZero() && m.emptyExpiry > 0 {
		consider(m.emptySince.Add(m.emptyExpiry))
	}
	if m.duration > 0 {
		consider(m.startTime.Add(time.Duration(m.duration) * time.Minute))
	}
	if t, ok := m.noModeratorDeadline(); ok {
		consider(t)
	}
	return at, false, ok
}

// scheduleSweepLocked makes the next sweep happen no later than t: the
// next request after t sweeps first, and a timer on the server's clock
// sweeps at t when no request comes, so that an expiry ends its meeting
// (and calls its end callback) on time, as BBB's own timers do. s.mu is
// held.
func (s *Server) scheduleSweepLocked(t time.Time) {
	if !s.nextSweep.IsZero() && !t.Before(s.nextSweep) {
		return
	}
	s.nextSweep = t
	if s.sweepTimer != nil {
		s.sweepTimer.Stop()
	}
	s.sweepTimer = s.clock.AfterFunc(t.Sub(s.clock.Now()), s.sweepOnTimer)
}

// sweepOnTimer is the sweep timer's function.
func (s *Server) sweepOnTimer() {
	if !s.track() {
		return
	}
	defer s.wg.Done()
	s.lock(s.clock.Now())
	s.unlock()
}

// stopSweepLocked cancels the sweep timer. s.mu is held.
func (s *Server) stopSweepLocked() {
	if s.sweepTimer != nil {
		s.sweepTimer.Stop()
		s.sweepTimer = nil
	}
	s.nextSweep = time.Time{}
}

func (s *Server) scheduleMeetingLocked(m *meeting) {
	if t, _, ok := s.deadline(m); ok {
		s.scheduleSweepLocked(t)
	}
}

// sweepLocked applies the lifecycle rules at now: meetings past their
// expiry end (and fire their end callback), ended meetings past their
// retention are forgotten. It costs nothing until the earliest deadline.
func (s *Server) sweepLocked(now time.Time) {
	if s.nextSweep.IsZero() || now.Before(s.nextSweep) {
		return
	}
	s.nextSweep = time.Time{}
	due := make([]*meeting, 0, 4)
	for _, m := range s.meetings {
		at, _, ok := s.deadline(m)
		switch {
		case !ok:
		case now.Before(at):
			s.scheduleSweepLocked(at)
		default:
			due = append(due, m)
		}
	}
	for _, m := range due {
		if s.meetings[m.id] != m {
			continue // already gone with its parent
		}
		if m.ended {
			s.removeLocked(m)
			continue
		}
		s.finishLocked(m, now, false)
	}
}

// finishLocked ends m at now. forcibly is an end call (or EndMeeting): the
// meeting stays visible as ended for endedRetention. Otherwise (expiry,
// duration) it disappears at once, like a meeting BBB destroyed. Either
// way its breakout rooms end with it and its end callback is queued.
func (s *Server) finishLocked(m *meeting, now time.Time, forcibly bool) {
	if m.ended {
		return
	}
	for _, id := range m.breakouts {
		if b := s.byInternal[id]; b != nil && s.meetings[b.id] == b {
			s.finishLocked(b, now, forcibly)
		}
	}
	s.webhookLocked(EventMeetingEnded, m.id, m.internalID, nil, now)
	s.produceRecordingLocked(m, now)
	if m.endCallbackURL != "" {
		s.jobs = append(s.jobs, callbackJob{meetingID: m.id, url: endCallbackURL(m.endCallbackURL, m.id, m.recordingMarks)})
	}
	if m.meetingEndedURL != "" && !m.isBreakout {
		s.jobs = append(s.jobs, callbackJob{meetingID: m.id, url: m.meetingEndedURL})
	}
	s.dropSessionsLocked(m)
	if !forcibly {
		s.removeLocked(m)
		return
	}
	m.ended, m.forciblyEnded, m.endTime = true, true, now
	m.attendees = nil
	m.recording = false
	s.scheduleMeetingLocked(m)
}

// removeLocked forgets m entirely.
func (s *Server) removeLocked(m *meeting) {
	if s.meetings[m.id] == m {
		delete(s.meetings, m.id)
	}
	if s.byInternal[m.internalID] == m {
		delete(s.byInternal, m.internalID)
	}
	s.dropSessionsLocked(m)
}

func (s *Server) dropSessionsLocked(m *meeting) {
	for tok, sess := range s.sessions {
		if sess.meeting == m {
			delete(s.sessions, tok)
		}
	}
}

// liveMeetingLocked returns the meeting with external ID id unless it is
// unknown or ended.
func (s *Server) liveMeetingLocked(id string) *meeting {
	if m := s.meetings[id]; m != nil && !m.ended {
		return m
	}
	return nil
}

// lock takes the state for writing after applying the lifecycle rules.
func (s *Server) lock(now time.Time) {
	s.mu.Lock()
	s.sweepLocked(now)
}

// unlock releases the state and starts the end callbacks queued meanwhile.
func (s *Server) unlock() {
	jobs, out := s.jobs, s.outbox
	s.jobs, s.outbox = nil, nil
	s.mu.Unlock()
	s.sendOutbox(out)
	for _, j := range jobs {
		s.startCallback(j)
	}
}

// rlock takes the state for reading, sweeping first when a deadline
// passed.
func (s *Server) rlock(now time.Time) {
	s.mu.RLock()
	if s.nextSweep.IsZero() || now.Before(s.nextSweep) {
		return
	}
	s.mu.RUnlock()
	s.lock(now)
	s.unlock()
	s.mu.RLock()
}

func (s *Server) runlock() { s.mu.RUnlock() }

// uniqueVoiceBridgeLocked draws a 5-digit voice bridge no live meeting
// uses.
func (s *Server) uniqueVoiceBridgeLocked() string {
	for {
		vb := fakekit.RandomString(1, "123456789") + fakekit.RandomString(4, fakekit.Digits)
		if !s.voiceBridgeUsedLocked(vb) {
			return vb
		}
	}
}

func (s *Server) voiceBridgeUsedLocked(vb string) bool {
	for _, m := range s.meetings {
		if !m.ended && m.voiceBridge == vb {
			return true
		}
	}
	return false
}
