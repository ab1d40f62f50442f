package webinar

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/bbb"
)

// ErrBadCredential: the bot page's secret or room does not match.
var ErrBadCredential = errors.New("webinar: bad credential")

// BotName is the display name the streaming bot joins with, unless its
// page submits another.
const BotName = "streaming"

// BotForm is what a bot submitted on its page.
type BotForm struct {
	// Name is what the bot typed (BotName when empty).
	Name string
	// Field is the field it typed it in, which tells the bot's
	// generation: BotFieldName (#id_name: SIPMediaGW v1.5 and v1.6) or
	// BotFieldGreenlight (Greenlight's #joinFormName: v1.7 and later);
	// "" when unknown, as for a GET of the page.
	Field string
}

// The fields of the bot page's form.
const (
	BotFieldName       = "name"
	BotFieldGreenlight = "joinFormName"
)

// BotJoinURL checks the credential of a bot page URL (secret and room of
// BotPagePath, compared in constant time) and returns the BBB viewer join
// URL the page redirects the bot to, for the bot release that submitted
// form (see botRelease). The meeting must be running for this webinar
// (starting or live).
func (s *Service) BotJoinURL(ctx context.Context, id, secret, room string, form BotForm) (string, error) {
	if err := s.checkLive(); err != nil {
		return "", err
	}
	w, err := s.store.Webinar(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return "", ErrBadCredential // no hint that the ID exists
	}
	if err != nil {
		return "", err
	}
	okSecret := subtle.ConstantTimeCompare([]byte(secret), []byte(w.BotSecret.Reveal())) == 1
	okRoom := subtle.ConstantTimeCompare([]byte(room), []byte(w.BotRoom)) == 1
	if !okSecret || !okRoom || w.BotSecret.IsZero() {
		return "", ErrBadCredential
	}
	if w.State != Starting && w.State != Live {
		return "", ErrInvalidState
	}
	release := s.botRelease(ctx, &w, form.Field)
	name := strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(form.Name, "")))
	if name == "" || utf8.RuneCountInString(name) > 100 {
		name = BotName
	}
	return s.bbbFor(&w).JoinURL(&bbb.JoinParams{FullName: name, MeetingID: w.MeetingID, Role: bbb.RoleViewer,
		UserID: "bbbcast-bot-" + w.ID, CreateTime: w.CreateTime,
		UserData: release.userData()})
}
