package bbbtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestJoinRedirectAddsUserWhenOpened(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "j1")
	a := get(t, srv, "join", q("fullName", "Alice", "meetingID", "j1", "role", "moderator"))
	if a.status != http.StatusFound {
		t.Fatalf("HTTP %d, want 302", a.status)
	}
	loc, err := url.Parse(a.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(srv.URL)
	if loc.Scheme != base.Scheme || loc.Host != base.Host || loc.Path != "/html5client/join" || loc.Query().Get("sessionToken") == "" {
		t.Fatalf("Location %s", loc)
	}
	// The join alone adds nobody.
	if running(t, srv, "j1") {
		t.Fatal("running before the browser opened the client")
	}
	page := do(t, srv, http.MethodGet, loc.String(), "", nil)
	if page.status != http.StatusOK || !strings.Contains(page.header.Get("Content-Type"), "text/html") ||
		!strings.Contains(string(page.body), "Alice") {
		t.Fatalf("client page %d %s", page.status, page.body)
	}
	if !running(t, srv, "j1") {
		t.Fatal("not running after the user entered")
	}
	// Reloading the page does not add the user twice.
	do(t, srv, http.MethodGet, loc.String(), "", nil)
	m, _ := srv.Meeting("j1")
	if len(m.Attendees) != 1 || m.Attendees[0].FullName != "Alice" || m.Attendees[0].Role != "MODERATOR" ||
		!m.Attendees[0].IsPresenter || m.Attendees[0].ClientType != "HTML5" {
		t.Fatalf("attendees %+v", m.Attendees)
	}
	bad := do(t, srv, http.MethodGet, loc.Scheme+"://"+loc.Host+"/html5client/join?sessionToken=nope", "", nil)
	if bad.status != http.StatusUnauthorized {
		t.Errorf("unknown token: HTTP %d", bad.status)
	}
}

func TestJoinRedirectFalse(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := create(t, srv, "j2")
	a := get(t, srv, "join", q("fullName", "Bob", "meetingID", "j2", "role", "VIEWER", "redirect", "false",
		"userID", "ext-42", "userdata-bbb_auto_join_audio", "true"))
	r := a.ok(t)
	if r.get("messageKey") != "successfullyJoined" || r.get("meeting_id") != c.get("internalMeetingID") ||
		!strings.HasPrefix(r.get("user_id"), "w_") || r.get("auth_token") == "" || r.get("session_token") == "" ||
		r.get("guestStatus") != "ALLOW" {
		t.Fatalf("answer %s", a.body)
	}
	if !strings.HasSuffix(r.get("url"), "/html5client/join?sessionToken="+r.get("session_token")) {
		t.Errorf("url %q", r.get("url"))
	}
	do(t, srv, http.MethodGet, r.get("url"), "", nil)
	info := get(t, srv, "getMeetingInfo", q("meetingID", "j2")).ok(t)
	att := info.child("attendees").all("attendee")
	if len(att) != 1 || att[0].get("userID") != "ext-42" || att[0].get("role") != "VIEWER" ||
		att[0].get("customdata", "bbb_auto_join_audio") != "true" || att[0].get("isPresenter") != "false" {
		t.Fatalf("attendees %s", get(t, srv, "getMeetingInfo", q("meetingID", "j2")).body)
	}
}

