package bbbtest_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// Meeting IDs: 2.4.0 and later accept anything but a comma (^[^,]+$);
// the 2.4 pre-releases before PR #12853 had an ASCII list; up to 2.3 only
// the comma was refused, with invalidFormat. The client refuses none of
// them: the server decides.
func TestMeetingIDFollowsVersion(t *testing.T) {
	t.Parallel()
	wide := []string{"réunion-été", "会议-2024", "a~b"}
	tests := []struct {
		version  string
		refuse   bool   // wide IDs refused
		commaKey string // key for "a,b"
		commaMsg string
	}{
		{"3.0.0", false, "validationError", "Meeting ID cannot contain ','"},
		{"2.7.3", false, "validationError", "Meeting ID cannot contain ','"},
		{"2.4.0", false, "validationError", "Meeting ID cannot contain ','"},
		{"2.4-beta-2", false, "validationError", "Meeting ID cannot contain ','"},
		{"2.4-beta-1", false, "validationError", "Meeting ID cannot contain ','"},
		{"2.4.0-alpha.3", true, "validationError", "Meeting ID cannot contain ','"},
		{"2.4-alpha-2", true, "validationError", "Meeting ID cannot contain ','"},
		{"2.3.0", false, "invalidFormat", "Meeting id contains invalid characters."},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(tt.version))
			c := srv.Client()
			for _, id := range wide {
				_, err := c.Create(ctx(t), &bbb.CreateParams{Name: "Réunion", MeetingID: id})
				if !tt.refuse {
					if err != nil {
						t.Fatalf("create %q: %v", id, err)
					}
					info, err := c.GetMeetingInfo(ctx(t), id)
					if err != nil || info.MeetingID != id {
						t.Fatalf("getMeetingInfo %q: %+v %v", id, info, err)
					}
					continue
				}
				var ae *bbb.APIError
				if !errors.As(err, &ae) || ae.Key != "validationError" || ae.Message != "Meeting ID cannot contain ','" {
					t.Fatalf("create %q: %v, want validationError from the server", id, err)
				}
				if _, ok := srv.Meeting(id); ok {
					t.Fatalf("%q created", id)
				}
			}
			r := get(t, srv, "create", q("name", "Comma", "meetingID", "a,b")).failed(t, tt.commaKey)
			if r.get("message") != tt.commaMsg {
				t.Errorf("message %q, want %q", r.get("message"), tt.commaMsg)
			}
		})
	}
}

func TestMeetingIDLengthInUTF16(t *testing.T) {
	t.Parallel()
	srv := start(t)
	tests := []struct {
		name, id string
		ok       bool
	}{
		{"one emoji is two units", "😀", true},
		{"256 units", strings.Repeat("😀", 128), true},
		{"258 units", strings.Repeat("😀", 129), false},
		{"one character", "é", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := get(t, srv, "create", q("name", "Len", "meetingID", tt.id))
			if tt.ok {
				a.ok(t)
				return
			}
			if r := a.failed(t, "validationError"); r.get("message") != "Meeting ID must be between 2 and 256 characters" {
				t.Errorf("message %q", r.get("message"))
			}
		})
	}
}

// Checksum algorithms: SHA-1 and SHA-256 up to 2.5.6, only the default
// checksumHash (SHA-256) in 2.5.7, all four from 2.5.8. An explicit list
// restricts what the release knows.
func TestChecksumAlgorithmsFollowVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []bbbtest.Option
		accepted []bbb.Algorithm
	}{
		{"2.4.9", []bbbtest.Option{bbbtest.WithVersion("2.4.9")}, []bbb.Algorithm{bbb.SHA1, bbb.SHA256}},
		{"2.5.6", []bbbtest.Option{bbbtest.WithVersion("2.5.6")}, []bbb.Algorithm{bbb.SHA1, bbb.SHA256}},
		{"2.5.7", []bbbtest.Option{bbbtest.WithVersion("2.5.7")}, []bbb.Algorithm{bbb.SHA256}},
		{"2.5.8", []bbbtest.Option{bbbtest.WithVersion("2.5.8")}, bbb.Algorithms},
		{"3.0.0", []bbbtest.Option{bbbtest.WithVersion("3.0.0")}, bbb.Algorithms},
		{"2.4.9 restricted", []bbbtest.Option{bbbtest.WithVersion("2.4.9"), bbbtest.WithChecksumAlgorithms(bbb.SHA256, bbb.SHA512)}, []bbb.Algorithm{bbb.SHA256}},
		{"3.0.0 restricted", []bbbtest.Option{bbbtest.WithChecksumAlgorithms(bbb.SHA512), bbbtest.WithClientChecksum(bbb.SHA512)}, []bbb.Algorithm{bbb.SHA512}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, tt.opts...)
			for _, alg := range bbb.Algorithms {
				a := signedAlg(t, srv, alg, "isMeetingRunning", q("meetingID", "alg"))
				want := false
				for _, ok := range tt.accepted {
					want = want || ok == alg
				}
				if want {
					a.ok(t)
				} else if r := a.failed(t, "checksumError"); r.get("message") != "Checksums do not match" {
					t.Errorf("%v: message %q", alg, r.get("message"))
				}
			}
		})
	}
}

