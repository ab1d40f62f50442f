package bbbtest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestFaultStatusPage(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.Fail("getMeetings", bbbtest.Fault{Status: http.StatusBadGateway, Times: 1})
	a := get(t, srv, "getMeetings", "")
	if a.status != http.StatusBadGateway || a.header.Get("Content-Type") != "text/html" ||
		!strings.Contains(string(a.body), "502 Bad Gateway") {
		t.Fatalf("HTTP %d %q %s", a.status, a.header.Get("Content-Type"), a.body)
	}
	// Once only.
	get(t, srv, "getMeetings", "").ok(t)
}

func TestFaultCustomBody(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.Fail("isMeetingRunning", bbbtest.Fault{Status: 503, Body: `{"error":"maintenance"}`, ContentType: "application/json"})
	for range 3 {
		a := get(t, srv, "isMeetingRunning", q("meetingID", "x1"))
		if a.status != 503 || a.header.Get("Content-Type") != "application/json" || string(a.body) != `{"error":"maintenance"}` {
			t.Fatalf("HTTP %d %q %s", a.status, a.header.Get("Content-Type"), a.body)
		}
	}
	srv.ClearFaults()
	get(t, srv, "isMeetingRunning", q("meetingID", "x1")).ok(t)
}

func TestFaultForcedKey(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.Fail("create", bbbtest.Fault{Key: "maxMeetingsReached", Message: "Too many meetings", Times: 2})
	for range 2 {
		r := get(t, srv, "create", q("name", "x y", "meetingID", "forced")).failed(t, "maxMeetingsReached")
		if r.get("message") != "Too many meetings" {
			t.Errorf("message %q", r.get("message"))
		}
	}
	create(t, srv, "forced")
	// Status and Key: a FAILED XML answer with that status.
	srv.Fail("getMeetingInfo", bbbtest.Fault{Status: 500, Key: "internalError", Message: "boom", Times: 1})
	a := get(t, srv, "getMeetingInfo", q("meetingID", "forced"))
	if a.status != 500 || !strings.Contains(string(a.body), "<messageKey>internalError</messageKey>") {
		t.Fatalf("HTTP %d %s", a.status, a.body)
	}
}

func TestFaultsApplyBeforeChecksumAndInOrder(t *testing.T) {
	t.Parallel()
	srv := start(t)
	srv.Fail(bbbtest.AllCalls, bbbtest.Fault{Status: 502, Times: 1})
	srv.Fail("getMeetings", bbbtest.Fault{Status: 504, Times: 1})
	// An unsigned request meets the proxy's error first.
	if a := do(t, srv, http.MethodGet, srv.URL+"/api/getMeetings", "", nil); a.status != 502 {
		t.Fatalf("HTTP %d", a.status)
	}
	if a := get(t, srv, "getMeetings", ""); a.status != 504 {
		t.Fatalf("HTTP %d", a.status)
	}
	get(t, srv, "getMeetings", "").ok(t)
	// The version probe is the call "".
	srv.Fail("", bbbtest.Fault{Status: 404, Times: 1})
	if a := do(t, srv, http.MethodGet, srv.URL+"/api", "", nil); a.status != 404 {
		t.Fatalf("probe HTTP %d", a.status)
	}
}

func TestFaultDelayOnMockClock(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	srv.Fail("getMeetings", bbbtest.Fault{Delay: 20 * time.Second, Times: 1})
	done := make(chan answer, 1)
	go func() { done <- get(t, srv, "getMeetings", "") }()
	if err := srv.WaitDelayed(ctx(t), 1); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-done:
		t.Fatalf("answered before the delay: %d", a.status)
	default:
	}
	mock.Add(20 * time.Second)
	a := <-done
	a.ok(t)
	if rs := srv.RequestsFor("getMeetings"); len(rs) != 1 || rs[0].StatusCode != 200 {
		t.Errorf("request log %+v", rs)
	}
}

func TestFaultDelayThenStatus(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t)
	srv.Fail("end", bbbtest.Fault{Delay: time.Minute, Status: http.StatusGatewayTimeout})
	done := make(chan answer, 1)
	go func() { done <- get(t, srv, "end", q("meetingID", "slow")) }()
	if err := srv.WaitDelayed(ctx(t), 1); err != nil {
		t.Fatal(err)
	}
	mock.Add(time.Minute)
	if a := <-done; a.status != http.StatusGatewayTimeout {
		t.Fatalf("HTTP %d", a.status)
	}
}

func TestFaultDelayClientGivesUp(t *testing.T) {
	t.Parallel()
	srv, _ := startMock(t)
	srv.Fail("getMeetings", bbbtest.Fault{Delay: time.Hour})
	c, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(c, http.MethodGet, srv.SignedURL("getMeetings", ""), nil)
		resp, err := srv.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	if err := srv.WaitDelayed(ctx(t), 1); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	// Close does not hang on a request stuck in a delay either.
	srv.Close()
}
