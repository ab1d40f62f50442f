package bbbtest_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// TestConcurrentUse drives the API and the helpers from many goroutines;
// run with -race.
func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	srv := start(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				id := fmt.Sprintf("c-%d-%d", g, i)
				create(t, srv, id, "meta_endCallbackUrl", rcv.URL)
				uid := mustJoin(t, srv, id, "U", "VIEWER")
				if err := srv.PostChat(id, "streaming", "hi"); err != nil {
					t.Error(err)
				}
				get(t, srv, "getMeetingInfo", q("meetingID", id)).ok(t)
				get(t, srv, "getMeetings", "").ok(t)
				_ = srv.Requests()
				_ = srv.Meetings()
				if err := srv.UserLeaves(id, uid); err != nil {
					t.Error(err)
				}
				get(t, srv, "end", q("meetingID", id)).ok(t)
			}
		}()
	}
	wg.Wait()
	cbs, err := srv.WaitCallbacks(ctx(t), 80)
	if err != nil {
		t.Fatal(err)
	}
	if len(cbs) != 80 || len(rcv.requests()) != 80 {
		t.Fatalf("%d callbacks, receiver got %d", len(cbs), len(rcv.requests()))
	}
}

func TestLoggerNeverLogsQueries(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &buf, mu: &mu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rcv := newReceiver(t)
	srv := start(t, bbbtest.WithLogger(logger), bbbtest.WithSecret("very-secret-value"))
	create(t, srv, "logged", "moderatorPW", "pw-in-query", "meta_endCallbackUrl", rcv.URL+"/cb?token=callback-token")
	get(t, srv, "end", q("meetingID", "logged")).ok(t)
	if _, err := srv.WaitCallbacks(ctx(t), 1); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	if !strings.Contains(out, "call=create") || !strings.Contains(out, "bbbtest end callback") {
		t.Errorf("log lacks the requests: %s", out)
	}
	for _, leak := range []string{"very-secret-value", "pw-in-query", "callback-token", "checksum="} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q: %s", leak, out)
		}
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestReset(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t, 500)
	srv, _ := startMock(t)
	create(t, srv, "r1", "meta_endCallbackUrl", rcv.URL)
	srv.AddRecording(bbbtest.Recording{MeetingID: "r1"})
	get(t, srv, "hooks/create", q("callbackURL", "https://x.example/h")).ok(t)
	srv.Fail("getMeetings", bbbtest.Fault{Status: 502})
	get(t, srv, "end", q("meetingID", "r1")).ok(t)
	if _, err := srv.WaitCallbacks(ctx(t), 1); err != nil {
		t.Fatal(err)
	}
	srv.Reset()
	if len(srv.Meetings()) != 0 || len(srv.Recordings()) != 0 || len(srv.Hooks()) != 0 ||
		len(srv.Callbacks()) != 0 || srv.PendingCallbackRetries() != 0 || len(srv.Requests()) != 0 {
		t.Fatal("state left after Reset")
	}
	if _, ok := srv.Meeting("r1"); ok {
		t.Error("ended meeting left after Reset")
	}
	get(t, srv, "getMeetings", "").ok(t)
}
