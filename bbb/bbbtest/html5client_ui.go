package bbbtest

import "strings"

// The meeting room carries, inert, the controls of BBB's HTML5 client
// that a streaming bot (SIPMediaGW's browsing module) drives after the
// join: the audio modal, the action bar's audio and camera buttons, the
// camera preview, the session-details modal of 3.x, and the chat's
// toggle, input and send button. Their ids, data-test and aria-label
// attributes are the real client's (bigbluebutton-html5, audio-modal,
// audio-settings, actions-bar, video-preview, session-details, chat);
// nothing is sent or recorded but the chat.

// clientUI is what the room's controls show at join, from the release
// and the session's userdata.
type clientUI struct {
	// AudioModal is the view the audio modal opens on, "" when it does not
	// open at join (bbb_auto_join_audio=false, or the client joined the
	// microphone at once).
	AudioModal string
	// SkipCheck: "Microphone" joins at once instead of opening the audio
	// settings (joinFullAudioImmediately).
	SkipCheck bool
	// ListenOnly: the modal offers "Listen only" (bbb_listen_only_mode).
	ListenOnly bool
	// InAudio: the user is in the audio already (the client joined it
	// without asking), so the action bar offers to leave it.
	InAudio bool
	// SessionDetails: the 3.x session-details modal opens at join
	// (layout.showSessionDetailsOnJoin, true by default, overridden by
	// bbb_show_session_details_on_join).
	SessionDetails bool
}

// Views of the audio modal.
const (
	audioViewOptions  = "options"  // Microphone / Listen only
	audioViewSettings = "settings" // devices and "Join audio" (local echo test)
)

// clientUIFor follows the audio container and modal of BBB's client
// (audio/container.jsx, audio/audio-modal/container.jsx and
// component.jsx of 2.7 and 3.x) with settings.yml's defaults: autoJoin
// true, listenOnlyMode true, skipCheck false, skipCheckOnJoin false,
// forceListenOnly false. On mount, the modal
//
//   - joins listen-only at once for a viewer when forced
//     (bbb_force_listen_only);
//   - with listen-only mode off, joins the microphone at once when the
//     check is skipped (joinFullAudioImmediately = bbb_skip_check_audio ||
//     bbb_skip_check_audio_on_first_join on the first join), else goes to
//     the echo test, the audio settings of the local echo test;
//   - with listen-only mode on, shows its options.
//
// From 3.0 the session-details modal opens at join too, over the page,
// unless bbb_show_session_details_on_join=false (nav-bar/container.jsx:
// getFromUserSettings('bbb_show_session_details_on_join',
// layout.showSessionDetailsOnJoin), true in settings.yml).
func clientUIFor(v version, role string, userdata []kv) clientUI {
	get := func(k string, def bool) bool {
		for _, c := range userdata {
			if c.k == k {
				return strings.EqualFold(strings.TrimSpace(c.v), "true")
			}
		}
		return def
	}
	autoJoin := get("bbb_auto_join_audio", true)
	listenOnly := get("bbb_listen_only_mode", true)
	skipCheck := get("bbb_skip_check_audio", false) || get("bbb_skip_check_audio_on_first_join", false)
	forced := get("bbb_force_listen_only", false) && role != "MODERATOR"
	ui := clientUI{SkipCheck: skipCheck, ListenOnly: listenOnly || forced, SessionDetails: v.atLeast(v30) && get("bbb_show_session_details_on_join", true)}
	if !autoJoin {
		return ui
	}
	switch {
	case forced, !listenOnly && skipCheck:
		// The modal shows "Connecting…" and closes once in the audio:
		// with no media here, the user is in it at once.
		ui.InAudio = true
	case !listenOnly:
		ui.AudioModal = audioViewSettings
	default:
		ui.AudioModal = audioViewOptions
	}
	return ui
}
