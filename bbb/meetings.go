package bbb

import (
	"context"
	"time"

	"github.com/bbbcast/bbbcast/bbb/internal/xmltree"
)

// IsMeetingRunning reports whether the meeting exists and has users in it.
// BBB answers false, not an error, for an unknown meeting ID.
func (c *Client) IsMeetingRunning(ctx context.Context, meetingID string) (bool, error) {
	const call = "isMeetingRunning"
	if err := validateMeetingID(call, "meetingID", meetingID); err != nil {
		return false, err
	}
	r := request{call: call, idempotent: true}
	r.query.add("meetingID", meetingID)
	resp, err := c.do(ctx, &r)
	if err != nil {
		return false, err
	}
	return parseBool(resp.ChildText("running")), nil
}

// GetMeetingInfo returns a meeting with its attendees, metadata and
// breakout rooms. An unknown meeting gives an error matching ErrNotFound.
func (c *Client) GetMeetingInfo(ctx context.Context, meetingID string) (*Meeting, error) {
	const call = "getMeetingInfo"
	if err := validateMeetingID(call, "meetingID", meetingID); err != nil {
		return nil, err
	}
	r := request{call: call, idempotent: true}
	r.query.add("meetingID", meetingID)
	resp, err := c.do(ctx, &r)
	if err != nil {
		return nil, err
	}
	m := new(Meeting)
	decodeMeeting(resp, m)
	return m, nil
}

// GetMeetings returns every meeting on the server in one request (none is
// an empty slice, not an error).
func (c *Client) GetMeetings(ctx context.Context) ([]Meeting, error) {
	r := request{call: "getMeetings", idempotent: true}
	resp, err := c.do(ctx, &r)
	if err != nil {
		return nil, err
	}
	return decodeMeetings(resp), nil
}

// MeetingStatus is what MeetingStatuses tells of a meeting: enough to
// know which meetings run, without their attendees.
type MeetingStatus struct {
	MeetingID            string
	InternalMeetingID    string
	CreateTime           int64
	Running              bool
	HasBeenForciblyEnded bool
	EndTime              time.Time
}

// Ended reports whether the meeting is over.
func (m *MeetingStatus) Ended() bool { return m.HasBeenForciblyEnded || !m.EndTime.IsZero() }

// MeetingStatuses is GetMeetings for watchers: one request, every
// meeting's ID and state, without decoding attendees, metadata or
// breakout rooms (a server of hundreds of meetings answers megabytes).
func (c *Client) MeetingStatuses(ctx context.Context) ([]MeetingStatus, error) {
	// The attendees are most of a busy server's answer, and the
	// statuses need none of them: they are read (and checked) but not
	// kept.
	r := request{call: "getMeetings", idempotent: true, skip: []string{"attendees", "metadata", "breakoutRooms"}}
	resp, err := c.do(ctx, &r)
	if err != nil {
		return nil, err
	}
	list := resp.Child("meetings")
	out := make([]MeetingStatus, 0, list.CountChildren())
	for n := range list.Children() {
		if n.Name() != "meeting" {
			continue
		}
		var m MeetingStatus
		for f := range n.Children() {
			switch f.Name() {
			case "meetingID":
				m.MeetingID = f.Text()
			case "internalMeetingID":
				m.InternalMeetingID = text(f)
			case "createTime":
				m.CreateTime = parseInt64(f.Text())
			case "running":
				m.Running = parseBool(f.Text())
			case "hasBeenForciblyEnded":
				m.HasBeenForciblyEnded = parseBool(f.Text())
			case "endTime":
				m.EndTime = parseMillis(f.Text())
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// decodeMeetings decodes the <meetings> list of a getMeetings answer.
func decodeMeetings(resp xmltree.Node) []Meeting {
	list := resp.Child("meetings")
	out := make([]Meeting, 0, list.CountChildren())
	for n := range list.Children() {
		if n.Name() == "meeting" {
			out = append(out, Meeting{})
			decodeMeeting(n, &out[len(out)-1])
		}
	}
	return out
}

// End asks the server to end a meeting and kick everyone out. Ending is
// asynchronous on the server: the answer (sentEndMeetingRequest) means the
// request was accepted. An unknown meeting gives an error matching
// ErrNotFound, which a caller ending idempotently can treat as done.
// moderatorPW is sent as "password" when not empty: servers before 2.6
// require the moderator password, later ones ignore it.
func (c *Client) End(ctx context.Context, meetingID, moderatorPW string) error {
	const call = "end"
	if err := validateMeetingID(call, "meetingID", meetingID); err != nil {
		return err
	}
	r := request{call: call}
	r.query.add("meetingID", meetingID)
	r.query.addNonEmpty("password", moderatorPW)
	_, err := c.do(ctx, &r)
	return err
}