func TestJoinRules(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := create(t, srv, "rules", "attendeePW", "ap", "moderatorPW", "mp")
	ct := c.get("createTime")
	create(t, srv, "ended")
	get(t, srv, "end", q("meetingID", "ended")).ok(t)
	tests := []struct {
		name  string
		query []string
		key   string // "" for success
		role  string
	}{
		{"role moderator", []string{"fullName", "A", "meetingID", "rules", "role", "MODERATOR"}, "", "MODERATOR"},
		{"role viewer lower case", []string{"fullName", "A", "meetingID", "rules", "role", "viewer"}, "", "VIEWER"},
		{"moderator password", []string{"fullName", "A", "meetingID", "rules", "password", "mp"}, "", "MODERATOR"},
		{"attendee password", []string{"fullName", "A", "meetingID", "rules", "password", "ap"}, "", "VIEWER"},
		{"role wins over password", []string{"fullName", "A", "meetingID", "rules", "role", "VIEWER", "password", "mp"}, "", "VIEWER"},
		{"invalid role falls back to password", []string{"fullName", "A", "meetingID", "rules", "role", "ADMIN", "password", "mp"}, "", "MODERATOR"},
		{"matching createTime", []string{"fullName", "A", "meetingID", "rules", "role", "VIEWER", "createTime", ct}, "", "VIEWER"},
		{"wrong password", []string{"fullName", "A", "meetingID", "rules", "password", "nope"}, "invalidPassword", ""},
		{"no role nor password", []string{"fullName", "A", "meetingID", "rules"}, "invalidPassword", ""},
		{"invalid role alone", []string{"fullName", "A", "meetingID", "rules", "role", "ADMIN"}, "invalidPassword", ""},
		{"createTime mismatch", []string{"fullName", "A", "meetingID", "rules", "role", "VIEWER", "createTime", "12"}, "mismatchCreateTimeParam", ""},
		{"createTime not a number", []string{"fullName", "A", "meetingID", "rules", "role", "VIEWER", "createTime", "x"}, "mismatchCreateTimeParam", ""},
		{"no fullName", []string{"meetingID", "rules", "role", "VIEWER"}, "missingParamFullName", ""},
		{"blank fullName", []string{"fullName", "  ", "meetingID", "rules", "role", "VIEWER"}, "missingParamFullName", ""},
		{"no meetingID", []string{"fullName", "A", "role", "VIEWER"}, "missingParamMeetingID", ""},
		{"unknown meeting", []string{"fullName", "A", "meetingID", "nope", "role", "VIEWER"}, "invalidMeetingIdentifier", ""},
		{"ended meeting", []string{"fullName", "A", "meetingID", "ended", "role", "VIEWER"}, "meetingForciblyEnded", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := get(t, srv, "join", q(append(tt.query, "redirect", "false")...))
			if tt.key != "" {
				a.failed(t, tt.key)
				return
			}
			r := a.ok(t)
			// The role is visible once the user enters.
			page := do(t, srv, http.MethodGet, r.get("url"), "", nil)
			if !strings.Contains(string(page.body), "as "+tt.role) {
				t.Errorf("page %s, want role %s", page.body, tt.role)
			}
		})
	}
}

func TestJoinMaxParticipants(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "full", "maxParticipants", "1")
	mustJoin(t, srv, "full", "First", "VIEWER")
	get(t, srv, "join", q("fullName", "B", "meetingID", "full", "role", "VIEWER", "redirect", "false")).failed(t, "maxParticipantsReached")
	if _, err := srv.UserJoins("full", "C", "VIEWER"); err != bbbtest.ErrMeetingFull {
		t.Errorf("UserJoins: %v", err)
	}
}

// joinErrors decodes the errors parameter of a join error redirect.
func joinErrors(t *testing.T, loc string) (*url.URL, []map[string]string) {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	var errs []map[string]string
	if err := json.Unmarshal([]byte(u.Query().Get("errors")), &errs); err != nil {
		t.Fatalf("errors param of %s: %v", loc, err)
	}
	return u, errs
}

