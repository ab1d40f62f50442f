package webinar

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/bbb"
)

// ChatRelay is how audience messages reach the meeting's public chat.
type ChatRelay uint8

// The relays.
const (
	// RelaySIPMediaGW makes the streaming bot type the message (the
	// default; works with every BBB version).
	RelaySIPMediaGW ChatRelay = iota
	// RelayBBB posts with BBB's sendChatMessage (BBB 3.0 and later), the
	// author's name as the sender.
	RelayBBB
)

// ErrChatClosed: the chat is disabled or the webinar is not live.
var ErrChatClosed = errors.New("webinar: chat closed")

// MaxChatLen is the longest message, in characters, author prefix
// included (BBB's public chat limit).
const MaxChatLen = 500

// PostChat relays u's message to the meeting's public chat, prefixed with
// u's name as Esup-Pod does: "(Ada L.) message". It checks the policy,
// that the chat is enabled and the webinar live, and the message (not
// empty, valid UTF-8, at most MaxChatLen characters with the prefix).
func (s *Service) PostChat(ctx context.Context, u User, id, text string) error {
	w, err := s.store.Webinar(ctx, id)
	if err != nil {
		return err
	}
	if !s.policy.CanChat(u, &w) {
		return ErrForbidden
	}
	if !w.ChatEnabled || w.State != Live {
		return ErrChatClosed
	}
	text = strings.TrimSpace(text)
	if text == "" || !utf8.ValidString(text) {
		return &InputError{Field: "message", Reason: "empty or not valid UTF-8"}
	}
	name := strings.TrimSpace(u.Name)
	if name == "" {
		name = u.ID
	}
	if s.relay == RelayBBB {
		if utf8.RuneCountInString(text) > MaxChatLen {
			return &InputError{Field: "message", Reason: fmt.Sprintf("at most %d characters", MaxChatLen)}
		}
		return s.bbbFor(&w).SendChatMessage(ctx, &bbb.ChatMessage{MeetingID: w.MeetingID, Message: text, UserName: name})
	}
	msg := "(" + name + ") " + text
	if utf8.RuneCountInString(msg) > MaxChatLen {
		return &InputError{Field: "message", Reason: fmt.Sprintf("at most %d characters with the author's name", MaxChatLen)}
	}
	session, client, err := s.sessionClient(ctx, w)
	if err != nil {
		return err
	}
	return client.SendChat(ctx, session, msg)
}

// SetChatShown sets whether the chat panel shows in the stream. The
// wanted state is stored; a live stream is toggled at once, and only when
// it differs (the servers offer a blind toggle).
func (s *Service) SetChatShown(ctx context.Context, u User, id string, shown bool) (Webinar, error) {
	return s.Update(ctx, u, id, Changes{ChatShown: &shown})
}

// applyChatShown brings a live stream's chat panel to the wanted state.
func (s *Service) applyChatShown(ctx context.Context, w Webinar) (Webinar, error) {
	if w.State != Live || w.ChatVisible == w.ChatShown || w.Session == "" {
		return w, nil
	}
	return s.drive(ctx, w.ID, func(ctx context.Context) (Webinar, error) {
		cur, err := s.store.Webinar(ctx, w.ID)
		if err != nil {
			return w, err
		}
		session, client, err := s.sessionClient(ctx, cur)
		if err != nil {
			return cur, err
		}
		return s.syncChat(ctx, cur, client, session), nil
	})
}