func TestClientChecksumUnknownToVersionPanics(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	srv := bbbtest.NewServer(bbbtest.WithVersion("2.4.9"), bbbtest.WithClientChecksum(bbb.SHA512))
	srv.Close()
}

// POST bodies: create takes form bodies (as every RequestWithChecksum)
// and XML; insertDocument only XML.
func TestPOSTContentTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		call, contentType string
		ok                bool
	}{
		{"create", "application/x-www-form-urlencoded", true},
		{"create", "application/x-www-form-urlencoded; charset=UTF-8", true},
		{"create", "multipart/form-data; boundary=x", true},
		{"create", "text/xml", true},
		{"create", "text/plain", false},
		{"create", "", false},
		{"insertDocument", "application/xml", true},
		{"insertDocument", "application/x-www-form-urlencoded", false},
	}
	for _, version := range []string{"2.5.0", "2.7.3", "3.0.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(version))
			create(t, srv, "ct-doc")
			for _, tt := range tests {
				id := "ct-doc"
				if tt.call == "create" {
					id = "ct-" + strings.NewReplacer("/", "-", ";", "", " ", "", "=", "-").Replace(tt.contentType)
				}
				body := []byte("name=ignored&x=1")
				if strings.Contains(tt.contentType, "xml") {
					body = []byte(`<modules><module name="presentation"><document url="https://example.org/a.pdf"/></module></modules>`)
				}
				u := srv.SignedURL(tt.call, q("name", "CT", "meetingID", id))
				a := do(t, srv, http.MethodPost, u, tt.contentType, body)
				if tt.ok {
					a.ok(t)
				} else {
					a.failed(t, "unsupportedContentType")
				}
			}
			if docs := srv.Documents("ct-application-x-www-form-urlencoded"); len(docs) != 0 {
				t.Errorf("a form body gave documents %+v", docs)
			}
		})
	}
}

// getMeetings and getMeetingInfo agree about a meeting that just ended:
// both show it ended (BBB's MeetingService.getMeetings lists every meeting
// it keeps) until it is forgotten, then neither knows it.
func TestEndedMeetingConsistentAcrossCalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after time.Duration
		known bool
	}{
		{"just ended", 0, true},
		{"59s later", 59 * time.Second, true},
		{"a minute later", time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, mock := startMock(t)
			c := srv.Client()
			create(t, srv, "gone")
			mustJoin(t, srv, "gone", "Ada", "MODERATOR")
			if err := c.End(ctx(t), "gone", ""); err != nil {
				t.Fatal(err)
			}
			mock.Add(tt.after)
			info, infoErr := c.GetMeetingInfo(ctx(t), "gone")
			list, err := c.GetMeetings(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.known {
				if !errors.Is(infoErr, bbb.ErrNotFound) || len(list) != 0 {
					t.Fatalf("getMeetingInfo %v, getMeetings %+v: want both forgotten", infoErr, list)
				}
				return
			}
			if infoErr != nil || len(list) != 1 {
				t.Fatalf("getMeetingInfo %v, getMeetings %d meetings: want both to show it", infoErr, len(list))
			}
			l := list[0]
			if !info.HasBeenForciblyEnded || info.Running || !l.HasBeenForciblyEnded || l.Running ||
				!l.EndTime.Equal(info.EndTime) || info.EndTime.IsZero() {
				t.Errorf("getMeetingInfo %+v, getMeetings %+v", info, l)
			}
			if ms := srv.Meetings(); len(ms) != 1 || !ms[0].Ended {
				t.Errorf("Meetings %+v", ms)
			}
		})
	}
}
