package bbbtest_test

import (
	"bytes"
	"errors"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
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

// The checksum options agree without a panic: the client's algorithm,
// when not given, is one the server accepts; one given that the server
// refuses is kept, and its calls fail with checksumError.
func TestChecksumOptionsAgree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []bbbtest.Option
		client   bbb.Algorithm   // Server.Client's algorithm
		accepted []bbb.Algorithm // what the server accepts
		warns    bool            // the server logs what it settled
	}{
		{"defaults", nil, bbb.SHA256, bbb.Algorithms, false},
		{"sha1 only", []bbbtest.Option{bbbtest.WithChecksumAlgorithms(bbb.SHA1)}, bbb.SHA1, []bbb.Algorithm{bbb.SHA1}, false},
		{"strongest accepted", []bbbtest.Option{bbbtest.WithChecksumAlgorithms(bbb.SHA384, bbb.SHA1)}, bbb.SHA384, []bbb.Algorithm{bbb.SHA1, bbb.SHA384}, false},
		{"sha256 kept when accepted", []bbbtest.Option{bbbtest.WithChecksumAlgorithms(bbb.SHA512, bbb.SHA256)}, bbb.SHA256, []bbb.Algorithm{bbb.SHA256, bbb.SHA512}, false},
		{"2.5.7", []bbbtest.Option{bbbtest.WithVersion("2.5.7")}, bbb.SHA256, []bbb.Algorithm{bbb.SHA256}, false},
		{"2.4.9 sha1", []bbbtest.Option{bbbtest.WithVersion("2.4.9"), bbbtest.WithChecksumAlgorithms(bbb.SHA1, bbb.SHA512)}, bbb.SHA1, []bbb.Algorithm{bbb.SHA1}, false},
		{"explicit and accepted", []bbbtest.Option{bbbtest.WithChecksumAlgorithms(bbb.SHA512), bbbtest.WithClientChecksum(bbb.SHA512)}, bbb.SHA512, []bbb.Algorithm{bbb.SHA512}, false},
		{"list the release lacks", []bbbtest.Option{bbbtest.WithVersion("2.5.7"), bbbtest.WithChecksumAlgorithms(bbb.SHA1)}, bbb.SHA256, []bbb.Algorithm{bbb.SHA256}, true},
		{"invalid list", []bbbtest.Option{bbbtest.WithChecksumAlgorithms(bbb.Algorithm(9))}, bbb.SHA256, bbb.Algorithms, true},
		{"invalid client", []bbbtest.Option{bbbtest.WithChecksumAlgorithms(bbb.SHA1), bbbtest.WithClientChecksum(bbb.Algorithm(9))}, bbb.SHA1, []bbb.Algorithm{bbb.SHA1}, true},
		{"conflict", []bbbtest.Option{bbbtest.WithChecksumAlgorithms(bbb.SHA1), bbbtest.WithClientChecksum(bbb.SHA256)}, bbb.SHA256, []bbb.Algorithm{bbb.SHA1}, true},
		{"client unknown to the release", []bbbtest.Option{bbbtest.WithVersion("2.4.9"), bbbtest.WithClientChecksum(bbb.SHA512)}, bbb.SHA512, []bbb.Algorithm{bbb.SHA1, bbb.SHA256}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			opts := append([]bbbtest.Option{bbbtest.WithLogger(slog.New(slog.NewTextHandler(&logs, nil)))}, tt.opts...)
			srv := start(t, opts...)
			c := srv.Client()
			if c.Algorithm() != tt.client {
				t.Errorf("client algorithm %v, want %v", c.Algorithm(), tt.client)
			}
			_, err := c.IsMeetingRunning(ctx(t), "m1")
			if slices.Contains(tt.accepted, tt.client) {
				if err != nil {
					t.Errorf("client call: %v", err)
				}
			} else if !errors.Is(err, bbb.ErrChecksum) {
				t.Errorf("client call: %v, want checksumError", err)
			}
			for _, alg := range bbb.Algorithms {
				a := signedAlg(t, srv, alg, "isMeetingRunning", q("meetingID", "alg"))
				if slices.Contains(tt.accepted, alg) {
					a.ok(t)
				} else {
					a.failed(t, "checksumError")
				}
			}
			if warned := strings.Contains(logs.String(), "level=WARN"); warned != tt.warns {
				t.Errorf("warned %v, want %v:\n%s", warned, tt.warns, logs.String())
			}
		})
	}
}

