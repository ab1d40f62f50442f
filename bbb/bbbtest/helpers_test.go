package bbbtest_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/benbjohnson/clock"
)

// start returns a server closed at the end of the test.
func start(t testing.TB, opts ...bbbtest.Option) *bbbtest.Server {
	t.Helper()
	srv := bbbtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// startMock returns a server on a mock clock set to a realistic date, so
// createTime is not 0.
func startMock(t testing.TB, opts ...bbbtest.Option) (*bbbtest.Server, *clock.Mock) {
	t.Helper()
	mock := clock.NewMock()
	mock.Set(time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC))
	return start(t, append([]bbbtest.Option{bbbtest.WithClock(mock)}, opts...)...), mock
}

func ctx(t testing.TB) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// answer is an HTTP answer of the fake.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request to a full URL without following redirects; headers
// are name, value pairs.
func do(t testing.TB, srv *bbbtest.Server, method, rawURL, contentType string, body []byte, headers ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx(t), method, rawURL, rd)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

// apiURL is an unsigned API URL with a raw query.
func apiURL(srv *bbbtest.Server, call, rawQuery string) string {
	return srv.URL + "/api/" + call + "?" + rawQuery
}

// signed sends GET call?rawQuery&checksum= signed with alg.
func signedAlg(t testing.TB, srv *bbbtest.Server, alg bbb.Algorithm, call, rawQuery string) answer {
	t.Helper()
	sum := bbb.Sign(alg, call, rawQuery, srv.Secret)
	q := "checksum=" + sum
	if rawQuery != "" {
		q = rawQuery + "&" + q
	}
	return do(t, srv, http.MethodGet, apiURL(srv, call, q), "", nil)
}

// get sends a GET signed with SHA-256.
func get(t testing.TB, srv *bbbtest.Server, call, rawQuery string) answer {
	t.Helper()
	return signedAlg(t, srv, bbb.SHA256, call, rawQuery)
}

// node is a parsed XML element.
type node struct {
	name     string
	text     string
	children []*node
}

func (n *node) child(name string) *node {
	if n == nil {
		return nil
	}
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

func (n *node) all(name string) []*node {
	if n == nil {
		return nil
	}
	var out []*node
	for _, c := range n.children {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// get follows a path of child names and returns the text found, "" if
// missing.
func (n *node) get(path ...string) string {
	for _, p := range path {
		n = n.child(p)
	}
	if n == nil {
		return ""
	}
	return n.text
}

func (n *node) has(path ...string) bool {
	for _, p := range path {
		n = n.child(p)
	}
	return n != nil
}

func parseXML(t testing.TB, b []byte) *node {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("invalid XML %q: %v", b, err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if root == nil {
		t.Fatalf("no XML root in %q", b)
	}
	return root
}

// xmlOf checks a BBB XML answer (HTTP 200, text/xml) and parses it.
func (a answer) xml(t testing.TB) *node {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("HTTP %d, want 200: %s", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != "text/xml;charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	root := parseXML(t, a.body)
	if root.name != "response" {
		t.Fatalf("root <%s>", root.name)
	}
	return root
}

// ok checks a SUCCESS answer.
func (a answer) ok(t testing.TB) *node {
	t.Helper()
	r := a.xml(t)
	if rc := r.get("returncode"); rc != "SUCCESS" {
		t.Fatalf("returncode %s (%s: %s), want SUCCESS", rc, r.get("messageKey"), r.get("message"))
	}
	return r
}

// failed checks a FAILED answer with messageKey key.
func (a answer) failed(t testing.TB, key string) *node {
	t.Helper()
	r := a.xml(t)
	if rc := r.get("returncode"); rc != "FAILED" {
		t.Fatalf("returncode %s, want FAILED %s; body %s", rc, key, a.body)
	}
	if got := r.get("messageKey"); got != key {
		t.Fatalf("messageKey %q, want %q (%s)", got, key, r.get("message"))
	}
	if r.get("message") == "" {
		t.Fatalf("FAILED %s without a message", key)
	}
	return r
}

// q builds a strictly escaped query string in the given order.
func q(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(pairs[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(pairs[i+1]))
	}
	return b.String()
}

// create creates a meeting and returns the answer.
func create(t testing.TB, srv *bbbtest.Server, id string, extra ...string) *node {
	t.Helper()
	return get(t, srv, "create", q(append([]string{"name", "Meeting " + id, "meetingID", id}, extra...)...)).ok(t)
}

func running(t testing.TB, srv *bbbtest.Server, id string) bool {
	t.Helper()
	return get(t, srv, "isMeetingRunning", q("meetingID", id)).ok(t).get("running") == "true"
}

func mustJoin(t testing.TB, srv *bbbtest.Server, id, name, role string) string {
	t.Helper()
	uid, err := srv.UserJoins(id, name, role)
	if err != nil {
		t.Fatal(err)
	}
	return uid
}
