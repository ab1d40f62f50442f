package bbbtest_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// receiver is an end callback receiver on loopback that answers the
// statuses given, in order (the last one repeats).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      []*url.URL
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	t.Helper()
	r := &receiver{statuses: statuses}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.got = append(r.got, req.URL)
		status := http.StatusOK
		if len(r.statuses) > 0 {
			status = r.statuses[0]
			if len(r.statuses) > 1 {
				r.statuses = r.statuses[1:]
			}
		}
		r.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) requests() []*url.URL {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*url.URL(nil), r.got...)
}

func TestEnd(t *testing.T) {
	t.Parallel()
	srv := start(t)
	get(t, srv, "end", q("meetingID", "unknown")).failed(t, "notFound")
	create(t, srv, "e1")
	create(t, srv, "e2")
	mustJoin(t, srv, "e1", "Alice", "MODERATOR")
	r := get(t, srv, "end", q("meetingID", "e1")).ok(t)
	if r.get("messageKey") != "sentEndMeetingRequest" || r.get("message") == "" {
		t.Fatalf("answer %+v", r)
	}
	if running(t, srv, "e1") {
		t.Error("still running")
	}
	info := get(t, srv, "getMeetingInfo", q("meetingID", "e1")).ok(t)
	if info.get("hasBeenForciblyEnded") != "true" || info.get("running") != "false" || info.get("endTime") == "0" ||
		info.get("participantCount") != "0" {
		t.Errorf("getMeetingInfo after end: %+v", info)
	}
	// getMeetings agrees with getMeetingInfo: the ended meeting is listed,
	// ended, until BBB forgets it.
	ms := get(t, srv, "getMeetings", "").ok(t).child("meetings").all("meeting")
	if len(ms) != 2 || ms[0].get("meetingID") != "e1" || ms[0].get("hasBeenForciblyEnded") != "true" ||
		ms[0].get("running") != "false" || ms[0].get("endTime") != info.get("endTime") {
		t.Errorf("getMeetings lists %+v", ms)
	}
	m, ok := srv.Meeting("e1")
	if !ok || !m.Ended || !m.ForciblyEnded || m.Running {
		t.Errorf("snapshot %+v", m)
	}
	if err := srv.UserLeaves("e1", "x"); err != bbbtest.ErrMeetingEnded {
		t.Errorf("UserLeaves on an ended meeting: %v", err)
	}
	// Ending again is accepted, as BBB does while the meeting is in memory.
	get(t, srv, "end", q("meetingID", "e1")).ok(t)
}

func TestEndPasswordBefore26(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithVersion("2.5.20"))
	create(t, srv, "pw", "moderatorPW", "mp")
	get(t, srv, "end", q("meetingID", "pw")).failed(t, "invalidPassword")
	get(t, srv, "end", q("meetingID", "pw", "password", "ap")).failed(t, "invalidPassword")
	get(t, srv, "end", q("meetingID", "pw", "password", "mp")).ok(t)
}

func TestEndCallback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		path      string // appended to the receiver's URL
		recording bool
		end       func(*bbbtest.Server) error
		wantMarks string
	}{
		{"API end, URL without query", "/cb", false, nil, "false"},
		{"API end, URL with query", "/cb?token=abc", false, nil, "false"},
		{"API end, recorded", "/cb?token=abc", true, nil, "true"},
		{"ended inside BBB", "/cb", false, func(s *bbbtest.Server) error { return s.EndMeeting("cb meeting") }, "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t)
			srv := start(t)
			create(t, srv, "cb meeting", "record", "true", "meta_endCallbackUrl", rcv.URL+tt.path)
			if tt.recording {
				if err := srv.SetRecording("cb meeting", true); err != nil {
					t.Fatal(err)
				}
			}
			if tt.end == nil {
				get(t, srv, "end", q("meetingID", "cb meeting")).ok(t)
			} else if err := tt.end(srv); err != nil {
				t.Fatal(err)
			}
			cbs, err := srv.WaitCallbacks(ctx(t), 1)
			if err != nil {
				t.Fatal(err)
			}
			if len(cbs) != 1 || !cbs[0].OK() || cbs[0].StatusCode != 200 || cbs[0].Attempt != 1 || cbs[0].NextRetry != 0 ||
				cbs[0].MeetingID != "cb meeting" {
				t.Fatalf("callbacks %+v", cbs)
			}
			got := rcv.requests()
			if len(got) != 1 {
				t.Fatalf("receiver got %d requests", len(got))
			}
			u := got[0]
			if u.Path != "/cb" || u.Query().Get("meetingID") != "cb meeting" || u.Query().Get("recordingmarks") != tt.wantMarks {
				t.Errorf("callback URL %s", u)
			}
			if want, _ := url.Parse(rcv.URL + tt.path); want.Query().Get("token") != u.Query().Get("token") {
				t.Errorf("callback lost the URL's own query: %s", u)
			}
			if u.Query().Has("checksum") {
				t.Error("end callbacks are not signed")
			}
			// Ending again fires nothing more.
			get(t, srv, "end", q("meetingID", "cb meeting")).ok(t)
			if n := len(srv.Callbacks()); n != 1 {
				t.Errorf("%d callbacks after a second end", n)
			}
		})
	}
}