// POST bodies: from 2.6.18, 2.7.8 and 3.0 a body's media type must be one
// its call supports (create: forms and XML; insertDocument: XML; the
// others: forms); earlier releases read any body.
func TestPOSTContentTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		call, contentType string
		supported         bool
		// uncheckedKey is the failure where no type is checked: the
		// servlet reads a form-typed body as parameters, leaving no
		// document.
		uncheckedKey string
	}{
		{"create", "application/x-www-form-urlencoded", true, ""},
		{"create", "application/x-www-form-urlencoded; charset=UTF-8", true, ""},
		{"create", "multipart/form-data; boundary=x", true, ""},
		{"create", "text/xml", true, ""},
		{"create", "text/plain", false, ""},
		{"create", "", false, ""},
		{"insertDocument", "application/xml", true, ""},
		{"insertDocument", "text/xml", false, ""},
		{"insertDocument", "application/x-www-form-urlencoded", false, "validationError"},
		{"getMeetings", "application/x-www-form-urlencoded", true, ""},
		{"getMeetings", "application/json", false, ""},
	}
	for _, v := range []struct {
		version string
		checks  bool
	}{
		{"2.5.0", false}, {"2.6.17", false}, {"2.6.18", true}, {"2.7.7", false}, {"2.7.8", true}, {"3.0.0", true},
	} {
		t.Run(v.version, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(v.version))
			create(t, srv, "ct-doc")
			for _, tt := range tests {
				id := "ct-doc"
				if tt.call == "create" {
					id = "ct-" + strings.NewReplacer("/", "-", ";", "", " ", "", "=", "-").Replace(tt.contentType)
				}
				body := []byte("name=ignored&x=1")
				if strings.Contains(tt.contentType, "xml") || tt.call == "insertDocument" {
					body = []byte(`<modules><module name="presentation"><document url="https://example.org/a.pdf"/></module></modules>`)
				}
				a := do(t, srv, http.MethodPost, srv.SignedURL(tt.call, q("name", "CT", "meetingID", id)), tt.contentType, body)
				switch {
				case tt.supported:
					a.ok(t)
				case v.checks:
					a.failed(t, "unsupportedContentType")
				case tt.uncheckedKey != "":
					a.failed(t, tt.uncheckedKey)
				default:
					a.ok(t)
				}
			}
			if docs := srv.Documents("ct-application-x-www-form-urlencoded"); len(docs) != 0 {
				t.Errorf("a form body gave documents %+v", docs)
			}
			// A join refused for its type redirects with the error; 3.0
			// answers join on GET only.
			a := do(t, srv, http.MethodPost, srv.SignedURL("join", q("fullName", "A", "meetingID", "ct-doc", "role", "VIEWER")), "text/plain", []byte("x"))
			loc := a.header.Get("Location")
			switch refused := strings.Contains(loc, "unsupportedContentType"); {
			case v.version == "3.0.0":
				if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "GET, HEAD" {
					t.Errorf("join POST: HTTP %d, Allow %q", a.status, a.header.Get("Allow"))
				}
			case a.status != http.StatusFound || refused != v.checks:
				t.Errorf("join with text/plain: HTTP %d, Location %q", a.status, loc)
			}
		})
	}
}

// A form body's parameters count after the query string's. The checksum
// covers the URL's query string; with everything in the body, 3.0 checks
// the checksum of an empty query string, earlier releases that of the
// parameters rebuilt by name.
func TestPOSTFormParameters(t *testing.T) {
	t.Parallel()
	const secret = "f0rm-s3cret"
	sign := func(call, rawQuery string) string { return bbb.Sign(bbb.SHA256, call, rawQuery, secret) }
	params := "name=Caf%C3%A9+%26+co*&meetingID=form~1"
	rebuilt := "meetingID=form%7E1&name=Caf%C3%A9+%26+co*" // names sorted, Java's URLEncoder
	tests := []struct {
		name, version string
		rawQuery      string // the URL's
		body          string
		multipart     bool
		wantName      string // "" when refused with checksumError
	}{
		{"3.0, all in the body, signed empty", "3.0.0", "", params + "&checksum=" + sign("create", ""), false, "Café & co*"},
		{"3.0, all in the body, signed rebuilt", "3.0.0", "", params + "&checksum=" + sign("create", rebuilt), false, ""},
		{"2.7, all in the body, signed rebuilt", "2.7.8", "", params + "&checksum=" + sign("create", rebuilt), false, "Café & co*"},
		{"2.5, all in the body, signed empty", "2.5.0", "", params + "&checksum=" + sign("create", ""), false, ""},
		{"query signed, name in the body", "3.0.0", "meetingID=form~1&checksum=" + sign("create", "meetingID=form~1"), "name=From+body", false, "From body"},
		{"the query's name wins", "2.5.0", "meetingID=form~1&name=Query&checksum=" + sign("create", "meetingID=form~1&name=Query"), "name=Body", false, "Query"},
		{"query signed, body not covered", "3.0.0", "meetingID=form~1&checksum=" + sign("create", "meetingID=form~1&name=X"), "name=X", false, ""},
		{"multipart fields", "3.0.0", "meetingID=form~1&checksum=" + sign("create", "meetingID=form~1"), "name=Multi+part", true, "Multi part"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(tt.version), bbbtest.WithSecret(secret))
			u := srv.URL + "/api/create"
			if tt.rawQuery != "" {
				u += "?" + tt.rawQuery
			}
			ct, body := "application/x-www-form-urlencoded", []byte(tt.body)
			if tt.multipart {
				ct, body = multipartOf(t, tt.body)
			}
			a := do(t, srv, http.MethodPost, u, ct, body)
			if tt.wantName == "" {
				a.failed(t, "checksumError")
				return
			}
			a.ok(t)
			m, ok := srv.Meeting("form~1")
			if !ok || m.Name != tt.wantName {
				t.Errorf("meeting %+v (found %v), want name %q", m, ok, tt.wantName)
			}
		})
	}
}

// multipartOf encodes the pairs of a URL-encoded form as multipart fields.
func multipartOf(t *testing.T, form string) (string, []byte) {
	t.Helper()
	vals, err := url.ParseQuery(form)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, vs := range vals {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), b.Bytes()
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
