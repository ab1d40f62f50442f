package bbbtest_test

import (
	"crypto/sha1" //nolint:gosec // BBB's internal meeting ID derivation.
	"encoding/hex"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCreateAnswer(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	r := create(t, srv, "room-1", "meta_endCallbackUrl", "https://portal.example/cb?t=1", "meta_Bbb-Origin", "Pod")

	now := mock.Now()
	sum := sha1.Sum([]byte("room-1")) //nolint:gosec
	wantInternal := hex.EncodeToString(sum[:]) + "-" + strconv.FormatInt(now.UnixMilli(), 10)
	checks := map[string]string{
		"meetingID":            "room-1",
		"internalMeetingID":    wantInternal,
		"parentMeetingID":      "bbb-none",
		"createTime":           strconv.FormatInt(now.UnixMilli(), 10),
		"createDate":           "Mon Mar 04 10:00:00 UTC 2024",
		"hasUserJoined":        "false",
		"duration":             "0",
		"hasBeenForciblyEnded": "false",
		"messageKey":           "",
		"message":              "",
		"dialNumber":           "613-555-1234",
	}
	for k, want := range checks {
		if got := r.get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"messageKey", "message", "attendeePW", "moderatorPW", "voiceBridge"} {
		if !r.has(k) {
			t.Errorf("no <%s>", k)
		}
	}
	if !regexp.MustCompile(`^[1-9][0-9]{4}$`).MatchString(r.get("voiceBridge")) {
		t.Errorf("voiceBridge %q is not 5 digits", r.get("voiceBridge"))
	}

	m, ok := srv.Meeting("room-1")
	if !ok {
		t.Fatal("meeting not stored")
	}
	if m.InternalMeetingID != wantInternal || !m.CreateTime.Equal(now) || m.CreateTimeMillis != now.UnixMilli() {
		t.Errorf("snapshot %+v", m)
	}
	if m.Metadata["endcallbackurl"] != "https://portal.example/cb?t=1" || m.Metadata["bbb-origin"] != "Pod" {
		t.Errorf("metadata %v: keys must be lower-cased", m.Metadata)
	}
	if m.EndCallbackURL != "https://portal.example/cb?t=1" {
		t.Errorf("EndCallbackURL %q", m.EndCallbackURL)
	}
	if m.Params.Get("name") != "Meeting room-1" || m.Params.Has("checksum") {
		t.Errorf("params %v", m.Params)
	}
	info := get(t, srv, "getMeetingInfo", q("meetingID", "room-1")).ok(t)
	if info.get("metadata", "endcallbackurl") != "https://portal.example/cb?t=1" || info.get("metadata", "bbb-origin") != "Pod" {
		t.Errorf("getMeetingInfo metadata %+v", info.child("metadata"))
	}
}

func TestCreateGeneratesPasswords(t *testing.T) {
	t.Parallel()
	srv := start(t)
	a := create(t, srv, "gen-a")
	b := create(t, srv, "gen-b")
	for _, r := range []*node{a, b} {
		apw, mpw := r.get("attendeePW"), r.get("moderatorPW")
		if len(apw) < 8 || len(mpw) < 8 || apw == mpw {
			t.Errorf("generated passwords %q %q", apw, mpw)
		}
	}
	if a.get("attendeePW") == b.get("attendeePW") {
		t.Error("two meetings got the same generated password")
	}
	m, _ := srv.Meeting("gen-a")
	if m.AttendeePW != a.get("attendeePW") || m.ModeratorPW != a.get("moderatorPW") {
		t.Errorf("snapshot passwords differ from the answer")
	}
}

func TestCreateTwice(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		second   []string
		wantKey  string // "" for FAILED idNotUnique
		wantFail bool
	}{
		{"same passwords", []string{"attendeePW", "ap", "moderatorPW", "mp"}, "duplicateWarning", false},
		{"no passwords", nil, "duplicateWarning", false},
		{"different attendee password", []string{"attendeePW", "xx", "moderatorPW", "mp"}, "idNotUnique", true},
		{"only one password", []string{"attendeePW", "ap"}, "idNotUnique", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, mock := startMock(t)
			first := create(t, srv, "dup", "attendeePW", "ap", "moderatorPW", "mp")
			mock.Add(time.Second)
			a := get(t, srv, "create", q(append([]string{"name", "Again", "meetingID", "dup"}, tt.second...)...))
			if tt.wantFail {
				r := a.failed(t, tt.wantKey)
				if !strings.Contains(r.get("message"), "already exists") {
					t.Errorf("message %q", r.get("message"))
				}
				return
			}
			r := a.ok(t)
			if r.get("messageKey") != "duplicateWarning" ||
				r.get("message") != "This conference was already in existence and may currently be in progress." {
				t.Errorf("answer %s", a.body)
			}
			if r.get("createTime") != first.get("createTime") || r.get("internalMeetingID") != first.get("internalMeetingID") {
				t.Error("duplicate answer must describe the existing meeting")
			}
		})
	}
}

