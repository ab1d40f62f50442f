package bbb

import (
	"context"

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
