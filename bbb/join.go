package bbb

import (
	"context"
	"net/url"
	"strings"
)

// JoinParams are the parameters of join. FullName and MeetingID are
// required, and either Role (BBB 2.4 and later) or the legacy Password.
type JoinParams struct {
	FullName  string `url:"fullName,omitempty"`
	MeetingID string `url:"meetingID,omitempty"`
	Role      Role   `url:"role,omitempty"`
	// Password is the attendee or moderator password of servers that
	// predate roles; it is a secret, keep join URLs out of logs.
	Password string `url:"password,omitempty"`
	// CreateTime, when set, makes the join fail with ErrMismatchCreateTime if
	// the meeting was recreated since: a link cannot enter a later meeting
	// with the same ID.
	CreateTime int64  `url:"createTime,omitempty"`
	UserID     string `url:"userID,omitempty"`
	AvatarURL  string `url:"avatarURL,omitempty"`
	// Guest marks the user as a guest, subject to the guest policy.
	Guest         *bool  `url:"guest,omitempty"`
	DefaultLayout string `url:"defaultLayout,omitempty"`
	// UserData becomes userdata-<key> parameters (client settings such as
	// bbb_auto_join_audio).
	UserData UserData `url:"userdata,omitempty"`
	// Extra parameters, sent as given after the others.
	Extra url.Values `url:"-"`
}

// JoinSession is the answer of a join with redirect=false: what a client
// needs to enter the meeting without following a redirect.
type JoinSession struct {
	MeetingID    string // internal meeting ID
	UserID       string
	AuthToken    string
	SessionToken string
	GuestStatus  string // ALLOW, WAIT or DENY
	URL          string // the client URL to open
}

// String describes the session without its tokens or URL.
func (s *JoinSession) String() string {
	return "bbb.JoinSession{meeting " + s.MeetingID + ", user " + s.UserID + ", guest " + s.GuestStatus + "}"
}

func (p *JoinParams) validate(call string) error {
	if p == nil {
		return &ParamError{Call: call, Param: "params", Reason: "required"}
	}
	if strings.TrimSpace(p.FullName) == "" {
		return &ParamError{Call: call, Param: "fullName", Reason: "required"}
	}
	if err := validateMeetingID(call, "meetingID", p.MeetingID); err != nil {
		return err
	}
	switch p.Role {
	case RoleModerator, RoleViewer:
	case "":
		if p.Password == "" {
			return &ParamError{Call: call, Param: "role", Reason: "a role (or, for old servers, a password) is required"}
		}
	default:
		return &ParamError{Call: call, Param: "role", Reason: "must be MODERATOR or VIEWER"}
	}
	for k := range p.UserData {
		if k == "" {
			return &ParamError{Call: call, Param: "userdata-", Reason: "empty key"}
		}
	}
	return nil
}

// appendQuery is the fast path of join's encoding (see CreateParams).
func (p *JoinParams) appendQuery(q *params) {
	q.addNonEmpty("fullName", p.FullName)
	q.addNonEmpty("meetingID", p.MeetingID)
	q.addNonEmpty("role", string(p.Role))
	q.addNonEmpty("password", p.Password)
	if p.CreateTime != 0 {
		q.addInt("createTime", p.CreateTime)
	}
	q.addNonEmpty("userID", p.UserID)
	q.addNonEmpty("avatarURL", p.AvatarURL)
	q.addBool("guest", p.Guest)
	q.addNonEmpty("defaultLayout", p.DefaultLayout)
	q.addPrefixed("userdata-", p.UserData)
	q.addValues(p.Extra)
}

// JoinURL returns the signed join URL to send a user's browser to. It
// makes no request. The URL is a credential: whoever has it enters the
// meeting with its role, so never log it.
func (c *Client) JoinURL(p *JoinParams) (string, error) {
	const call = "join"
	if err := p.validate(call); err != nil {
		return "", err
	}
	sp := getScratch()
	q := params{b: (*sp)[:0]}
	p.appendQuery(&q)
	u := c.signedURL(call, q.b)
	putScratch(sp, q.b)
	return u, nil
}

// Join calls join with redirect=false and returns the session the server
// opened, for clients that enter the meeting themselves (bots, native
// apps). It is not retried: each call opens a new session.
func (c *Client) Join(ctx context.Context, p *JoinParams) (*JoinSession, error) {
	const call = "join"
	if err := p.validate(call); err != nil {
		return nil, err
	}
	r := request{call: call}
	p.appendQuery(&r.query)
	r.query.add("redirect", "false")
	resp, err := c.do(ctx, &r)
	if err != nil {
		return nil, err
	}
	return &JoinSession{
		MeetingID:    text(resp.Child("meeting_id")),
		UserID:       text(resp.Child("user_id")),
		AuthToken:    text(resp.Child("auth_token")),
		SessionToken: text(resp.Child("session_token")),
		GuestStatus:  text(resp.Child("guestStatus")),
		URL:          text(resp.Child("url")),
	}, nil
}