func TestCreateAfterEndIsANewMeeting(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	first := create(t, srv, "again")
	get(t, srv, "end", q("meetingID", "again")).ok(t)
	mock.Add(2 * time.Second)
	second := create(t, srv, "again", "attendeePW", "other")
	if second.get("messageKey") != "" || second.get("createTime") == first.get("createTime") {
		t.Fatalf("second create %+v", second)
	}
	m, _ := srv.Meeting("again")
	if m.Ended || m.AttendeePW != "other" {
		t.Errorf("snapshot %+v", m)
	}
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tests := []struct {
		name  string
		query string
		key   string
	}{
		{"no meetingID", q("name", "x y"), "missingParamMeetingID"},
		{"empty meetingID", q("name", "x y", "meetingID", ""), "missingParamMeetingID"},
		{"comma in meetingID", q("name", "x y", "meetingID", "a,b"), "validationError"},
		{"one-character meetingID", q("name", "x y", "meetingID", "a"), "validationError"},
		{"long meetingID", q("name", "x y", "meetingID", strings.Repeat("a", 257)), "validationError"},
		{"no name", q("meetingID", "no-name"), "validationError"},
		{"voiceBridge not a number", q("name", "x y", "meetingID", "vb", "voiceBridge", "12a"), "validationError"},
		{"record not a boolean", q("name", "x y", "meetingID", "rec", "record", "yes"), "validationError"},
		{"bad metadata key", q("name", "x y", "meetingID", "meta", "meta_1bad", "v"), "validationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			get(t, srv, "create", tt.query).failed(t, tt.key)
		})
	}
	if n := len(srv.Meetings()); n != 0 {
		t.Errorf("%d meetings created by invalid requests", n)
	}
}

func TestCreateVoiceBridgeUnique(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "vb-1", "voiceBridge", "71234")
	get(t, srv, "create", q("name", "x y", "meetingID", "vb-2", "voiceBridge", "71234")).failed(t, "nonUniqueVoiceBridge")
}

func TestCreatePOSTDocuments(t *testing.T) {
	t.Parallel()
	srv := start(t)
	raw := q("name", "Slides", "meetingID", "docs")
	u := srv.SignedURL("create", raw)
	body := `<?xml version="1.0" encoding="UTF-8"?><modules>
	  <module name="presentation">
	    <document url="https://example.org/files/deck.pdf?x=1" current="true"/>
	    <document url="https://example.org/d" filename="named.pptx" downloadable="true"/>
	    <document name="inline.pdf">aGVsbG8=</document>
	  </module>
	  <module name="other"><document url="https://example.org/ignored.pdf"/></module>
	</modules>`
	do(t, srv, http.MethodPost, u, "application/xml; charset=utf-8", []byte(body)).ok(t)
	docs := srv.Documents("docs")
	if len(docs) != 3 {
		t.Fatalf("documents %+v", docs)
	}
	if docs[0].Name != "deck.pdf" || !docs[0].Current || docs[1].Name != "named.pptx" || !docs[1].Downloadable ||
		docs[2].Name != "inline.pdf" || docs[2].Size != 5 || docs[2].URL != "" || docs[0].Call != "create" {
		t.Errorf("documents %+v", docs)
	}

	t.Run("wrong content type", func(t *testing.T) {
		u := srv.SignedURL("create", q("name", "Slides", "meetingID", "docs-ct"))
		do(t, srv, http.MethodPost, u, "text/plain", []byte(body)).failed(t, "unsupportedContentType")
	})
	t.Run("preUploadedPresentation", func(t *testing.T) {
		create(t, srv, "docs-pre", "preUploadedPresentation", "https://example.org/p/first.pdf")
		if d := srv.Documents("docs-pre"); len(d) != 1 || d[0].Name != "first.pdf" {
			t.Errorf("documents %+v", d)
		}
	})
}

