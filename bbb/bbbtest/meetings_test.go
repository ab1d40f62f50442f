package bbbtest_test

import (
	"testing"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestIsMeetingRunningTransitions(t *testing.T) {
	t.Parallel()
	srv := start(t)
	steps := []struct {
		name string
		do   func(t *testing.T, users map[string]string)
		want bool
	}{
		{"unknown meeting", func(*testing.T, map[string]string) {}, false},
		{"created", func(t *testing.T, _ map[string]string) { create(t, srv, "run") }, false},
		{"first user joins", func(t *testing.T, u map[string]string) { u["a"] = mustJoin(t, srv, "run", "A", "MODERATOR") }, true},
		{"second user joins", func(t *testing.T, u map[string]string) { u["b"] = mustJoin(t, srv, "run", "B", "viewer") }, true},
		{"one leaves", func(t *testing.T, u map[string]string) { leave(t, srv, "run", u["a"]) }, true},
		{"last leaves", func(t *testing.T, u map[string]string) { leave(t, srv, "run", u["b"]) }, false},
		{"someone comes back", func(t *testing.T, u map[string]string) { mustJoin(t, srv, "run", "C", "VIEWER") }, true},
		{"ended", func(t *testing.T, _ map[string]string) { get(t, srv, "end", q("meetingID", "run")).ok(t) }, false},
	}
	users := map[string]string{}
	for _, st := range steps {
		st.do(t, users)
		if got := running(t, srv, "run"); got != st.want {
			t.Fatalf("%s: running=%v, want %v", st.name, got, st.want)
		}
	}
	get(t, srv, "isMeetingRunning", "").failed(t, "missingParamMeetingID")
}

func leave(t *testing.T, srv *bbbtest.Server, meetingID, userID string) {
	t.Helper()
	if err := srv.UserLeaves(meetingID, userID); err != nil {
		t.Fatal(err)
	}
}

func TestHelperErrors(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "hh")
	if _, err := srv.UserJoins("nope", "A", "VIEWER"); err != bbbtest.ErrNoMeeting {
		t.Errorf("UserJoins unknown meeting: %v", err)
	}
	if _, err := srv.UserJoins("hh", "A", "ADMIN"); err != bbbtest.ErrInvalidRole {
		t.Errorf("UserJoins bad role: %v", err)
	}
	if err := srv.UserLeaves("hh", "w_nobody"); err != bbbtest.ErrNoUser {
		t.Errorf("UserLeaves unknown user: %v", err)
	}
	if err := srv.SetRecording("hh", true); err != bbbtest.ErrNotRecorded {
		t.Errorf("SetRecording without record=true: %v", err)
	}
	if err := srv.EndMeeting("nope"); err != bbbtest.ErrNoMeeting {
		t.Errorf("EndMeeting unknown meeting: %v", err)
	}
	if _, ok := srv.Meeting("nope"); ok {
		t.Error("Meeting found an unknown meeting")
	}
}

func TestGetMeetings(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	r := get(t, srv, "getMeetings", "").ok(t)
	if !r.has("meetings") || len(r.child("meetings").children) != 0 || r.get("messageKey") != "noMeetings" {
		t.Fatalf("empty getMeetings %+v", r)
	}
	ids := []string{"gm-b", "gm-a", "gm-c"}
	for _, id := range ids {
		create(t, srv, id, "meta_origin", "test-"+id)
		mock.Add(1000000) // 1 ms apart
	}
	mustJoin(t, srv, "gm-a", "Anna", "MODERATOR")
	r = get(t, srv, "getMeetings", "").ok(t)
	if r.has("messageKey") && r.get("messageKey") != "" {
		t.Errorf("messageKey %q with meetings", r.get("messageKey"))
	}
	ms := r.child("meetings").all("meeting")
	if len(ms) != 3 {
		t.Fatalf("%d meetings", len(ms))
	}
	for i, m := range ms {
		if m.get("meetingID") != ids[i] || m.get("metadata", "origin") != "test-"+ids[i] {
			t.Errorf("meeting %d: %s", i, m.get("meetingID"))
		}
		wantRunning := ids[i] == "gm-a"
		if (m.get("running") == "true") != wantRunning || (m.get("participantCount") == "1") != wantRunning {
			t.Errorf("%s running=%s participants=%s", ids[i], m.get("running"), m.get("participantCount"))
		}
	}
	if got := len(srv.Meetings()); got != 3 {
		t.Errorf("Meetings() has %d", got)
	}
}

func TestGetMeetingInfo(t *testing.T) {
	t.Parallel()
	srv := start(t)
	get(t, srv, "getMeetingInfo", q("meetingID", "none")).failed(t, "notFound")
	c := create(t, srv, "info", "duration", "90", "maxParticipants", "25", "record", "true", "meta_a", "1")
	mod := mustJoin(t, srv, "info", "Mod <&>", "MODERATOR")
	v1 := mustJoin(t, srv, "info", "Viewer One", "VIEWER")
	mustJoin(t, srv, "info", "Viewer Two", "VIEWER")
	if err := srv.UpdateAttendee("info", v1, func(a *bbbtest.Attendee) {
		a.HasJoinedVoice, a.HasVideo = true, true
	}); err != nil {
		t.Fatal(err)
	}
	if err := srv.UpdateAttendee("info", mod, func(a *bbbtest.Attendee) { a.IsListeningOnly = true }); err != nil {
		t.Fatal(err)
	}
	if err := srv.SetRecording("info", true); err != nil {
		t.Fatal(err)
	}
	r := get(t, srv, "getMeetingInfo", q("meetingID", "info")).ok(t)
	want := map[string]string{
		"meetingName":           "Meeting info",
		"meetingID":             "info",
		"internalMeetingID":     c.get("internalMeetingID"),
		"createTime":            c.get("createTime"),
		"createDate":            c.get("createDate"),
		"voiceBridge":           c.get("voiceBridge"),
		"attendeePW":            c.get("attendeePW"),
		"moderatorPW":           c.get("moderatorPW"),
		"running":               "true",
		"duration":              "90",
		"hasUserJoined":         "true",
		"recording":             "true",
		"hasBeenForciblyEnded":  "false",
		"participantCount":      "3",
		"listenerCount":         "1",
		"voiceParticipantCount": "1",
		"videoCount":            "1",
		"maxUsers":              "25",
		"moderatorCount":        "1",
		"isBreakout":            "false",
		"endTime":               "0",
	}
	for k, v := range want {
		if got := r.get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if r.get("startTime") == "" || r.get("startTime") == "0" || r.get("metadata", "a") != "1" {
		t.Errorf("startTime %q metadata %+v", r.get("startTime"), r.child("metadata"))
	}
	att := r.child("attendees").all("attendee")
	if len(att) != 3 || att[0].get("fullName") != "Mod <&>" || att[0].get("isPresenter") != "true" ||
		att[1].get("hasVideo") != "true" || att[1].get("userID") != v1 {
		t.Errorf("attendees %+v", att)
	}
	for _, a := range att {
		for _, f := range []string{"userID", "fullName", "role", "isPresenter", "isListeningOnly", "hasJoinedVoice", "hasVideo", "clientType"} {
			if !a.has(f) {
				t.Errorf("attendee without <%s>", f)
			}
		}
	}
}
