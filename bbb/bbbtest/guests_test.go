package bbbtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// guestWaitAnswer is the JSON of the guestWait call.
type guestWaitAnswer struct {
	Response struct {
		ReturnCode   string `json:"returncode"`
		MessageKey   string `json:"messageKey"`
		Message      string `json:"message"`
		UserID       string `json:"user_id"`
		GuestStatus  string `json:"guestStatus"`
		URL          string `json:"url"`
		PositionRaw  any    `json:"positionInWaitingQueue"`
		SessionToken string `json:"session_token"`
	} `json:"response"`
}

func pollGuestWait(t *testing.T, srv *bbbtest.Server, token string) guestWaitAnswer {
	t.Helper()
	a := do(t, srv, http.MethodGet, apiURL(srv, "guestWait", q("sessionToken", token, "redirect", "false")), "", nil)
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "application/json" {
		t.Fatalf("guestWait: HTTP %d %q %s", a.status, a.header.Get("Content-Type"), a.body)
	}
	var g guestWaitAnswer
	if err := json.Unmarshal(a.body, &g); err != nil {
		t.Fatalf("guestWait: %v: %s", err, a.body)
	}
	return g
}

// guestJoin joins a guest to a meeting whose attendee password is "ap"
// (before 2.6 the role comes from the password) and returns its session
// token.
func guestJoin(t *testing.T, srv *bbbtest.Server, meetingID, name, userID string) string {
	t.Helper()
	r := get(t, srv, "join", q("fullName", name, "meetingID", meetingID, "role", "VIEWER", "password", "ap",
		"guest", "true", "userID", userID, "redirect", "false")).ok(t)
	if r.get("guestStatus") != "WAIT" {
		t.Fatalf("guest %s: status %q", name, r.get("guestStatus"))
	}
	return r.get("session_token")
}

func TestGuestLobby(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithVersion("3.0.0"))
	create(t, srv, "lobby", "guestPolicy", "ASK_MODERATOR", "logoutURL", "https://portal.example/bye", "attendeePW", "ap")
	mustJoin(t, srv, "lobby", "Mod", "MODERATOR")
	ann := guestJoin(t, srv, "lobby", "Ann", "ann")
	ben := guestJoin(t, srv, "lobby", "Ben", "ben")

	// Both wait, in the order they came.
	for i, tok := range []string{ann, ben} {
		g := pollGuestWait(t, srv, tok).Response
		if g.GuestStatus != "WAIT" || g.MessageKey != "guestWait" || g.PositionRaw != []string{"1", "2"}[i] ||
			!strings.Contains(g.URL, "/html5client/guestWait?sessionToken="+tok) {
			t.Errorf("guest %d: %+v", i, g)
		}
	}
	waiting, err := srv.GuestsWaiting("lobby")
	if err != nil || len(waiting) != 2 || waiting[0].UserID != "ann" || waiting[1].Position != 2 {
		t.Fatalf("waiting %+v %v", waiting, err)
	}
	// The lobby page waits and reloads; the room sends a waiting guest back to it.
	lobby := srv.URL[:strings.Index(srv.URL, "/bigbluebutton")] + "/html5client/guestWait?sessionToken=" + ann
	page := do(t, srv, http.MethodGet, lobby, "", nil)
	if page.status != http.StatusOK || !strings.Contains(string(page.body), "number 1 in the waiting queue") ||
		!strings.Contains(string(page.body), `http-equiv="refresh" content="5"`) {
		t.Errorf("lobby page: HTTP %d %s", page.status, page.body)
	}

	// Ann is allowed: her poll gets ALLOW and the client, and Ben moves up.
	if err := srv.ApproveGuest("lobby", "ann"); err != nil {
		t.Fatal(err)
	}
	g := pollGuestWait(t, srv, ann).Response
	if g.GuestStatus != "ALLOW" || g.MessageKey != "defaultKey" || !strings.Contains(g.URL, "/html5client/join?sessionToken="+ann) {
		t.Errorf("allowed: %+v", g)
	}
	if g := pollGuestWait(t, srv, ben).Response; g.PositionRaw != "1" {
		t.Errorf("Ben's place %v", g.PositionRaw)
	}
	// By default guestWait redirects an allowed guest to the client.
	a := do(t, srv, http.MethodGet, apiURL(srv, "guestWait", q("sessionToken", ann)), "", nil)
	if a.status != http.StatusFound || !strings.Contains(a.header.Get("Location"), "/html5client/join?sessionToken="+ann) {
		t.Errorf("guestWait redirect: HTTP %d %q", a.status, a.header.Get("Location"))
	}
	page = do(t, srv, http.MethodGet, lobby, "", nil)
	if page.status != http.StatusFound {
		t.Errorf("lobby page of an allowed guest: HTTP %d", page.status)
	}
	do(t, srv, http.MethodGet, a.header.Get("Location"), "", nil)
	if m, _ := srv.Meeting("lobby"); len(m.Attendees) != 2 {
		t.Errorf("attendees %+v", m.Attendees)
	}

	// Ben is denied: his poll gets DENY and the logout URL; the client refuses him.
	ctlOK(t, srv, http.MethodPost, "/guests", `{"meetingID":"lobby","userID":"ben","status":"DENY"}`)
	g = pollGuestWait(t, srv, ben).Response
	if g.GuestStatus != "DENY" || g.MessageKey != "guestDeny" || g.URL != "https://portal.example/bye" {
		t.Errorf("denied: %+v", g)
	}
	room := srv.URL[:strings.Index(srv.URL, "/bigbluebutton")] + "/html5client/join?sessionToken=" + ben
	if a := do(t, srv, http.MethodGet, room, "", nil); a.status != http.StatusForbidden ||
		!strings.Contains(string(a.body), "https://portal.example/bye") {
		t.Errorf("room of a denied guest: HTTP %d %s", a.status, a.body)
	}
	if m, _ := srv.Meeting("lobby"); len(m.Attendees) != 2 {
		t.Errorf("a denied guest entered: %+v", m.Attendees)
	}
	if err := srv.ApproveGuest("lobby", "ben"); err != bbbtest.ErrNoUser {
		t.Errorf("approving a guest no longer waiting: %v", err)
	}
}

