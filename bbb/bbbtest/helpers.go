package bbbtest

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/internal/fakekit"
)

// Errors of the test helpers.
var (
	ErrNoMeeting    = errors.New("bbbtest: no such meeting")
	ErrMeetingEnded = errors.New("bbbtest: the meeting has ended")
	ErrNoUser       = errors.New("bbbtest: no such user in the meeting")
	ErrInvalidRole  = errors.New("bbbtest: role must be MODERATOR or VIEWER")
	ErrMeetingFull  = errors.New("bbbtest: the meeting reached maxParticipants")
	ErrNotRecorded  = errors.New("bbbtest: the meeting was not created with record=true")
)

// Meeting is a copy of a meeting's state, as Server.Meeting returns it.
type Meeting struct {
	MeetingID         string // external ID
	InternalMeetingID string
	Name              string
	AttendeePW        string
	ModeratorPW       string
	CreateTime        time.Time // millisecond precision, on the server's clock
	CreateTimeMillis  int64     // createTime as the API reports it
	VoiceBridge       string
	DialNumber        string
	Duration          int // minutes, 0 = unlimited
	MaxParticipants   int
	Record            bool
	Recording         bool
	GuestPolicy       string
	// Metadata holds the meta_* parameters of create, keys lower-cased.
	Metadata map[string]string
	// EndCallbackURL is meta_endCallbackUrl, if given.
	EndCallbackURL string
	// Params holds every create parameter but the checksum.
	Params        url.Values
	Attendees     []Attendee
	HasUserJoined bool
	Running       bool
	Ended         bool // ended with end or EndMeeting
	ForciblyEnded bool
	StartTime     time.Time
	EndTime       time.Time
	IsBreakout    bool
	// ParentMeetingID is the parent's internal ID for a breakout room.
	ParentMeetingID string
	Sequence        int
	FreeJoin        bool
	// BreakoutRooms are the internal IDs of the meeting's breakout rooms.
	BreakoutRooms []string
}

// Attendee is a user inside a meeting.
type Attendee struct {
	// UserID is the join's userID, or InternalUserID when none was given.
	UserID          string
	InternalUserID  string
	FullName        string
	Role            string // MODERATOR or VIEWER
	IsPresenter     bool
	IsListeningOnly bool
	HasJoinedVoice  bool
	HasVideo        bool
	ClientType      string
	Guest           bool
	// CustomData holds the join's userdata-* parameters, without prefix.
	CustomData map[string]string
}

func (a *attendee) snapshot() Attendee {
	return Attendee{
		UserID: a.userID, InternalUserID: a.internalID, FullName: a.fullName, Role: a.role,
		IsPresenter: a.presenter, IsListeningOnly: a.listenOnly, HasJoinedVoice: a.voice, HasVideo: a.video,
		ClientType: a.clientType, Guest: a.guest, CustomData: kvMap(a.customData),
	}
}

func (m *meeting) snapshot() Meeting {
	out := Meeting{
		MeetingID: m.id, InternalMeetingID: m.internalID, Name: m.name,
		AttendeePW: m.attendeePW, ModeratorPW: m.moderatorPW,
		CreateTime: m.createTime, CreateTimeMillis: m.createMs,
		VoiceBridge: m.voiceBridge, DialNumber: m.dialNumber, Duration: m.duration, MaxParticipants: m.maxUsers,
		Record: m.record, Recording: m.recording, GuestPolicy: m.guestPolicy,
		Metadata: kvMap(m.meta), EndCallbackURL: m.endCallbackURL, Params: url.Values{},
		HasUserJoined: m.hasUserJoined, Running: m.running(), Ended: m.ended, ForciblyEnded: m.forciblyEnded,
		StartTime: m.startTime, EndTime: m.endTime,
		IsBreakout: m.isBreakout, ParentMeetingID: m.parentInternalID, Sequence: m.sequence, FreeJoin: m.freeJoin,
		BreakoutRooms: append([]string(nil), m.breakouts...),
	}
	for k, v := range m.params {
		out.Params[k] = append([]string(nil), v...)
	}
	for _, a := range m.attendees {
		out.Attendees = append(out.Attendees, a.snapshot())
	}
	return out
}

