package bbbtest_test

import (
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestExpiryNobodyJoined(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	srv, mock := startMock(t)
	create(t, srv, "lonely", "meta_endCallbackUrl", rcv.URL)
	create(t, srv, "busy")
	mustJoin(t, srv, "busy", "A", "MODERATOR")

	mock.Add(bbbtest.DefaultMeetingExpiry - time.Second)
	get(t, srv, "getMeetingInfo", q("meetingID", "lonely")).ok(t)

	mock.Add(time.Second)
	get(t, srv, "getMeetingInfo", q("meetingID", "lonely")).failed(t, "notFound")
	get(t, srv, "join", q("fullName", "Late", "meetingID", "lonely", "role", "VIEWER", "redirect", "false")).
		failed(t, "invalidMeetingIdentifier")
	if _, ok := srv.Meeting("lonely"); ok {
		t.Error("expired meeting still visible")
	}
	// An expiring meeting ends: its callback fires.
	cbs, err := srv.WaitCallbacks(ctx(t), 1)
	if err != nil || cbs[0].MeetingID != "lonely" {
		t.Fatalf("callbacks %+v %v", cbs, err)
	}
	// A meeting somebody joined does not expire.
	mock.Add(time.Hour)
	if !running(t, srv, "busy") {
		t.Error("joined meeting expired")
	}
	// The meeting ID can be used again.
	create(t, srv, "lonely")
}

// With no request at all, an expiry still ends its meeting on time and
// calls the end callback, as BBB's timers do.
func TestExpiryWithoutRequests(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	srv, mock := startMock(t)
	create(t, srv, "timed", "meta_endCallbackUrl", rcv.URL, "duration", "2")
	mustJoin(t, srv, "timed", "A", "MODERATOR")
	create(t, srv, "lonely", "meta_endCallbackUrl", rcv.URL)

	start := mock.Now()
	mock.Add(2 * time.Minute)
	cbs, err := srv.WaitCallbacks(ctx(t), 1)
	if err != nil || cbs[0].MeetingID != "timed" || !cbs[0].Time.Equal(start.Add(2*time.Minute)) {
		t.Fatalf("callbacks %+v %v", cbs, err)
	}
	mock.Add(bbbtest.DefaultMeetingExpiry - 2*time.Minute)
	cbs, err = srv.WaitCallbacks(ctx(t), 2)
	if err != nil || cbs[1].MeetingID != "lonely" || !cbs[1].Time.Equal(start.Add(bbbtest.DefaultMeetingExpiry)) {
		t.Fatalf("callbacks %+v %v", cbs, err)
	}
}

func TestExpiryOptionsAndParams(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t, bbbtest.WithMeetingExpiry(time.Minute))
	create(t, srv, "short")
	create(t, srv, "long", "meetingExpireIfNoUserJoinedInMinutes", "10")
	mock.Add(time.Minute)
	srv.Sweep()
	if _, ok := srv.Meeting("short"); ok {
		t.Error("WithMeetingExpiry not applied")
	}
	mock.Add(8 * time.Minute)
	if _, ok := srv.Meeting("long"); !ok {
		t.Error("meetingExpireIfNoUserJoinedInMinutes not applied")
	}
	mock.Add(time.Minute)
	if _, ok := srv.Meeting("long"); ok {
		t.Error("meeting outlived meetingExpireIfNoUserJoinedInMinutes")
	}
}

func TestExpiryLastUserLeft(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	create(t, srv, "emptied")
	u := mustJoin(t, srv, "emptied", "A", "MODERATOR")
	mock.Add(10 * time.Minute)
	leave(t, srv, "emptied", u)
	mock.Add(bbbtest.DefaultEmptyMeetingExpiry - time.Second)
	if _, ok := srv.Meeting("emptied"); !ok {
		t.Fatal("ended too early")
	}
	// Coming back in time keeps it alive.
	u = mustJoin(t, srv, "emptied", "A", "MODERATOR")
	mock.Add(time.Hour)
	leave(t, srv, "emptied", u)
	mock.Add(bbbtest.DefaultEmptyMeetingExpiry)
	get(t, srv, "getMeetingInfo", q("meetingID", "emptied")).failed(t, "notFound")
}

func TestExpiryDuration(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	create(t, srv, "timed", "duration", "30")
	mustJoin(t, srv, "timed", "A", "MODERATOR")
	mock.Add(29 * time.Minute)
	if !running(t, srv, "timed") {
		t.Fatal("ended before its duration")
	}
	mock.Add(time.Minute)
	if running(t, srv, "timed") {
		t.Fatal("running past its duration")
	}
}

func TestEndedMeetingForgottenAfterAMinute(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	create(t, srv, "gone")
	get(t, srv, "end", q("meetingID", "gone")).ok(t)
	mock.Add(59 * time.Second)
	get(t, srv, "join", q("fullName", "A", "meetingID", "gone", "role", "VIEWER", "redirect", "false")).failed(t, "meetingForciblyEnded")
	mock.Add(time.Second)
	get(t, srv, "join", q("fullName", "A", "meetingID", "gone", "role", "VIEWER", "redirect", "false")).failed(t, "invalidMeetingIdentifier")
	get(t, srv, "end", q("meetingID", "gone")).failed(t, "notFound")
}
