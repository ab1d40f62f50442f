package bbbtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// postReceiver records the POSTs it gets and answers 200.
type postReceiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []*http.Request
	err []error
	// check verifies a request; its error is kept.
	check func(*http.Request) error
}

func newPostReceiver(t *testing.T, check func(*http.Request) error) *postReceiver {
	t.Helper()
	r := &postReceiver{check: check}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		err := r.check(req)
		r.mu.Lock()
		r.got = append(r.got, req)
		r.err = append(r.err, err)
		r.mu.Unlock()
		if err != nil {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func TestRecordedMeetingProducesRecording(t *testing.T) {
	t.Parallel()
	const delay = 3 * time.Second
	yes := true
	tests := []struct {
		name      string
		record    bool
		autoStart bool
		startLate bool // SetRecording during the meeting
		want      bool
	}{
		{"autoStartRecording", true, true, false, true},
		{"record button", true, false, true, true},
		{"record never started", true, false, false, false},
		{"record=false", false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			srv, mock := startMock(t, bbbtest.WithRecordingDelay(delay))
			var ready *bbb.RecordingReady
			var readyMu sync.Mutex
			rcv := newPostReceiver(t, func(r *http.Request) error {
				if err := r.ParseForm(); err != nil {
					return err
				}
				rr, err := bbb.VerifyRecordingReady(r.PostForm.Get(bbb.RecordingReadyParam), srv.Secret)
				readyMu.Lock()
				ready = rr
				readyMu.Unlock()
				return err
			})
			c := srv.Client()
			p := &bbb.CreateParams{MeetingID: "rec-" + tt.name, Name: "Lecture",
				Meta: bbb.Metadata{"bbb-recording-ready-url": rcv.URL + "/ready", "course": "go"}}
			if tt.record {
				p.Record = &yes
			}
			if tt.autoStart {
				p.AutoStartRecording = &yes
			}
			cr, err := c.Create(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := srv.UserJoins(p.MeetingID, "Ada", "MODERATOR"); err != nil {
				t.Fatal(err)
			}
			if tt.startLate {
				if err := srv.SetRecording(p.MeetingID, true); err != nil {
					t.Fatal(err)
				}
			}
			mock.Add(2 * time.Minute)
			if err := srv.EndMeeting(p.MeetingID); err != nil {
				t.Fatal(err)
			}
			page, err := c.GetRecordings(ctx, &bbb.GetRecordingsParams{States: []string{bbb.RecordingAnyState}})
			if err != nil {
				t.Fatal(err)
			}
			if !tt.want {
				if len(page.Recordings) != 0 || len(srv.Recordings()) != 0 {
					t.Fatalf("recordings %+v", page.Recordings)
				}
				return
			}
			if len(page.Recordings) != 1 || page.Recordings[0].State != bbb.RecordingProcessing ||
				page.Recordings[0].Published || len(page.Recordings[0].Playback) != 0 {
				t.Fatalf("just after the end: %+v", page.Recordings)
			}
			mock.Add(delay - time.Millisecond)
			if rs := srv.Recordings(); rs[0].State != "processing" {
				t.Fatalf("published before the delay: %+v", rs[0])
			}
			mock.Add(time.Millisecond)
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if _, err := srv.WaitRecording(wctx, cr.InternalMeetingID, "published"); err != nil {
				t.Fatal(err)
			}
			page, err = c.GetRecordings(ctx, &bbb.GetRecordingsParams{MeetingIDs: []string{p.MeetingID}})
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Recordings) != 1 {
				t.Fatalf("recordings %+v", page.Recordings)
			}
			r := page.Recordings[0]
			if r.RecordID != cr.InternalMeetingID || r.MeetingID != p.MeetingID || !r.Published ||
				r.State != bbb.RecordingPublished || r.Name != "Lecture" || r.Participants != 1 ||
				r.RawSize <= 0 || r.Size <= 0 || r.Metadata["course"] != "go" || r.Metadata["meetingName"] != "Lecture" ||
				!r.EndTime.After(r.StartTime) || len(r.Playback) != 1 {
				t.Fatalf("recording %+v", r)
			}
			pb := r.Playback[0]
			if pb.Type != "presentation" || pb.URL == "" || pb.Length != 2 || pb.Size != r.Size ||
				pb.ProcessingTime != int(delay/time.Millisecond) || len(pb.Preview) == 0 ||
				pb.Preview[0].URL == "" || pb.Preview[0].Width == 0 || pb.Preview[0].Alt != "Welcome" {
				t.Fatalf("playback %+v", pb)
			}

			ds, err := srv.WaitDeliveries(wctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			d := ds[0]
			if d.Kind != bbbtest.DeliveryRecordingReady || !d.OK() || d.RecordID != r.RecordID ||
				d.MeetingID != p.MeetingID || d.URL != rcv.URL+"/ready" {
				t.Fatalf("delivery %+v", d)
			}
			readyMu.Lock()
			defer readyMu.Unlock()
			if ready == nil || ready.MeetingID != p.MeetingID || ready.RecordID != r.RecordID {
				t.Fatalf("recording-ready claims %+v", ready)
			}
		})
	}
}

func TestProducedRecordingDeletedWhileProcessing(t *testing.T) {
	t.Parallel()
	yes := true
	ctx := context.Background()
	srv, mock := startMock(t)
	c := srv.Client()
	cr, err := c.Create(ctx, &bbb.CreateParams{MeetingID: "del", Name: "Deleted", Record: &yes, AutoStartRecording: &yes})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.EndMeeting("del"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRecordings(ctx, []string{cr.InternalMeetingID}); err != nil {
		t.Fatal(err)
	}
	mock.Add(bbbtest.DefaultRecordingDelay)
	// The timer ran or will run: Close waits for it, then the state is final.
	srv.Close()
	if rs := srv.Recordings(); len(rs) != 1 || rs[0].State != "deleted" {
		t.Fatalf("recordings %+v", rs)
	}
	if ds := srv.Deliveries(); len(ds) != 0 {
		t.Fatalf("deliveries %+v", ds)
	}
}
