package bbbtest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestRequestLogRedaction(t *testing.T) {
	t.Parallel()
	srv, mock := startMock(t, bbbtest.WithSecret("s3cr3t-shared-secret-value"))
	createQ := q("name", "Secret meeting", "meetingID", "red", "attendeePW", "att-pass-1", "moderatorPW", "mod-pass-2")
	get(t, srv, "create", createQ)
	joinQ := q("fullName", "A", "meetingID", "red", "password", "mod-pass-2", "redirect", "false")
	get(t, srv, "join", joinQ)
	// A tampered request is logged too.
	do(t, srv, http.MethodGet, apiURL(srv, "end", "meetingID=red&checksum=deadbeef"), "", nil)

	checksums := []string{
		bbb.Sign(bbb.SHA256, "create", createQ, srv.Secret),
		bbb.Sign(bbb.SHA256, "join", joinQ, srv.Secret),
		"deadbeef",
	}
	rs := srv.Requests()
	if len(rs) != 3 {
		t.Fatalf("%d requests logged", len(rs))
	}
	dump := fmt.Sprintf("%+v %#v", rs, rs)
	for _, secret := range append(checksums, srv.Secret, "att-pass-1", "mod-pass-2") {
		if strings.Contains(dump, secret) {
			t.Errorf("request log leaks %q", secret)
		}
	}
	want := []bbbtest.Request{
		{Time: mock.Now(), Method: "GET", Call: "create", StatusCode: 200,
			Query: "name=Secret+meeting&meetingID=red&attendeePW=REDACTED&moderatorPW=REDACTED&checksum=REDACTED"},
		{Time: mock.Now(), Method: "GET", Call: "join", StatusCode: 200, MessageKey: "successfullyJoined",
			Query: "fullName=A&meetingID=red&password=REDACTED&redirect=false&checksum=REDACTED"},
		{Time: mock.Now(), Method: "GET", Call: "end", StatusCode: 200, MessageKey: "checksumError",
			Query: "meetingID=red&checksum=REDACTED"},
	}
	for i := range want {
		if rs[i] != want[i] {
			t.Errorf("request %d:\n got %+v\nwant %+v", i, rs[i], want[i])
		}
	}
}

func TestRequestLogSize(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithRequestLogSize(3))
	for i := range 5 {
		get(t, srv, "isMeetingRunning", q("meetingID", fmt.Sprintf("m%d", i)))
	}
	rs := srv.Requests()
	if len(rs) != 3 || rs[0].Query[:12] != "meetingID=m2" || rs[2].Query[:12] != "meetingID=m4" {
		t.Fatalf("log %+v", rs)
	}
	srv.Reset()
	if len(srv.Requests()) != 0 {
		t.Error("Reset kept the log")
	}
}