// Meeting returns a copy of the meeting with external ID meetingID. An
// ended meeting stays visible (Ended set) for a minute after its end.
func (s *Server) Meeting(meetingID string) (Meeting, bool) {
	s.rlock(s.clock.Now())
	defer s.runlock()
	m := s.meetings[meetingID]
	if m == nil {
		return Meeting{}, false
	}
	return m.snapshot(), true
}

// Meetings returns copies of the meetings getMeetings lists, oldest
// first: an ended meeting stays listed (Ended set) for a minute after its
// end, as it does in getMeetingInfo.
func (s *Server) Meetings() []Meeting {
	s.rlock(s.clock.Now())
	defer s.runlock()
	list := make([]*meeting, 0, len(s.meetings))
	for _, m := range s.meetings {
		list = append(list, m)
	}
	sortMeetings(list)
	out := make([]Meeting, 0, len(list))
	for _, m := range list {
		out = append(out, m.snapshot())
	}
	return out
}

// liveForHelper finds a running meeting for a helper. s.mu is held.
func (s *Server) liveForHelper(meetingID string) (*meeting, error) {
	m := s.meetings[meetingID]
	switch {
	case m == nil:
		return nil, ErrNoMeeting
	case m.ended:
		return nil, ErrMeetingEnded
	}
	return m, nil
}

func normalizeRole(role string) (string, error) {
	switch strings.ToUpper(role) {
	case roleModerator:
		return roleModerator, nil
	case roleViewer:
		return roleViewer, nil
	}
	return "", ErrInvalidRole
}

// UserJoins puts a user in the meeting, as if someone had opened a join
// URL in a browser, and returns the user's ID ("w_…"). role is MODERATOR or
// VIEWER, in any case.
func (s *Server) UserJoins(meetingID, fullName, role string) (string, error) {
	r, err := normalizeRole(role)
	if err != nil {
		return "", err
	}
	s.lock(s.clock.Now())
	defer s.unlock()
	m, err := s.liveForHelper(meetingID)
	if err != nil {
		return "", err
	}
	if m.maxUsers > 0 && len(m.attendees) >= m.maxUsers {
		return "", ErrMeetingFull
	}
	id := "w_" + fakekit.RandomString(12, fakekit.LowerAlnum)
	a := &attendee{internalID: id, userID: id, fullName: fullName, role: r, clientType: "HTML5"}
	m.addAttendee(a)
	s.webhookUserLocked(EventUserJoined, m, a)
	return id, nil
}

// UserLeaves takes the user with that user ID (or internal user ID) out of
// the meeting. When the last user leaves, the meeting ends after
// WithEmptyMeetingExpiry.
func (s *Server) UserLeaves(meetingID, userID string) error {
	now := s.clock.Now()
	s.lock(now)
	defer s.unlock()
	m, err := s.liveForHelper(meetingID)
	if err != nil {
		return err
	}
	i := m.findAttendee(userID)
	if i < 0 {
		return ErrNoUser
	}
	s.leaveLocked(m, i, now)
	return nil
}

// UpdateAttendee lets a test change a user's media state (voice, video,
// listen only, presenter) as getMeetingInfo reports it. f gets a copy;
// only the media and presenter fields are written back.
func (s *Server) UpdateAttendee(meetingID, userID string, f func(*Attendee)) error {
	s.lock(s.clock.Now())
	defer s.unlock()
	m, err := s.liveForHelper(meetingID)
	if err != nil {
		return err
	}
	i := m.findAttendee(userID)
	if i < 0 {
		return ErrNoUser
	}
	a := m.attendees[i]
	snap := a.snapshot()
	f(&snap)
	a.presenter, a.listenOnly, a.voice, a.video = snap.IsPresenter, snap.IsListeningOnly, snap.HasJoinedVoice, snap.HasVideo
	return nil
}

// EndMeeting ends a meeting from inside BBB (a moderator clicked "End
// meeting"): the same as the end call, end callback included.
func (s *Server) EndMeeting(meetingID string) error {
	now := s.clock.Now()
	s.lock(now)
	defer s.unlock()
	m, err := s.liveForHelper(meetingID)
	if err != nil {
		return err
	}
	s.finishLocked(m, now, true)
	return nil
}