func TestEndCallbackRetries(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, 500, 502, 200)
	srv, mock := startMock(t)
	create(t, srv, "retry", "meta_endCallbackUrl", rcv.URL+"/end")
	get(t, srv, "end", q("meetingID", "retry")).ok(t)

	cbs, err := srv.WaitCallbacks(ctx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if cbs[0].OK() || cbs[0].StatusCode != 500 || cbs[0].NextRetry != 30*time.Second || srv.PendingCallbackRetries() != 1 {
		t.Fatalf("first attempt %+v, pending %d", cbs[0], srv.PendingCallbackRetries())
	}
	// Nothing happens before the retry is due.
	mock.Add(29 * time.Second)
	if n := len(srv.Callbacks()); n != 1 {
		t.Fatalf("%d attempts after 29 s", n)
	}
	mock.Add(time.Second)
	cbs, err = srv.WaitCallbacks(ctx(t), 2)
	if err != nil {
		t.Fatal(err)
	}
	if cbs[1].Attempt != 2 || cbs[1].StatusCode != 502 || cbs[1].NextRetry != time.Minute ||
		!cbs[1].Time.Equal(cbs[0].Time.Add(30*time.Second)) {
		t.Fatalf("second attempt %+v", cbs[1])
	}
	mock.Add(time.Minute)
	cbs, err = srv.WaitCallbacks(ctx(t), 3)
	if err != nil {
		t.Fatal(err)
	}
	if !cbs[2].OK() || cbs[2].Attempt != 3 || cbs[2].NextRetry != 0 || srv.PendingCallbackRetries() != 0 {
		t.Fatalf("third attempt %+v", cbs[2])
	}
	if n := len(rcv.requests()); n != 3 {
		t.Errorf("receiver got %d requests", n)
	}
}

func TestEndCallbackGivesUp(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, 503)
	srv, mock := startMock(t)
	create(t, srv, "down", "meta_endCallbackUrl", rcv.URL)
	if err := srv.EndMeeting("down"); err != nil {
		t.Fatal(err)
	}
	for i, d := range bbbtest.CallbackRetrySchedule() {
		cbs, err := srv.WaitCallbacks(ctx(t), i+1)
		if err != nil {
			t.Fatal(err)
		}
		if cbs[i].NextRetry != d {
			t.Fatalf("attempt %d: next retry %v, want %v", i+1, cbs[i].NextRetry, d)
		}
		mock.Add(d)
	}
	cbs, err := srv.WaitCallbacks(ctx(t), 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(cbs) != 5 || cbs[4].NextRetry != 0 || srv.PendingCallbackRetries() != 0 {
		t.Fatalf("callbacks %+v, pending %d", cbs, srv.PendingCallbackRetries())
	}
	mock.Add(time.Hour)
	if n := len(srv.Callbacks()); n != 5 {
		t.Errorf("%d attempts, want 5", n)
	}
}

func TestEndCallbackUnreachable(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	dead := rcv.URL
	rcv.Close() // nobody listens there any more
	srv := start(t)
	create(t, srv, "dead", "meta_endCallbackUrl", dead+"/cb")
	get(t, srv, "end", q("meetingID", "dead")).ok(t)
	cbs, err := srv.WaitCallbacks(ctx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	if cbs[0].Err == nil || cbs[0].StatusCode != 0 || cbs[0].OK() || cbs[0].NextRetry != 30*time.Second {
		t.Errorf("callback %+v", cbs[0])
	}
	// Close stops the pending retry without waiting for it.
	srv.Close()
	if srv.PendingCallbackRetries() != 0 {
		t.Error("retry still pending after Close")
	}
}
