package bbbtest_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// endWhenNoModerator ends a meeting once no moderator has been in it for
// the delay, counted from when the last one left, provided one joined.
func TestEndWhenNoModerator(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		version string
		params  []string
		script  func(t *testing.T, srv *bbbtest.Server, mod string)
		endsAt  time.Duration // after the last moderator left; 0: never
	}{
		{name: "default delay", version: "3.0.0", params: []string{"endWhenNoModerator", "true"}, endsAt: time.Minute},
		{name: "delay param", version: "2.7.3", params: []string{"endWhenNoModerator", "true", "endWhenNoModeratorDelayInMinutes", "3"}, endsAt: 3 * time.Minute},
		{name: "off by default", version: "3.0.0"},
		{name: "2.3.2 ignores the delay param", version: "2.3.2", params: []string{"endWhenNoModerator", "true", "endWhenNoModeratorDelayInMinutes", "3"}, endsAt: time.Minute},
		{name: "2.3.1 does not enforce it", version: "2.3.1", params: []string{"endWhenNoModerator", "true"}},
		{name: "a moderator back in time", version: "3.0.0", params: []string{"endWhenNoModerator", "true"},
			script: func(t *testing.T, srv *bbbtest.Server, _ string) { mustJoin(t, srv, "nomod", "Mo2", "MODERATOR") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t)
			srv, mock := startMock(t, bbbtest.WithVersion(tt.version))
			create(t, srv, "nomod", append([]string{"meta_endCallbackUrl", rcv.URL, "attendeePW", "ap", "moderatorPW", "mp"}, tt.params...)...)
			mod := mustJoin(t, srv, "nomod", "Mo", "MODERATOR")
			mustJoin(t, srv, "nomod", "Vi", "VIEWER")
			mock.Add(10 * time.Minute) // a moderator in: no end however long
			if !running(t, srv, "nomod") {
				t.Fatal("ended with a moderator in")
			}
			if err := srv.UserLeaves("nomod", mod); err != nil {
				t.Fatal(err)
			}
			if tt.script != nil {
				tt.script(t, srv, mod)
			}
			if tt.endsAt == 0 {
				mock.Add(time.Hour)
				if !running(t, srv, "nomod") {
					t.Error("ended")
				}
				return
			}
			left := mock.Now()
			mock.Add(tt.endsAt - time.Second)
			if !running(t, srv, "nomod") {
				t.Fatal("ended before the delay")
			}
			mock.Add(time.Second)
			cbs, err := srv.WaitCallbacks(ctx(t), 1)
			if err != nil || !cbs[0].Time.Equal(left.Add(tt.endsAt)) {
				t.Fatalf("callbacks %+v %v", cbs, err)
			}
			get(t, srv, "getMeetingInfo", q("meetingID", "nomod")).failed(t, "notFound")
		})
	}
}

// Only after a moderator joined: a meeting of viewers never ends by it.
func TestEndWhenNoModeratorNeedsAModeratorFirst(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	create(t, srv, "viewers", "endWhenNoModerator", "true")
	mustJoin(t, srv, "viewers", "Vi", "VIEWER")
	mock.Add(time.Hour)
	if !running(t, srv, "viewers") {
		t.Error("a meeting no moderator joined ended")
	}
}

// meetingEndedURL is called as given when the meeting ends, whatever ends
// it, next to meta_endCallbackUrl.
func TestMeetingEndedURL(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	srv := start(t)
	create(t, srv, "mend", "meetingEndedURL", rcv.URL+"/ended?k=1", "meta_endCallbackUrl", rcv.URL+"/cb")
	mustJoin(t, srv, "mend", "Mo", "MODERATOR")
	get(t, srv, "end", q("meetingID", "mend")).ok(t)
	cbs, err := srv.WaitCallbacks(ctx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	for _, c := range cbs {
		urls = append(urls, strings.TrimPrefix(c.URL, rcv.URL))
	}
	want := []string{"/cb?meetingID=mend&recordingmarks=false", "/ended?k=1"}
	for _, w := range want {
		if !strings.Contains(strings.Join(urls, " "), w) {
			t.Errorf("callbacks %v lack %s", urls, w)
		}
	}
}

// The room of an ended meeting says so and offers the logout URL, as the
// client's "meeting ended" dialog does.
func TestEndedRoomOffersLogoutURL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ logout, want string }{
		{"https://portal.example/bye", `href="https://portal.example/bye"`},
		{"", `href="http://127.0.0.1`},
	} {
		srv := start(t)
		params := []string{}
		if tt.logout != "" {
			params = append(params, "logoutURL", tt.logout)
		}
		create(t, srv, "gone", params...)
		r := get(t, srv, "join", q("fullName", "A", "meetingID", "gone", "role", "MODERATOR", "redirect", "false")).ok(t)
		room := r.get("url") + "&meeting=" + r.get("meeting_id") // as the room links itself
		do(t, srv, http.MethodGet, room, "", nil)
		get(t, srv, "end", q("meetingID", "gone")).ok(t)
		a := do(t, srv, http.MethodGet, room, "", nil)
		if a.status != http.StatusGone || !strings.Contains(string(a.body), tt.want) {
			t.Errorf("ended room (logout %q): HTTP %d %s", tt.logout, a.status, a.body)
		}
	}
}

func TestGetJoinURL(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "again")
	r := get(t, srv, "join", q("fullName", "Zoé Ü", "meetingID", "again", "role", "MODERATOR", "userID", "u-7", "redirect", "false")).ok(t)
	token := r.get("session_token")
	do(t, srv, http.MethodGet, r.get("url"), "", nil) // enters

	a := do(t, srv, http.MethodGet, apiURL(srv, "getJoinUrl", q("sessionToken", token)), "", nil)
	var got struct {
		Response struct{ ReturnCode, Message, URL string } `json:"response"`
	}
	if err := json.Unmarshal(a.body, &got); err != nil || got.Response.ReturnCode != "SUCCESS" {
		t.Fatalf("getJoinUrl: %v %s", err, a.body)
	}
	if want := "/api/join?fullName=Zo%C3%A9+%C3%9C&meetingID=again&role=MODERATOR&redirect=true&userID=u-7&checksum="; !strings.Contains(got.Response.URL, want) {
		t.Errorf("url %q lacks %q", got.Response.URL, want)
	}
	// The URL it gives is a valid, signed join of the same user.
	att, err := srv.OpenJoinURL(ctx(t), got.Response.URL)
	if err != nil || att.UserID != "u-7" || att.Role != "MODERATOR" {
		t.Errorf("joining with it: %+v %v", att, err)
	}

	// No session, no answer; an older release has no such call.
	if a := do(t, srv, http.MethodGet, apiURL(srv, "getJoinUrl", q("sessionToken", "nope")), "", nil); a.status != http.StatusNotFound {
		t.Errorf("unknown session: HTTP %d", a.status)
	}
	old := start(t, bbbtest.WithVersion("2.7.3"))
	if a := do(t, old, http.MethodGet, apiURL(old, "getJoinUrl", q("sessionToken", token)), "", nil); a.status != http.StatusNotFound {
		t.Errorf("2.7: HTTP %d", a.status)
	}
}
