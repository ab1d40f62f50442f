package bbbtest

import "net/http"

// The guest lobby in the control API: list the guests waiting, and allow
// or deny them as a moderator does.

type controlGuest struct {
	UserID         string `json:"userID"`
	InternalUserID string `json:"internalUserID"`
	FullName       string `json:"fullName"`
	Role           string `json:"role"`
	Since          int64  `json:"since"`
	Position       int    `json:"position"`
}

type controlGuestDecision struct {
	MeetingID string `json:"meetingID"`
	UserID    string `json:"userID"`
	Status    string `json:"status"`
}

func (s *Server) controlGuests(r *http.Request) (any, error) {
	id := r.URL.Query().Get("meetingID")
	if err := requireField("meetingID", id); err != nil {
		return nil, err
	}
	list, err := s.GuestsWaiting(id)
	if err != nil {
		return nil, err
	}
	out := make([]controlGuest, 0, len(list))
	for _, g := range list {
		out = append(out, controlGuest{
			UserID: g.UserID, InternalUserID: g.InternalUserID, FullName: g.FullName,
			Role: g.Role, Since: millis(g.Since), Position: g.Position,
		})
	}
	return map[string][]controlGuest{"guests": out}, nil
}

func (s *Server) controlDecideGuests(r *http.Request) (any, error) {
	var in controlGuestDecision
	if err := decodeControl(r, &in); err != nil {
		return nil, err
	}
	if err := requireField("meetingID", in.MeetingID); err != nil {
		return nil, err
	}
	var err error
	switch in.Status {
	case guestAllow:
		err = s.ApproveGuest(in.MeetingID, in.UserID)
	case guestDeny:
		err = s.DenyGuest(in.MeetingID, in.UserID)
	default:
		return nil, badRequest("status must be ALLOW or DENY, not %q", in.Status)
	}
	if err != nil {
		return nil, err
	}
	return controlOK, nil
}
