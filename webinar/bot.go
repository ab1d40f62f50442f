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

// BotJoinURL checks the credential of a bot page URL (secret and room of
// BotPagePath, compared in constant time) and returns the BBB viewer join
// URL the page redirects the bot to. name is what the bot typed in the
// page's form ("streaming" when empty). The meeting must be running for
// this webinar (starting or live).
func (s *Service) BotJoinURL(ctx context.Context, id, secret, room, name string) (string, error) {
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
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, "")))
	if name == "" || utf8.RuneCountInString(name) > 100 {
		name = BotName
	}
	return s.bbbFor(&w).JoinURL(&bbb.JoinParams{FullName: name, MeetingID: w.MeetingID, Role: bbb.RoleViewer,
		UserID: "bbbcast-bot-" + w.ID, CreateTime: w.CreateTime,
		UserData: botUserData()})
}

// botUserData is the userdata of the bot's join URL: the audio modal must
// open at join and offer its choices, as BBB's HTML5 client (2.7 and 3.x,
// audio-modal/component.jsx and container.jsx) does with these values:
//
//   - bbb_auto_join_audio=true opens the audio modal ([data-test=audioModal])
//     at join. The v1.8.4 bot waits for it and gives up its whole flow
//     (session-details modal, camera) when it does not come.
//   - bbb_listen_only_mode=true makes the modal show its options, the
//     "Microphone" button ([aria-label=Microphone], data-test=microphoneBtn)
//     among them, which the v1.5 and v1.6 bots click; with false the modal
//     goes straight to the echo test and they lose 21 s and then the
//     modal stays over the page their Selenium clicks must reach.
//   - bbb_skip_check_audio=false and bbb_skip_check_audio_on_first_join=false
//     (joinFullAudioImmediately = skipCheck || skipCheckOnJoin on first
//     join): "Microphone" then opens the audio settings with the device
//     <select> (option[value=default]) and the "Join audio" confirm button
//     (data-test=joinEchoTestButton) the v1.5/v1.6 bots wait for. With
//     skip_check=true (our former value) the client joins the microphone
//     at once: no options, no echo test, so v1.5/v1.6 lost 21 s and v1.7
//     50 s looking for them.
//
// These are BBB's own defaults (settings.yml: autoJoin true,
// listenOnlyMode true, skipCheck false, skipCheckOnJoin false), set here
// so that a server configured otherwise does not break the bot. The v1.7
// bot cannot complete with any choice that keeps the modal v1.8.4 needs:
// it clicks the action bar's "Join audio" with Selenium, which the open
// modal intercepts (see examples/botflow).
func botUserData() bbb.UserData {
	return bbb.UserData{
		"bbb_auto_join_audio":                "true",
		"bbb_listen_only_mode":               "true",
		"bbb_skip_check_audio":               "false",
		"bbb_skip_check_audio_on_first_join": "false",
	}
}
