package bbbtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestChecksumEveryAlgorithmAccepted(t *testing.T) {
	t.Parallel()
	srv := start(t)
	for _, alg := range bbb.Algorithms {
		t.Run(alg.String(), func(t *testing.T) {
			t.Parallel()
			signedAlg(t, srv, alg, "isMeetingRunning", q("meetingID", "m-"+alg.String())).ok(t)
		})
	}
}

func TestChecksumBBBDocumentationVector(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithSecret("639259d4-9dd8-4b25-bf01-95f9567eaf4b"))
	raw := "name=Test+Meeting&meetingID=abc123&attendeePW=111222&moderatorPW=333444" +
		"&checksum=1fcbb0c4fc1f039f73aa6d697d2db9ba7f803f17"
	r := do(t, srv, http.MethodGet, apiURL(srv, "create", raw), "", nil).ok(t)
	if r.get("meetingID") != "abc123" || r.get("attendeePW") != "111222" || r.get("moderatorPW") != "333444" {
		t.Fatalf("unexpected answer %+v", r)
	}
	m, ok := srv.Meeting("abc123")
	if !ok || m.Name != "Test Meeting" {
		t.Fatalf("meeting %+v %v", m, ok)
	}
}

func TestChecksumAnyPosition(t *testing.T) {
	t.Parallel()
	srv := start(t)
	create(t, srv, "pos")
	rest := q("meetingID", "pos")
	sum := bbb.Sign(bbb.SHA1, "getMeetingInfo", rest, srv.Secret)
	for name, raw := range map[string]string{
		"first":  "checksum=" + sum + "&" + rest,
		"last":   rest + "&checksum=" + sum,
		"middle": "meetingID=pos&checksum=" + bbb.Sign(bbb.SHA1, "getMeetingInfo", "meetingID=pos&x=1", srv.Secret) + "&x=1",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			do(t, srv, http.MethodGet, apiURL(srv, "getMeetingInfo", raw), "", nil).ok(t)
		})
	}
}

func TestChecksumRefused(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithChecksumAlgorithms(bbb.SHA256, bbb.SHA512))
	rest := q("meetingID", "refused")
	good := bbb.Sign(bbb.SHA256, "isMeetingRunning", rest, srv.Secret)
	tests := map[string]string{
		"missing":             rest,
		"empty":               rest + "&checksum=",
		"tampered query":      q("meetingID", "refuse") + "&checksum=" + good,
		"re-encoded query":    "meetingID=%72efused&checksum=" + good,
		"tampered checksum":   rest + "&checksum=" + strings.Repeat("0", 64),
		"duplicated":          rest + "&checksum=" + good + "&checksum=" + good,
		"upper-case hex":      rest + "&checksum=" + strings.ToUpper(good),
		"unknown length":      rest + "&checksum=" + good[:50],
		"unsupported sha1":    rest + "&checksum=" + bbb.Sign(bbb.SHA1, "isMeetingRunning", rest, srv.Secret),
		"unsupported sha384":  rest + "&checksum=" + bbb.Sign(bbb.SHA384, "isMeetingRunning", rest, srv.Secret),
		"other call's sum":    rest + "&checksum=" + bbb.Sign(bbb.SHA256, "getMeetingInfo", rest, srv.Secret),
		"wrong secret":        rest + "&checksum=" + bbb.Sign(bbb.SHA256, "isMeetingRunning", rest, srv.Secret+"x"),
		"checksum in the key": rest + "&Checksum=" + good,
	}
	for name, raw := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := do(t, srv, http.MethodGet, apiURL(srv, "isMeetingRunning", raw), "", nil)
			r := a.failed(t, "checksumError")
			if r.get("message") != "Checksums do not match" {
				t.Errorf("message %q", r.get("message"))
			}
		})
	}
	t.Run("supported sha512", func(t *testing.T) {
		t.Parallel()
		signedAlg(t, srv, bbb.SHA512, "isMeetingRunning", rest).ok(t)
	})
}

func TestChecksumEmptyQuery(t *testing.T) {
	t.Parallel()
	srv := start(t)
	// getMeetings has no parameter: the checksum is hash("getMeetings" + secret).
	get(t, srv, "getMeetings", "").ok(t)
	sum := bbb.Sign(bbb.SHA1, "getMeetings", "", srv.Secret)
	do(t, srv, http.MethodGet, srv.URL+"/api/getMeetings?checksum="+sum, "", nil).ok(t)
}

func TestChecksumIgnoresPOSTBody(t *testing.T) {
	t.Parallel()
	srv := start(t)
	raw := q("name", "Slides", "meetingID", "post")
	u := apiURL(srv, "create", raw+"&checksum="+bbb.Sign(bbb.SHA256, "create", raw, srv.Secret))
	body := []byte(`<modules><module name="presentation"><document url="https://example.org/a.pdf"/></module></modules>`)
	do(t, srv, http.MethodPost, u, "application/xml", body).ok(t)
	if docs := srv.Documents("post"); len(docs) != 1 || docs[0].Name != "a.pdf" {
		t.Fatalf("documents %+v", docs)
	}
}

func TestChecksumHooksCallName(t *testing.T) {
	t.Parallel()
	srv := start(t)
	raw := q("callbackURL", "https://example.org/hook")
	// Signed as "create" instead of "hooks/create": refused.
	u := apiURL(srv, "hooks/create", raw+"&checksum="+bbb.Sign(bbb.SHA1, "create", raw, srv.Secret))
	do(t, srv, http.MethodGet, u, "", nil).failed(t, "checksumError")
	signedAlg(t, srv, bbb.SHA1, "hooks/create", raw).ok(t)
}
