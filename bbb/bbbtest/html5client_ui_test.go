package bbbtest_test

import (
	"net/http"
	"testing"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// TestHTML5ClientBotControls checks that the room of each release has the
// controls a SIPMediaGW bot drives, with the real client's attributes, and
// that the userdata decides the view the audio modal opens on.
func TestHTML5ClientBotControls(t *testing.T) {
	t.Parallel()
	bot := []string{"userdata-bbb_auto_join_audio", "true", "userdata-bbb_listen_only_mode", "true",
		"userdata-bbb_skip_check_audio", "false", "userdata-bbb_skip_check_audio_on_first_join", "false"}
	for _, tc := range []struct {
		name, version  string
		userdata       []string
		modal          string // data-audio-modal
		sessionDetails bool
	}{
		{"2.7 defaults", "2.7.3", nil, "options", false},
		{"2.7 bot", "2.7.3", bot, "options", false},
		{"3.0 bot", "3.0.0", bot, "options", true},
		{"3.0 no auto join", "3.0.4", []string{"userdata-bbb_auto_join_audio", "false"}, "", true},
		{"3.0 echo test", "3.0.0", []string{"userdata-bbb_listen_only_mode", "false"}, "settings", true},
		{"3.0 no session details", "3.0.0", append([]string{"userdata-bbb_show_session_details_on_join", "false"}, bot...), "options", false},
		{"2.7 ignores session details", "2.7.3", []string{"userdata-bbb_show_session_details_on_join", "true"}, "options", false},
		{"3.0 skip check", "3.0.0", []string{"userdata-bbb_listen_only_mode", "false", "userdata-bbb_skip_check_audio", "true"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(tc.version))
			create(t, srv, "m1")
			a := get(t, srv, "join", q(append([]string{"fullName", "streaming", "meetingID", "m1", "role", "VIEWER"}, tc.userdata...)...))
			if a.status != http.StatusFound {
				t.Fatalf("join: HTTP %d", a.status)
			}
			page := do(t, srv, http.MethodGet, a.header.Get("Location"), "", nil)
			doc := parseHTML(t, page.body)
			app := doc.byID(t, "app")
			if got := app.attr["data-audio-modal"]; got != tc.modal {
				t.Errorf("audio modal opens on %q, want %q", got, tc.modal)
			}
			if _, got := app.attr["data-session-details"]; got != tc.sessionDetails {
				t.Errorf("session details at join: %v, want %v", got, tc.sessionDetails)
			}
			for _, want := range []struct{ what, attr, value, ariaLabel string }{
				{"audio modal", "data-test", "audioModal", "Join audio modal"},
				{"microphone", "data-test", "microphoneBtn", "Microphone"},
				{"echo test's join audio", "data-test", "joinEchoTestButton", "Join audio"},
				{"action bar's join audio", "data-test", "joinAudio", "Join audio"},
				{"camera", "data-test", "joinVideo", "Share webcam"},
				{"start sharing", "data-test", "startSharingWebcam", "Start sharing"},
				{"quality", "id", "setQuality", ""},
				{"chat toggle", "id", "chat-toggle-button", "Public Chat"},
				{"message input", "id", "message-input", ""},
				{"send", "data-test", "sendMessageButton", "Send message"},
				{"input device", "id", "inputDeviceSelect", ""},
			} {
				n := doc.one(t, want.what, func(n *hnode) bool { return n.attr[want.attr] == want.value })
				if want.ariaLabel != "" && n.attr["aria-label"] != want.ariaLabel {
					t.Errorf("%s: aria-label %q, want %q", want.what, n.attr["aria-label"], want.ariaLabel)
				}
			}
			doc.one(t, "camera icon", func(n *hnode) bool { return n.tag == "i" && n.attr["class"] == "icon-bbb-video_off" })
			doc.byID(t, "inputDeviceSelect").one(t, "default microphone", func(n *hnode) bool { return n.tag == "option" && n.attr["value"] == "default" })
			for _, v := range []string{"low", "medium", "high", "hd"} {
				doc.one(t, "quality "+v, func(n *hnode) bool { return n.tag == "option" && n.attr["value"] == v })
			}
			details := doc.all(func(n *hnode) bool { return n.attr["data-test"] == "sessionDetailsModal" })
			if want := map[bool]int{true: 1}[tc.sessionDetails]; len(details) != want {
				t.Errorf("%d session-details modals, want 1 (opened at join on 3.x only)", len(details))
			}
		})
	}
}

// TestHTML5ClientBotChat checks that what the chat form of the room posts
// lands in the meeting's public chat.
func TestHTML5ClientBotChat(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"2.7.3", "3.0.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(version))
			create(t, srv, "m1")
			r := enter(t, srv, "m1", "streaming", "VIEWER")
			if a := post(t, srv, http.MethodPost, "/html5client/chat", formType, form("sessionToken", r.token, "meeting", r.hint, "message", "hello from the bot")); a.status != http.StatusSeeOther {
				t.Fatalf("chat: HTTP %d", a.status)
			}
			chat := srv.Chat("m1")
			if len(chat) != 1 || chat[0].UserName != "streaming" || chat[0].Message != "hello from the bot" {
				t.Fatalf("chat %+v", chat)
			}
		})
	}
}
