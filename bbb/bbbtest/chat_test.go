package bbbtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestSendChatMessageVersionGate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		version string
		ok      bool
	}{{"2.7.3", false}, {"2.4", false}, {"3.0.0", true}, {"3.0.4", true}} {
		t.Run(tt.version, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(tt.version))
			create(t, srv, "chat")
			a := get(t, srv, "sendChatMessage", q("meetingID", "chat", "message", "hi"))
			if tt.ok {
				a.ok(t)
				return
			}
			if a.status != http.StatusNotFound || !strings.Contains(a.header.Get("Content-Type"), "text/html") ||
				!strings.Contains(string(a.body), "<html") {
				t.Fatalf("HTTP %d %q: %s", a.status, a.header.Get("Content-Type"), a.body)
			}
		})
	}
}

func TestSendChatMessage(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	create(t, srv, "chat")
	emoji := "\U0001F600" // two UTF-16 units, as Java counts
	tests := []struct {
		name    string
		query   []string
		key     string
		user    string
		message string
	}{
		{"default user", []string{"message", "Hello <all> & welcome"}, "", "System", "Hello <all> & welcome"},
		{"named user", []string{"message", "Q?", "userName", "Webinar (Jane Doe)"}, "", "Webinar (Jane Doe)", "Q?"},
		{"one character", []string{"message", "x"}, "", "System", "x"},
		{"500 characters", []string{"message", strings.Repeat("é", 500)}, "", "System", strings.Repeat("é", 500)},
		{"250 emoji are 500 Java chars", []string{"message", strings.Repeat(emoji, 250)}, "", "System", strings.Repeat(emoji, 250)},
		{"255-character user", []string{"message", "m", "userName", strings.Repeat("u", 255)}, "", strings.Repeat("u", 255), "m"},
		{"empty message", []string{"message", ""}, "validationError", "", ""},
		{"no message", nil, "validationError", "", ""},
		{"501 characters", []string{"message", strings.Repeat("a", 501)}, "validationError", "", ""},
		{"251 emoji", []string{"message", strings.Repeat(emoji, 251)}, "validationError", "", ""},
		{"256-character user", []string{"message", "m", "userName", strings.Repeat("u", 256)}, "validationError", "", ""},
	}
	want := []bbbtest.ChatMessage{}
	for _, tt := range tests {
		a := get(t, srv, "sendChatMessage", q(append([]string{"meetingID", "chat"}, tt.query...)...))
		if tt.key != "" {
			a.failed(t, tt.key)
			continue
		}
		a.ok(t)
		want = append(want, bbbtest.ChatMessage{UserName: tt.user, Message: tt.message, Time: mock.Now(), FromAPI: true})
	}
	got := srv.Chat("chat")
	if len(got) != len(want) {
		t.Fatalf("%d messages, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("message %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	get(t, srv, "sendChatMessage", q("meetingID", "unknown", "message", "x")).failed(t, "notFound")
	get(t, srv, "sendChatMessage", q("message", "x")).failed(t, "missingParamMeetingID")
}

func TestPostChat(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "bot")
	if err := srv.PostChat("bot", "streaming", "(Jane Doe) Hello"); err != nil {
		t.Fatal(err)
	}
	get(t, srv, "sendChatMessage", q("meetingID", "bot", "message", "from the API")).ok(t)
	got := srv.Chat("bot")
	if len(got) != 2 || got[0].UserName != "streaming" || got[0].FromAPI || !got[1].FromAPI {
		t.Fatalf("chat %+v", got)
	}
	if err := srv.PostChat("nope", "streaming", "x"); err != bbbtest.ErrNoMeeting {
		t.Errorf("PostChat unknown meeting: %v", err)
	}
	if srv.Chat("nope") != nil {
		t.Error("Chat of an unknown meeting")
	}
	// The chat stays readable right after the meeting ended.
	get(t, srv, "end", q("meetingID", "bot")).ok(t)
	if len(srv.Chat("bot")) != 2 {
		t.Error("chat lost at end")
	}
	get(t, srv, "sendChatMessage", q("meetingID", "bot", "message", "late")).failed(t, "notFound")
}