func TestJoinErrorRedirects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		version  string
		query    []string
		redirect bool
		target   string // expected URL without query, "" for the server's root
	}{
		{"3.0 default redirects", "3.0.0", nil, true, ""},
		{"3.0 redirect=false answers XML", "3.0.0", []string{"redirect", "false"}, false, ""},
		{"3.0 errorRedirectUrl", "3.0.0", []string{"errorRedirectUrl", "https://portal.example/error?x=1"}, true, "https://portal.example/error"},
		{"2.6 ignores redirect=false", "2.6.18", []string{"redirect", "false"}, true, ""},
		{"2.6 uses logoutURL", "2.6.18", []string{"logoutURL", "https://portal.example/bye"}, true, "https://portal.example/bye"},
		{"2.6 knows no errorRedirectUrl", "2.6.18", []string{"errorRedirectUrl", "https://portal.example/error"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(tt.version))
			a := get(t, srv, "join", q(append([]string{"fullName", "A", "meetingID", "missing", "role", "VIEWER"}, tt.query...)...))
			if !tt.redirect {
				a.failed(t, "invalidMeetingIdentifier")
				return
			}
			if a.status != http.StatusFound {
				t.Fatalf("HTTP %d: %s", a.status, a.body)
			}
			u, errs := joinErrors(t, a.header.Get("Location"))
			if len(errs) != 1 || errs[0]["key"] != "invalidMeetingIdentifier" || errs[0]["message"] == "" {
				t.Errorf("errors %v", errs)
			}
			want := tt.target
			if want == "" {
				base, _ := url.Parse(srv.URL)
				want = base.Scheme + "://" + base.Host + "/"
			}
			if got := u.Scheme + "://" + u.Host + u.Path; got != want {
				t.Errorf("redirected to %s, want %s", got, want)
			}
			if tt.target == "https://portal.example/error" && u.Query().Get("x") != "1" {
				t.Errorf("query of errorRedirectUrl lost: %s", u)
			}
			if rs := srv.Requests(); rs[len(rs)-1].MessageKey != "invalidMeetingIdentifier" {
				t.Errorf("request log %+v", rs[len(rs)-1])
			}
		})
	}
}

func TestJoinChecksumErrorRedirects(t *testing.T) {
	t.Parallel()
	srv := start(t)
	a := do(t, srv, http.MethodGet, apiURL(srv, "join", q("fullName", "A", "meetingID", "m", "role", "VIEWER", "checksum", "00")), "", nil)
	if a.status != http.StatusFound {
		t.Fatalf("HTTP %d", a.status)
	}
	if _, errs := joinErrors(t, a.header.Get("Location")); errs[0]["key"] != "checksumError" {
		t.Errorf("errors %v", errs)
	}
}

func TestJoinVersion25IgnoresRole(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithVersion("2.5.20"))
	create(t, srv, "old", "attendeePW", "ap", "moderatorPW", "mp")
	a := get(t, srv, "join", q("fullName", "A", "meetingID", "old", "role", "MODERATOR"))
	if _, errs := joinErrors(t, a.header.Get("Location")); errs[0]["key"] != "invalidPassword" {
		t.Errorf("errors %v", errs)
	}
	a = get(t, srv, "join", q("fullName", "A", "meetingID", "old", "password", "mp"))
	if a.status != http.StatusFound || !strings.Contains(a.header.Get("Location"), "/html5client/join?sessionToken=") {
		t.Errorf("password join: %d %s", a.status, a.header.Get("Location"))
	}
}

func TestJoinGuestPolicy(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "ask", "guestPolicy", "ASK_MODERATOR")
	create(t, srv, "deny", "guestPolicy", "ALWAYS_DENY")
	r := get(t, srv, "join", q("fullName", "G", "meetingID", "ask", "role", "VIEWER", "guest", "true", "redirect", "false")).ok(t)
	if r.get("guestStatus") != "WAIT" || r.get("messageKey") != "guestWait" || !strings.Contains(r.get("url"), "/html5client/guestWait?") {
		t.Errorf("guest answer %+v", r)
	}
	do(t, srv, http.MethodGet, r.get("url"), "", nil)
	if running(t, srv, "ask") {
		t.Error("a waiting guest entered")
	}
	get(t, srv, "join", q("fullName", "G", "meetingID", "deny", "role", "VIEWER", "guest", "true", "redirect", "false")).failed(t, "guestDeniedAccess")
	// Non-guests are not subject to the policy.
	get(t, srv, "join", q("fullName", "M", "meetingID", "deny", "role", "VIEWER", "redirect", "false")).ok(t)
}
