package bbbtest_test

import (
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func seedRecordings(t *testing.T, srv *bbbtest.Server) (a, b, c string) {
	t.Helper()
	start := time.Date(2024, 1, 2, 9, 0, 0, 0, time.UTC)
	a = srv.AddRecording(bbbtest.Recording{
		MeetingID: "course-1", Name: "Lecture 1", StartTime: start, EndTime: start.Add(time.Hour), Participants: 12,
		Metadata: map[string]string{"Origin": "pod", "term": "spring"},
		Playback: []bbbtest.Playback{{Type: "presentation", URL: "https://bbb.example/playback/presentation/2.3/x", Length: 60}},
	})
	b = srv.AddRecording(bbbtest.Recording{MeetingID: "course-1", StartTime: start.Add(24 * time.Hour), State: "unpublished"})
	c = srv.AddRecording(bbbtest.Recording{RecordID: "rec-c", MeetingID: "course-2", State: "processing"})
	return a, b, c
}

func recordIDs(r *node) []string {
	var ids []string
	for _, rec := range r.child("recordings").all("recording") {
		ids = append(ids, rec.get("recordID"))
	}
	return ids
}

func TestGetRecordings(t *testing.T) {
	t.Parallel()
	srv := start(t)
	r := get(t, srv, "getRecordings", "").ok(t)
	if r.get("messageKey") != "noRecordings" || !r.has("recordings") {
		t.Fatalf("empty answer %+v", r)
	}
	a, b, c := seedRecordings(t, srv)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"default states", "", []string{a, b}},
		{"by meeting", q("meetingID", "course-1"), []string{a, b}},
		{"several meetings", q("meetingID", "course-2,course-1", "state", "any"), []string{a, b, c}},
		{"by record ID", q("recordID", b+","+c), []string{b}},
		{"by state", q("state", "processing"), []string{c}},
		{"published only", q("state", "published"), []string{a}},
		{"by metadata", q("meta_origin", "pod"), []string{a}},
		{"metadata mismatch", q("meta_origin", "moodle"), nil},
		{"page", q("offset", "1", "limit", "1"), []string{b}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := get(t, srv, "getRecordings", tt.query).ok(t)
			got := recordIDs(r)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
			if len(tt.want) == 0 && r.get("messageKey") != "noRecordings" {
				t.Errorf("messageKey %q", r.get("messageKey"))
			}
		})
	}
	r = get(t, srv, "getRecordings", q("recordID", a)).ok(t)
	rec := r.child("recordings").child("recording")
	want := map[string]string{
		"meetingID": "course-1", "internalMeetingID": a, "name": "Lecture 1", "published": "true", "state": "published",
		"startTime": "1704186000000", "endTime": "1704189600000", "participants": "12", "isBreakout": "false",
	}
	for k, v := range want {
		if got := rec.get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if rec.get("metadata", "origin") != "pod" || rec.get("playback", "format", "type") != "presentation" ||
		rec.get("playback", "format", "length") != "60" {
		t.Errorf("recording %s", get(t, srv, "getRecordings", q("recordID", a)).body)
	}
	if r := get(t, srv, "getRecordings", q("limit", "10")).ok(t); r.get("totalElements") != "2" {
		t.Errorf("totalElements %q", r.get("totalElements"))
	}
}

func TestPublishDeleteUpdateRecordings(t *testing.T) {
	t.Parallel()
	srv := start(t)
	a, b, _ := seedRecordings(t, srv)
	get(t, srv, "publishRecordings", q("publish", "true")).failed(t, "missingParamRecordID")
	get(t, srv, "publishRecordings", q("recordID", a)).failed(t, "missingParamPublish")
	get(t, srv, "publishRecordings", q("recordID", "nope", "publish", "true")).failed(t, "notFound")
	if r := get(t, srv, "publishRecordings", q("recordID", a+","+b, "publish", "false")).ok(t); r.get("published") != "false" {
		t.Errorf("published %q", r.get("published"))
	}
	if r := get(t, srv, "publishRecordings", q("recordID", b, "publish", "true")).ok(t); r.get("published") != "true" {
		t.Errorf("published %q", r.get("published"))
	}
	if r := get(t, srv, "updateRecordings", q("recordID", a, "meta_Origin", "moodle", "meta_term", "", "meta_new", "x")).ok(t); r.get("updated") != "true" {
		t.Errorf("updated %q", r.get("updated"))
	}
	if r := get(t, srv, "deleteRecordings", q("recordID", b)).ok(t); r.get("deleted") != "true" {
		t.Errorf("deleted %q", r.get("deleted"))
	}
	get(t, srv, "deleteRecordings", "").failed(t, "missingParamRecordID")

	recs := srv.Recordings()
	if recs[0].State != "unpublished" || recs[0].Published() || recs[1].State != "deleted" {
		t.Errorf("states %q %q", recs[0].State, recs[1].State)
	}
	if m := recs[0].Metadata; m["origin"] != "moodle" || m["new"] != "x" || len(m) != 2 {
		t.Errorf("metadata %v", m)
	}
	if ids := recordIDs(get(t, srv, "getRecordings", q("meetingID", "course-1")).ok(t)); len(ids) != 1 || ids[0] != a {
		t.Errorf("deleted recording listed: %v", ids)
	}
}
