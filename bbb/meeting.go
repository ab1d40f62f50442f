package bbb

import (
	"time"

	"github.com/bbbcast/bbbcast/bbb/internal/xmltree"
)

// Meeting is a meeting as getMeetingInfo and getMeetings describe it.
type Meeting struct {
	Name                  string
	MeetingID             string
	InternalMeetingID     string
	CreateTime            int64 // milliseconds since the epoch, as BBB sends it: pass it back to join
	CreateDate            string
	VoiceBridge           string
	DialNumber            string
	AttendeePW            string
	ModeratorPW           string
	Running               bool
	Duration              int // minutes, 0 for unlimited
	HasUserJoined         bool
	Recording             bool
	HasBeenForciblyEnded  bool
	StartTime             time.Time
	EndTime               time.Time
	ParticipantCount      int
	ListenerCount         int
	VoiceParticipantCount int
	VideoCount            int
	MaxUsers              int
	ModeratorCount        int
	Attendees             []Attendee
	// Metadata holds the meta_* parameters given at create, keys lower-cased
	// by BBB and without the prefix.
	Metadata map[string]string
	// IsBreakout tells whether the meeting is a breakout room; Breakout then
	// describes it.
	IsBreakout bool
	Breakout   *BreakoutInfo
	// BreakoutRooms lists the internal IDs of this meeting's breakout rooms.
	BreakoutRooms []string
}

// CreatedAt returns CreateTime as a time.
func (m *Meeting) CreatedAt() time.Time { return time.UnixMilli(m.CreateTime).UTC() }

// Attendee is a user in a meeting.
type Attendee struct {
	UserID          string
	FullName        string
	Role            Role
	IsPresenter     bool
	IsListeningOnly bool
	HasJoinedVoice  bool
	HasVideo        bool
	ClientType      string
	// CustomData holds the userdata-* values the user joined with.
	CustomData map[string]string
}

// BreakoutInfo describes a breakout room.
type BreakoutInfo struct {
	ParentMeetingID string
	Sequence        int
	FreeJoin        bool
}

// Role is a user's role in a meeting.
type Role string

// The roles BBB knows.
const (
	RoleModerator Role = "MODERATOR"
	RoleViewer    Role = "VIEWER"
)

func decodeMeeting(n xmltree.Node, m *Meeting) {
	for c := range n.Children() {
		switch c.Name() {
		case "meetingName":
			m.Name = c.Text()
		case "meetingID":
			m.MeetingID = c.Text()
		case "internalMeetingID":
			m.InternalMeetingID = text(c)
		case "createTime":
			m.CreateTime = parseInt64(c.Text())
		case "createDate":
			m.CreateDate = text(c)
		case "voiceBridge":
			m.VoiceBridge = text(c)
		case "dialNumber":
			m.DialNumber = text(c)
		case "attendeePW":
			m.AttendeePW = c.Text()
		case "moderatorPW":
			m.ModeratorPW = c.Text()
		case "running":
			m.Running = parseBool(c.Text())
		case "duration":
			m.Duration = parseInt(c.Text())
		case "hasUserJoined":
			m.HasUserJoined = parseBool(c.Text())
		case "recording":
			m.Recording = parseBool(c.Text())
		case "hasBeenForciblyEnded":
			m.HasBeenForciblyEnded = parseBool(c.Text())
		case "startTime":
			m.StartTime = parseMillis(c.Text())
		case "endTime":
			m.EndTime = parseMillis(c.Text())
		case "participantCount":
			m.ParticipantCount = parseInt(c.Text())
		case "listenerCount":
			m.ListenerCount = parseInt(c.Text())
		case "voiceParticipantCount":
			m.VoiceParticipantCount = parseInt(c.Text())
		case "videoCount":
			m.VideoCount = parseInt(c.Text())
		case "maxUsers":
			m.MaxUsers = parseInt(c.Text())
		case "moderatorCount":
			m.ModeratorCount = parseInt(c.Text())
		case "attendees":
			m.Attendees = decodeAttendees(c)
		case "metadata":
			m.Metadata = childMap(c)
		case "isBreakout":
			m.IsBreakout = parseBool(c.Text())
		case "breakout":
			// getMeetings' template wraps a breakout room's details...
			decodeBreakout(c, m)
		case "parentMeetingID", "sequence", "freeJoin":
			// ...getMeetingInfo writes them in the meeting itself.
			decodeBreakoutField(c, m)
		case "breakoutRooms":
			m.BreakoutRooms = make([]string, 0, c.CountChildren())
			for b := range c.Children() {
				m.BreakoutRooms = append(m.BreakoutRooms, text(b))
			}
		}
	}
}

func decodeBreakout(n xmltree.Node, m *Meeting) {
	for c := range n.Children() {
		decodeBreakoutField(c, m)
	}
}

func decodeBreakoutField(c xmltree.Node, m *Meeting) {
	if m.Breakout == nil {
		m.Breakout = new(BreakoutInfo)
	}
	switch c.Name() {
	case "parentMeetingID":
		m.Breakout.ParentMeetingID = text(c)
	case "sequence":
		m.Breakout.Sequence = parseInt(c.Text())
	case "freeJoin":
		m.Breakout.FreeJoin = parseBool(c.Text())
	}
}

func decodeAttendees(n xmltree.Node) []Attendee {
	k := n.CountChildren()
	if k == 0 {
		return nil
	}
	out := make([]Attendee, 0, k)
	for c := range n.Children() {
		if c.Name() != "attendee" {
			continue
		}
		var a Attendee
		for f := range c.Children() {
			switch f.Name() {
			case "userID":
				a.UserID = text(f)
			case "fullName":
				a.FullName = f.Text()
			case "role":
				a.Role = Role(text(f))
			case "isPresenter":
				a.IsPresenter = parseBool(f.Text())
			case "isListeningOnly":
				a.IsListeningOnly = parseBool(f.Text())
			case "hasJoinedVoice":
				a.HasJoinedVoice = parseBool(f.Text())
			case "hasVideo":
				a.HasVideo = parseBool(f.Text())
			case "clientType":
				a.ClientType = text(f)
			case "customdata":
				a.CustomData = childMap(f)
			}
		}
		out = append(out, a)
	}
	return out
}
