package bbb

import (
	"context"
	"unicode/utf8"
)

// Limits of sendChatMessage.
const (
	MaxChatMessageLen = 500 // characters
	MaxChatUserName   = 255 // characters
)

// ChatMessage is a public chat message sent with sendChatMessage.
type ChatMessage struct {
	MeetingID string `url:"meetingID,omitempty"`
	Message   string `url:"message,omitempty"`  // plain text, 1 to 500 characters
	UserName  string `url:"userName,omitempty"` // shown as the author; BBB says "System" when empty
}

// SendChatMessage posts a message in a meeting's public chat (BBB 3.0 and
// later; older servers answer 404, matched by ErrNotSupported). It is not
// retried, so a message is never posted twice.
func (c *Client) SendChatMessage(ctx context.Context, m *ChatMessage) error {
	const call = "sendChatMessage"
	if m == nil {
		return &ParamError{Call: call, Param: "message", Reason: "required"}
	}
	if err := validateMeetingID(call, "meetingID", m.MeetingID); err != nil {
		return err
	}
	if n := utf8.RuneCountInString(m.Message); n == 0 || n > MaxChatMessageLen {
		return &ParamError{Call: call, Param: "message", Reason: "must be 1 to 500 characters"}
	}
	if !utf8.ValidString(m.Message) || !utf8.ValidString(m.UserName) {
		return &ParamError{Call: call, Param: "message", Reason: "must be valid UTF-8"}
	}
	if utf8.RuneCountInString(m.UserName) > MaxChatUserName {
		return &ParamError{Call: call, Param: "userName", Reason: "must be at most 255 characters"}
	}
	q, err := encodeStruct(m)
	if err != nil {
		return &ParamError{Call: call, Param: "message", Reason: err.Error()}
	}
	_, err = c.do(ctx, &request{call: call, query: q})
	return err
}