func TestGuestWaitRefusals(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithVersion("2.4.9"))
	create(t, srv, "full", "guestPolicy", "ASK_MODERATOR", "maxParticipants", "1", "attendeePW", "ap")
	tok := guestJoin(t, srv, "full", "Gus", "gus")
	// 2.4 has no place in the queue.
	if g := pollGuestWait(t, srv, tok).Response; g.PositionRaw != nil {
		t.Errorf("2.4 positionInWaitingQueue %v", g.PositionRaw)
	}
	// Allowed while the meeting is full: a seat wait.
	mustJoin(t, srv, "full", "Mod", "MODERATOR")
	ctlOK(t, srv, http.MethodPost, "/guests", `{"meetingID":"full","status":"ALLOW"}`)
	if g := pollGuestWait(t, srv, tok).Response; g.MessageKey != "seatWait" || g.GuestStatus != "WAIT" {
		t.Errorf("full meeting: %+v", g)
	}
	for _, tt := range []struct{ query, key string }{
		{"", "missingToken"},
		{q("sessionToken", "nope"), "missingSession"},
	} {
		var g guestWaitAnswer
		a := do(t, srv, http.MethodGet, apiURL(srv, "guestWait", tt.query), "", nil)
		if err := json.Unmarshal(a.body, &g); err != nil || g.Response.ReturnCode != "FAILED" || g.Response.MessageKey != tt.key {
			t.Errorf("guestWait?%s: %s", tt.query, a.body)
		}
	}
	if a := do(t, srv, http.MethodPost, apiURL(srv, "guestWait", q("sessionToken", tok)), "", nil); a.status != http.StatusMethodNotAllowed {
		t.Errorf("POST guestWait: HTTP %d", a.status)
	}
	if status, _, a := ctl(t, srv, http.MethodPost, "/guests", `{"meetingID":"full","status":"MAYBE"}`); status != http.StatusBadRequest {
		t.Errorf("bad status: HTTP %d %s", status, a.body)
	}
}

// A guest the policy denies: up to 2.5 a join answer sending the guest to
// the meeting's logout URL, later the guestDeniedAccess error, redirected
// to the join's logoutURL or the server's.
func TestGuestDeniedAtJoin(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		version, host, key string
	}{{"2.5.0", "portal.example", ""}, {"2.7.3", "", "guestDeniedAccess"}} {
		t.Run(tt.version, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(tt.version))
			create(t, srv, "deny", "guestPolicy", "ALWAYS_DENY", "logoutURL", "https://portal.example/bye", "attendeePW", "ap")
			join := q("fullName", "G", "meetingID", "deny", "password", "ap", "role", "VIEWER", "guest", "true")
			a := do(t, srv, http.MethodGet, srv.SignedURL("join", join), "", nil)
			loc, err := url.Parse(a.header.Get("Location"))
			host := tt.host
			if host == "" {
				host = strings.TrimPrefix(srv.URL[:strings.Index(srv.URL, "/bigbluebutton")], "http://")
			}
			if a.status != http.StatusFound || err != nil || loc.Host != host || !strings.Contains(loc.RawQuery, tt.key) {
				t.Fatalf("HTTP %d %q", a.status, a.header.Get("Location"))
			}
			if tt.key == "" {
				r := get(t, srv, "join", join+"&redirect=false").ok(t)
				if r.get("messageKey") != "guestDeny" || r.get("url") != "https://portal.example/bye" {
					t.Errorf("answer %+v", r)
				}
			}
		})
	}
}
