package bbbtest_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// Integration tests through the bbb client the fake exists for.

func TestClientMeetingLifecycle(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	res, err := c.Create(ctx(t), &bbb.CreateParams{
		Name: "Webinar", MeetingID: "cl-1", Meta: bbb.Metadata{"bbbcastWebinar": "42"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicate || res.InternalMeetingID == "" || res.AttendeePW == "" || res.CreateTime == 0 {
		t.Fatalf("create %+v", res)
	}
	again, err := c.Create(ctx(t), &bbb.CreateParams{Name: "Webinar", MeetingID: "cl-1"})
	if err != nil || !again.Duplicate || again.CreateTime != res.CreateTime {
		t.Fatalf("second create %+v %v", again, err)
	}
	_, err = c.Create(ctx(t), &bbb.CreateParams{Name: "Webinar", MeetingID: "cl-1", AttendeePW: "other", ModeratorPW: "x"})
	if !errors.Is(err, bbb.ErrIDNotUnique) {
		t.Fatalf("conflicting create: %v", err)
	}

	sess, err := c.Join(ctx(t), &bbb.JoinParams{FullName: "Alice", MeetingID: "cl-1", Role: bbb.RoleModerator, CreateTime: res.CreateTime})
	if err != nil {
		t.Fatal(err)
	}
	if sess.MeetingID != res.InternalMeetingID || sess.GuestStatus != "ALLOW" || sess.SessionToken == "" {
		t.Fatalf("join %+v", sess)
	}
	// The browser opens the session URL: Alice is in.
	if a := do(t, srv, http.MethodGet, sess.URL, "", nil); a.status != http.StatusOK {
		t.Fatalf("client page: HTTP %d", a.status)
	}
	if run, err := c.IsMeetingRunning(ctx(t), "cl-1"); err != nil || !run {
		t.Fatalf("running %v %v", run, err)
	}
	m, err := c.GetMeetingInfo(ctx(t), "cl-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attendees) != 1 || m.Attendees[0].FullName != "Alice" || m.Attendees[0].Role != bbb.RoleModerator ||
		m.Metadata["bbbcastwebinar"] != "42" || !m.Running || m.CreateTime != res.CreateTime {
		t.Fatalf("meeting %+v", m)
	}
	ms, err := c.GetMeetings(ctx(t))
	if err != nil || len(ms) != 1 || ms[0].MeetingID != "cl-1" {
		t.Fatalf("meetings %+v %v", ms, err)
	}

	_, err = c.Join(ctx(t), &bbb.JoinParams{FullName: "Late", MeetingID: "cl-1", Role: bbb.RoleViewer, CreateTime: res.CreateTime + 1})
	if !errors.Is(err, bbb.ErrMismatchCreateTime) {
		t.Errorf("stale join: %v", err)
	}
	if err := c.End(ctx(t), "cl-1", ""); err != nil {
		t.Fatal(err)
	}
	if run, err := c.IsMeetingRunning(ctx(t), "cl-1"); err != nil || run {
		t.Fatalf("running after end %v %v", run, err)
	}
	if ms, err := c.GetMeetings(ctx(t)); err != nil || len(ms) != 1 || !ms[0].HasBeenForciblyEnded || ms[0].Running {
		t.Fatalf("meetings after end %+v %v", ms, err)
	}
	if err := c.End(ctx(t), "never-created", ""); !errors.Is(err, bbb.ErrNotFound) {
		t.Errorf("end unknown: %v", err)
	}
	if _, err := c.GetMeetingInfo(ctx(t), "never-created"); !errors.Is(err, bbb.ErrNotFound) {
		t.Errorf("getMeetingInfo unknown: %v", err)
	}
}

func TestClientSignedEndCallback(t *testing.T) {
	t.Parallel()
	signer, err := bbb.NewCallbackSigner([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan bbb.EndCallback, 1)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cb, err := signer.VerifyEndCallback(r.URL.Query())
		if err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		got <- cb
	}))
	t.Cleanup(rcv.Close)

	srv := start(t)
	c := srv.Client()
	cbURL, err := signer.EndCallbackURL(rcv.URL+"/bbb/end?tenant=pod", "webinar 7", "run-3")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Create(ctx(t), &bbb.CreateParams{Name: "Webinar", MeetingID: "webinar 7",
		Meta: bbb.Metadata{"endCallbackUrl": cbURL}}); err != nil {
		t.Fatal(err)
	}
	if err := c.End(ctx(t), "webinar 7", ""); err != nil {
		t.Fatal(err)
	}
	select {
	case cb := <-got:
		if cb.MeetingID != "webinar 7" || cb.Nonce != "run-3" || cb.RecordingMarks {
			t.Errorf("callback %+v", cb)
		}
	case <-ctx(t).Done():
		t.Fatal("no callback")
	}
	if cbs, err := srv.WaitCallbacks(ctx(t), 1); err != nil || !cbs[0].OK() {
		t.Fatalf("callbacks %+v %v", cbs, err)
	}
}

func TestClientChecksumAlgorithms(t *testing.T) {
	t.Parallel()
	for _, alg := range bbb.Algorithms {
		t.Run(alg.String(), func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithClientChecksum(alg))
			if c := srv.Client(); c.Algorithm() != alg {
				t.Fatalf("client algorithm %v", c.Algorithm())
			}
			if _, err := srv.Client().GetMeetings(ctx(t)); err != nil {
				t.Fatal(err)
			}
		})
	}
	// A sha1-only client against a server that refuses sha1 (BBB 2.5.7).
	srv := start(t, bbbtest.WithChecksumAlgorithms(bbb.SHA256))
	_, err := srv.Client(bbb.WithChecksum(bbb.SHA1)).GetMeetings(ctx(t))
	if !errors.Is(err, bbb.ErrChecksum) {
		t.Fatalf("sha1 client: %v", err)
	}
	wrong, err := bbb.NewClient(srv.URL, "not-the-secret", bbb.WithInsecureHTTP())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrong.GetMeetings(ctx(t)); !errors.Is(err, bbb.ErrChecksum) {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestClientChatAndVersion(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		version   string
		supported bool
	}{{"2.7.3", false}, {"3.0.4", true}} {
		t.Run(tt.version, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(tt.version))
			c := srv.Client()
			v, err := c.Version(ctx(t))
			if err != nil || v.BBBVersion != tt.version || v.AtLeast(3, 0) != tt.supported {
				t.Fatalf("version %+v %v", v, err)
			}
			if _, err := c.Create(ctx(t), &bbb.CreateParams{Name: "Chat", MeetingID: "chat"}); err != nil {
				t.Fatal(err)
			}
			err = c.SendChatMessage(ctx(t), &bbb.ChatMessage{MeetingID: "chat", Message: "(Jane) Hello", UserName: "Webinar"})
			if !tt.supported {
				if !errors.Is(err, bbb.ErrNotSupported) {
					t.Fatalf("send on %s: %v", tt.version, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if chat := srv.Chat("chat"); len(chat) != 1 || chat[0].UserName != "Webinar" || chat[0].Message != "(Jane) Hello" {
				t.Fatalf("chat %+v", chat)
			}
		})
	}
}

func TestClientFaults(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.Fail("getMeetings", bbbtest.Fault{Status: http.StatusBadGateway})
	_, err := srv.Client(bbb.WithRetries(0)).GetMeetings(ctx(t))
	var re *bbb.ResponseError
	if !errors.As(err, &re) || re.StatusCode != http.StatusBadGateway {
		t.Fatalf("502: %v", err)
	}
	srv.ClearFaults()
	// A read is retried past one proxy error.
	srv.Fail("getMeetings", bbbtest.Fault{Status: http.StatusBadGateway, Times: 1})
	if _, err := srv.Client(bbb.WithRetryWait(time.Millisecond, 5*time.Millisecond)).GetMeetings(ctx(t)); err != nil {
		t.Fatalf("retried read: %v", err)
	}
	if rs := srv.RequestsFor("getMeetings"); len(rs) != 3 || rs[1].StatusCode != 502 || rs[2].StatusCode != 200 {
		t.Errorf("requests %+v", rs)
	}
	srv.Fail("create", bbbtest.Fault{Key: "maxMeetingsReached", Message: "Server full", Times: 1})
	_, err = srv.Client().Create(ctx(t), &bbb.CreateParams{Name: "Full", MeetingID: "full"})
	var ae *bbb.APIError
	if !errors.As(err, &ae) || ae.Key != "maxMeetingsReached" {
		t.Fatalf("forced key: %v", err)
	}
}

func TestClientDocumentsHooksRecordings(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	yes := true
	_, err := c.CreateWithDocuments(ctx(t), &bbb.CreateParams{Name: "Slides", MeetingID: "docs"}, []bbb.Document{
		{URL: "https://example.org/deck.pdf", Current: &yes},
		{Name: "notes.pdf", Content: []byte("%PDF-1.4")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.InsertDocument(ctx(t), "docs", []bbb.Document{{URL: "https://example.org/more.pdf"}}); err != nil {
		t.Fatal(err)
	}
	docs := srv.Documents("docs")
	if len(docs) != 3 || docs[0].Name != "deck.pdf" || !docs[0].Current || docs[1].Size != 8 || docs[2].Call != "insertDocument" {
		t.Fatalf("documents %+v", docs)
	}

	h, err := c.CreateHook(ctx(t), &bbb.HookParams{CallbackURL: "https://portal.example/hooks", EventIDs: []string{"meeting-ended"}})
	if err != nil || h.ID == "" || h.Duplicate {
		t.Fatalf("hook %+v %v", h, err)
	}
	hooks, err := c.ListHooks(ctx(t), "")
	if err != nil || len(hooks) != 1 || hooks[0].EventIDs[0] != "meeting-ended" {
		t.Fatalf("hooks %+v %v", hooks, err)
	}
	if err := c.DestroyHook(ctx(t), h.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DestroyHook(ctx(t), h.ID); !errors.Is(err, bbb.ErrHookNotFound) {
		t.Fatalf("destroy twice: %v", err)
	}

	id := srv.AddRecording(bbbtest.Recording{MeetingID: "docs", Metadata: map[string]string{"origin": "pod"}})
	page, err := c.GetRecordings(ctx(t), &bbb.GetRecordingsParams{MeetingIDs: []string{"docs"}})
	if err != nil || len(page.Recordings) != 1 || page.Recordings[0].RecordID != id || !page.Recordings[0].Published {
		t.Fatalf("recordings %+v %v", page, err)
	}
	if err := c.PublishRecordings(ctx(t), []string{id}, false); err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateRecordings(ctx(t), []string{id}, bbb.Metadata{"origin": "moodle"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRecordings(ctx(t), []string{id}); err != nil {
		t.Fatal(err)
	}
	if r := srv.Recordings()[0]; r.State != "deleted" || r.Metadata["origin"] != "moodle" {
		t.Fatalf("recording %+v", r)
	}
}

func TestOpenJoinURL(t *testing.T) {
	t.Parallel()
	srv := start(t)
	c := srv.Client()
	res, err := c.Create(ctx(t), &bbb.CreateParams{Name: "Webinar", MeetingID: "open"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := c.JoinURL(&bbb.JoinParams{FullName: "streaming", MeetingID: "open", Role: bbb.RoleViewer,
		CreateTime: res.CreateTime, UserData: bbb.UserData{"bbb_auto_join_audio": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := srv.OpenJoinURL(ctx(t), u)
	if err != nil {
		t.Fatal(err)
	}
	if a.FullName != "streaming" || a.Role != "VIEWER" || a.CustomData["bbb_auto_join_audio"] != "true" {
		t.Fatalf("attendee %+v", a)
	}
	if run, _ := c.IsMeetingRunning(ctx(t), "open"); !run {
		t.Error("not running after the bot entered")
	}
	// A stale link (recreated meeting) is refused with BBB's key.
	stale, _ := c.JoinURL(&bbb.JoinParams{FullName: "x", MeetingID: "open", Role: bbb.RoleViewer, CreateTime: 1})
	_, err = srv.OpenJoinURL(ctx(t), stale)
	var je *bbbtest.JoinError
	if !errors.As(err, &je) || je.Key != "mismatchCreateTimeParam" || je.StatusCode != http.StatusFound {
		t.Fatalf("stale link: %v", err)
	}
}