// SetRecording starts or stops the recording of a meeting created with
// record=true, as the record button does; a meeting recorded at least once
// sends recordingmarks=true to its end callback.
func (s *Server) SetRecording(meetingID string, on bool) error {
	s.lock(s.clock.Now())
	defer s.unlock()
	m, err := s.liveForHelper(meetingID)
	if err != nil {
		return err
	}
	if !m.record {
		return ErrNotRecorded
	}
	m.recording = on
	m.recordingMarks = m.recordingMarks || on
	return nil
}

// AddBreakout opens breakout room number sequence of a running meeting, as
// a moderator would, and returns its meeting ID (for breakout rooms BBB
// uses the internal ID as external ID too).
func (s *Server) AddBreakout(parentMeetingID string, sequence int, freeJoin bool) (string, error) {
	now := s.clock.Now()
	s.lock(now)
	defer s.unlock()
	p, err := s.liveForHelper(parentMeetingID)
	if err != nil {
		return "", err
	}
	id := internalMeetingID(p.internalID+"-"+strconv.Itoa(sequence), now.UnixMilli())
	m := s.newMeetingLocked(id, p.name+" (Room "+strconv.Itoa(sequence)+")", now)
	m.internalID = id
	m.attendeePW, m.moderatorPW = p.attendeePW, p.moderatorPW
	m.isBreakout, m.parentInternalID, m.sequence, m.freeJoin = true, p.internalID, sequence, freeJoin
	m.hasUserJoined = false
	p.breakouts = append(p.breakouts, id)
	s.addMeetingLocked(m)
	return id, nil
}

// Chat returns a copy of the meeting's public chat (also for a meeting
// that just ended), nil for an unknown meeting.
func (s *Server) Chat(meetingID string) []ChatMessage {
	s.rlock(s.clock.Now())
	defer s.runlock()
	if m := s.meetings[meetingID]; m != nil {
		return append([]ChatMessage(nil), m.chat...)
	}
	return nil
}

// PostChat writes a message into the meeting's public chat as user, the
// way a participant (such as SIPMediaGW's "streaming" bot) types it.
func (s *Server) PostChat(meetingID, user, msg string) error {
	now := s.clock.Now()
	s.lock(now)
	defer s.unlock()
	m, err := s.liveForHelper(meetingID)
	if err != nil {
		return err
	}
	m.chat = append(m.chat, ChatMessage{UserName: user, Message: msg, Time: now})
	return nil
}

// Documents returns the documents given to the meeting with create or
// insertDocument, nil for an unknown meeting.
func (s *Server) Documents(meetingID string) []Document {
	s.rlock(s.clock.Now())
	defer s.runlock()
	if m := s.meetings[meetingID]; m != nil {
		return append([]Document(nil), m.documents...)
	}
	return nil
}

// Sweep applies the expiry rules at the clock's current time now, rather
// than at the next request or when the sweep timer fires, firing the end
// callbacks of meetings that expired.
func (s *Server) Sweep() {
	s.lock(s.clock.Now())
	s.unlock()
}

// Reset forgets all state: meetings, sessions, recordings, hooks, the
// request log, faults, callback attempts and pending callback retries.
// Callbacks already in flight still complete and are recorded.
func (s *Server) Reset() {
	s.mu.Lock()
	s.meetings = make(map[string]*meeting)
	s.byInternal = make(map[string]*meeting)
	s.sessions = make(map[string]*session)
	s.recordings, s.hooks, s.nextHookID = nil, nil, 0
	s.addPermanentHooksLocked()
	s.stopSweepLocked()
	s.jobs, s.outbox = nil, nil
	s.mu.Unlock()

	s.logMu.Lock()
	s.reqLog = fakekit.NewRing[Request](s.cfg.requestLogSize)
	s.logMu.Unlock()

	s.faults.Clear()
	s.delayed.Store(0)

	s.cbMu.Lock()
	s.stopTimersLocked()
	s.callbacks, s.deliveries, s.sendQ = nil, nil, nil
	s.cbMu.Unlock()
	s.events.Broadcast()
}
