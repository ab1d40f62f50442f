package webinar

import (
	"context"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// botGeneration is a family of SIPMediaGW bot releases that go through
// BBB's HTML5 client the same way after joining.
type botGeneration uint8

const (
	// botPod is the v1.5 and v1.6 bot (Esup-Pod's): it types its name
	// into #id_name, then, with Selenium, clicks the audio modal's
	// "Microphone" ([aria-label=Microphone]), waits for the device
	// <select> (option[value=default]) and clicks the echo test's "Join
	// audio" (data-test=joinEchoTestButton), then the camera and the chat.
	botPod botGeneration = iota
	// botV17 types into Greenlight's #joinFormName and clicks, with
	// Selenium, the action bar's [aria-label='Join audio'], then the
	// camera (.icon-bbb-video_off): an audio modal open at join
	// intercepts both clicks.
	botV17
	// botV18 (v1.8.x) types into #joinFormName, then, with clicks
	// dispatched by its own script, waits for the audio modal
	// ([data-test=audioModal]) and its echo-test button, then for the
	// session-details modal: without the audio modal it returns before
	// the camera and the session details.
	botV18
)

// botRelease tells which bot generation submitted the page: the field it
// typed into, and for Greenlight's, the protocol of the webinar's gateway
// (a legacy launcher runs v1.7; v1.8 a proxy or launcher). A page
// submitted by nothing known gets the v1.5/v1.6 choice, BBB's defaults.
func (s *Service) botRelease(ctx context.Context, w *Webinar, field string) botGeneration {
	if field != BotFieldGreenlight {
		return botPod
	}
	if w.GatewayID != 0 {
		if g, err := s.gateways.Gateway(ctx, w.GatewayID); err == nil && g.Server.Protocol == sipmediagw.Legacy {
			return botV17
		}
	}
	return botV18
}

// userData is the userdata of the bot's join URL, chosen from what BBB's
// HTML5 client (2.7 and 3.x, audio-modal's component and container) does
// with it, so that each generation finds what it waits for:
//
//   - bbb_auto_join_audio opens the audio modal ([data-test=audioModal])
//     at join;
//
//   - bbb_listen_only_mode=true makes the modal show its choices
//     ("Microphone" among them); false sends it straight to the echo test
//     (or to the microphone when the check is skipped);
//
//   - bbb_skip_check_audio (and bbb_skip_check_audio_on_first_join on the
//     first join) joins the microphone at once, without the echo test:
//     joinFullAudioImmediately = skipCheck || skipCheckOnJoin.
//
//   - bbb_show_session_details_on_join (BBB 3.0; 2.x ignores it) opens
//     the session-details modal at join, by default: its overlay takes
//     the Selenium clicks of v1.5, v1.6 and v1.7 (the camera, the send
//     button, v1.7's "Join audio"), while v1.8 waits for it to close it.
//
// v1.5/v1.6 get BBB's own defaults (modal at join, on its choices, echo
// test kept), set explicitly so that a server configured otherwise does
// not break them; with the check skipped they lost 21 s on the missing
// device select and left the modal over the page. v1.7 gets no modal at
// join, and its click on the action bar's "Join audio" joins the
// microphone at once, leaving nothing over the camera button (with the
// former userdata it lost up to 50 s). v1.8 gets the modal at join,
// straight to the echo test its script confirms, and the session
// details it closes; the others do not get the session details.
func (g botGeneration) userData() bbb.UserData {
	switch g {
	case botV17:
		return bbb.UserData{
			"bbb_auto_join_audio":              "false",
			"bbb_listen_only_mode":             "false",
			"bbb_skip_check_audio":             "true",
			"bbb_show_session_details_on_join": "false",
		}
	case botV18:
		return bbb.UserData{
			"bbb_auto_join_audio":                "true",
			"bbb_listen_only_mode":               "false",
			"bbb_skip_check_audio":               "false",
			"bbb_skip_check_audio_on_first_join": "false",
		}
	}
	return bbb.UserData{
		"bbb_auto_join_audio":                "true",
		"bbb_listen_only_mode":               "true",
		"bbb_skip_check_audio":               "false",
		"bbb_skip_check_audio_on_first_join": "false",
		"bbb_show_session_details_on_join":   "false",
	}
}
