package bbbtest_test

import (
	"testing"
)

func TestHooks(t *testing.T) {
	t.Parallel()
	srv := start(t)
	get(t, srv, "hooks/create", "").failed(t, "missingParamCallbackURL")
	r := get(t, srv, "hooks/create", q("callbackURL", "https://portal.example/hooks", "eventID", "meeting-ended,user-joined")).ok(t)
	if r.get("hookID") != "1" || r.get("permanentHook") != "false" || r.get("rawData") != "false" {
		t.Fatalf("create %+v", r)
	}
	r = get(t, srv, "hooks/create", q("callbackURL", "https://portal.example/m", "meetingID", "m1", "getRaw", "true")).ok(t)
	if r.get("hookID") != "2" || r.get("rawData") != "true" {
		t.Fatalf("create %+v", r)
	}
	// bbb-webhooks keys hooks by callback URL.
	r = get(t, srv, "hooks/create", q("callbackURL", "https://portal.example/hooks", "meetingID", "m2")).ok(t)
	if r.get("hookID") != "1" || r.get("messageKey") != "duplicateWarning" {
		t.Fatalf("duplicate %+v", r)
	}

	list := func(query string) []*node {
		return get(t, srv, "hooks/list", query).ok(t).child("hooks").all("hook")
	}
	if hs := list(""); len(hs) != 2 || hs[0].get("callbackURL") != "https://portal.example/hooks" ||
		hs[0].get("eventID") != "meeting-ended,user-joined" || hs[1].get("meetingID") != "m1" {
		t.Fatalf("list %+v", hs)
	}
	if hs := list(q("meetingID", "m1")); len(hs) != 2 {
		t.Errorf("m1 sees %d hooks (global + own)", len(hs))
	}
	if hs := list(q("meetingID", "m9")); len(hs) != 1 {
		t.Errorf("m9 sees %d hooks (global only)", len(hs))
	}

	get(t, srv, "hooks/destroy", "").failed(t, "missingParamHookID")
	get(t, srv, "hooks/destroy", q("hookID", "7")).failed(t, "destroyMissingHook")
	if r := get(t, srv, "hooks/destroy", q("hookID", "1")).ok(t); r.get("removed") != "true" {
		t.Errorf("destroy %+v", r)
	}
	if hs := srv.Hooks(); len(hs) != 1 || hs[0].ID != 2 || hs[0].MeetingID != "m1" || !hs[0].RawData {
		t.Errorf("Hooks() %+v", hs)
	}
}