func TestInsertDocument(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "ins")
	body := []byte(`<modules><module name="presentation"><document url="https://example.org/more.pdf"/></module></modules>`)
	r := do(t, srv, http.MethodPost, srv.SignedURL("insertDocument", q("meetingID", "ins")), "application/xml", body).ok(t)
	if r.get("message") == "" {
		t.Error("no message")
	}
	if d := srv.Documents("ins"); len(d) != 1 || d[0].Call != "insertDocument" {
		t.Errorf("documents %+v", d)
	}
	do(t, srv, http.MethodPost, srv.SignedURL("insertDocument", q("meetingID", "nope")), "application/xml", body).failed(t, "notFound")
	do(t, srv, http.MethodPost, srv.SignedURL("insertDocument", q("meetingID", "ins")), "application/xml", []byte("<modules/>")).failed(t, "validationError")
}

func TestBreakoutRooms(t *testing.T) {
	t.Parallel()
	srv := start(t)
	parent := create(t, srv, "parent")
	id, err := srv.AddBreakout("parent", 1, true)
	if err != nil {
		t.Fatal(err)
	}
	// A breakout created through the API, as akka-apps does.
	bo := create(t, srv, "parent-2", "isBreakout", "true", "parentMeetingID", parent.get("internalMeetingID"), "sequence", "2")
	if bo.get("parentMeetingID") != parent.get("internalMeetingID") {
		t.Errorf("parentMeetingID %q", bo.get("parentMeetingID"))
	}
	get(t, srv, "create", q("name", "x y", "meetingID", "orphan", "isBreakout", "true", "parentMeetingID", "nope")).
		failed(t, "parentMeetingDoesNotExist")

	p := get(t, srv, "getMeetingInfo", q("meetingID", "parent")).ok(t)
	rooms := p.child("breakoutRooms").all("breakout")
	if len(rooms) != 2 || rooms[0].text != id || rooms[1].text != bo.get("internalMeetingID") {
		t.Fatalf("breakoutRooms %+v", p.child("breakoutRooms"))
	}
	b := get(t, srv, "getMeetingInfo", q("meetingID", id)).ok(t)
	if b.get("isBreakout") != "true" || b.get("parentMeetingID") != parent.get("internalMeetingID") ||
		b.get("sequence") != "1" || b.get("freeJoin") != "true" {
		t.Errorf("getMeetingInfo breakout info %s", get(t, srv, "getMeetingInfo", q("meetingID", id)).body)
	}
	// getMeetings wraps them in <breakout>, without freeJoin.
	var listed bool
	for _, m := range get(t, srv, "getMeetings", "").ok(t).child("meetings").all("meeting") {
		if m.get("internalMeetingID") == id {
			listed = m.get("breakout", "parentMeetingID") == parent.get("internalMeetingID") && m.get("breakout", "sequence") == "1"
		}
	}
	if !listed {
		t.Error("getMeetings: breakout room without its <breakout> details")
	}
	// Ending the parent ends its rooms.
	get(t, srv, "end", q("meetingID", "parent")).ok(t)
	if m, _ := srv.Meeting(id); !m.Ended {
		t.Error("breakout room still running after its parent ended")
	}
}
