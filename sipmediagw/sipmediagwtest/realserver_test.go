package sipmediagwtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/internal/smgwfixture"
)

// TestAnswersAsTheRealServer replays every exchange recorded against the
// real releases (../testdata/real) against a fake of the same release in
// the same state, and requires the same answer: status, content type,
// framing (chunked or Content-Length), WWW-Authenticate and Allow, and the
// body byte for byte. The debug pages of web.py, which print the
// launcher's source and paths, are compared by their exception and
// whether they show the token (the allowedToken global).
func TestAnswersAsTheRealServer(t *testing.T) {
	t.Parallel()
	all, err := smgwfixture.LoadDir("../testdata/real")
	require.NoError(t, err)
	require.NotEmpty(t, all)
	for _, name := range smgwfixture.Names(all) {
		s := all[name]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := clock.NewMock()
			srv := NewServer(Version(s.Fake), WithToken("1234"), WithClock(clk), WithUnregistered(), WithSlots(2)) // the recording host had 2 slots
			t.Cleanup(srv.Close)
			ids := gatewayNames{}
			for _, e := range s.Exchanges {
				for _, ev := range e.Before {
					replayEvent(t, srv, ev)
				}
				if why, skip := notReproduced[name+"/"+e.Name]; skip {
					t.Logf("%s: not reproduced: %s", e.Name, why)
					continue
				}
				req := e.Request
				req.Body, req.Query = ids.rename(req.Body), ids.renameQuery(req.Query)
				got := sendRecorded(t, srv, req)
				ids.learn(e, got)
				compareAnswer(t, e, ids.rename(e.Response.Body), got)
			}
		})
	}
}

// replayEvent brings the fake to the state the recording's event made.
func replayEvent(t *testing.T, srv *Server, ev smgwfixture.Event) {
	t.Helper()
	switch ev.Name {
	case smgwfixture.EventPoll:
		srv.Poll()
	case smgwfixture.EventContainerExited:
		for _, st := range srv.Running() {
			if st.Room == ev.Target || st.GatewayID == ev.Target {
				srv.Exit(st.Handle)
			}
		}
	case smgwfixture.EventDockerDown:
		srv.SetDockerDown(true)
	case smgwfixture.EventDockerUp:
		srv.SetDockerDown(false)
	case smgwfixture.EventLaunchFails:
		srv.Fail(OpStart, Fault{Kind: LaunchFailure, Times: 1})
	case smgwfixture.EventNoCapacity:
		srv.Fail(OpStart, Fault{Kind: Busy, Times: 1})
	default:
		t.Fatalf("no way to replay the event %q", ev.Name)
	}
}

func sendRecorded(t *testing.T, srv *Server, r smgwfixture.Request) smgwfixture.Response {
	t.Helper()
	var body io.Reader
	if r.Body != "" {
		body = strings.NewReader(r.Body)
	}
	req, err := http.NewRequest(r.Method, srv.URL+r.URL(), body)
	require.NoError(t, err)
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	h := map[string][]string(resp.Header.Clone())
	if len(resp.TransferEncoding) > 0 {
		h["Transfer-Encoding"] = resp.TransferEncoding
	}
	return smgwfixture.Response{Status: resp.StatusCode, Header: h, Body: string(b)}
}

// notReproduced are the recorded exchanges the fake leaves out, and why.
var notReproduced = map[string]string{
	"head/launcher-routes/get-interact": "HEAD's remote-control page for SIP callers (33 KB of HTML), no use to a streaming client",
}

// gatewayNames maps the gw_ids a real proxy gave to the fake's. The real
// proxy takes the first free gateway in Redis's SCAN order, which a random
// hash seed decides at each start of Redis; the fake takes them in the
// order they registered. Only which free gateway was taken may differ.
type gatewayNames map[string]string

// learn pairs the gw_id a real start answered with the fake's.
func (g gatewayNames) learn(e smgwfixture.Exchange, got smgwfixture.Response) {
	if e.Request.Path != "/start" {
		return
	}
	real, fake := startedID(e.Response.Body), startedID(got.Body)
	if real != "" && fake != "" && real != fake && g[real] == "" && g[fake] == "" {
		g[real], g[fake] = fake, real
	}
}

func startedID(body string) string {
	var v struct {
		Data struct {
			GwID string `json:"gw_id"`
		} `json:"data"`
	}
	_ = json.Unmarshal([]byte(body), &v)
	return v.Data.GwID
}

// rename swaps the paired gw_ids in a recorded body.
func (g gatewayNames) rename(body string) string {
	if len(g) == 0 {
		return body
	}
	var pairs []string
	for real, fake := range g {
		pairs = append(pairs, `"`+real+`"`, `"`+fake+`"`)
	}
	return strings.NewReplacer(pairs...).Replace(body)
}

// renameQuery swaps the paired gw_ids in a query's gw_id.
func (g gatewayNames) renameQuery(q string) string {
	v, err := url.ParseQuery(q)
	if err != nil || len(g) == 0 || g[v.Get("gw_id")] == "" {
		return q
	}
	v.Set("gw_id", g[v.Get("gw_id")])
	return v.Encode()
}

// pairingCode is the random code HEAD's /register answers.
var pairingCode = regexp.MustCompile(`"pairing_code": "[A-Z0-9]{5}"`)

func compareAnswer(t *testing.T, e smgwfixture.Exchange, wantBody string, got smgwfixture.Response) {
	t.Helper()
	want := e.Response
	want.Body = wantBody
	wh, gh := want.HTTPHeader(), got.HTTPHeader()
	what := e.Name + ": " + e.Request.Method + " " + e.Request.URL()
	assert.Equal(t, want.Status, got.Status, "%s: status", what)
	for _, k := range []string{"Content-Type", "Www-Authenticate", "Allow", "Transfer-Encoding"} {
		assert.Equal(t, wh.Values(k), gh.Values(k), "%s: %s", what, k)
	}
	assert.Equal(t, wh.Get("Content-Length") != "", gh.Get("Content-Length") != "", "%s: Content-Length or not", what)
	if strings.HasPrefix(want.Body, "<!DOCTYPE HTML") {
		// web.py's debug page: the exception, and the token it prints.
		assert.True(t, strings.HasPrefix(got.Body, "<!DOCTYPE HTML"), "%s: a debug page", what)
		assert.Equal(t, debugTitle(want.Body), debugTitle(got.Body), "%s: the exception", what)
		assert.Equal(t, strings.Contains(want.Body, "allowedToken"), strings.Contains(got.Body, "allowedToken"), "%s: the token shown", what)
		return
	}
	switch {
	case want.Status == http.StatusUnprocessableEntity:
		// FastAPI's validation errors: the recording ran pydantic 1.10
		// (Debian's), a deployment installs pydantic 2 with pip, whose
		// errors carry other types, messages and the input. The fake
		// answers as pydantic 2; what must agree is where the errors are.
		assert.Equal(t, validationLocs(t, want.Body), validationLocs(t, got.Body), "%s: the invalid fields", what)
	case e.Request.Path == "/admin/statuses":
		assert.JSONEq(t, want.Body, got.Body, "%s: body (in Redis's order)", what)
	default:
		want.Body = pairingCode.ReplaceAllString(want.Body, `"pairing_code": "CODE0"`)
		assert.Equal(t, want.Body, pairingCode.ReplaceAllString(got.Body, `"pairing_code": "CODE0"`), "%s: body", what)
	}
}

// validationLocs reads a 422 answer: its error word and the loc of each
// pydantic error.
func validationLocs(t *testing.T, body string) []string {
	t.Helper()
	var v struct {
		Status  string `json:"status"`
		Error   string `json:"error"`
		Message []struct {
			Loc []any `json:"loc"`
		} `json:"message"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &v), body)
	out := []string{v.Status, v.Error}
	for _, m := range v.Message {
		out = append(out, fmt.Sprint(m.Loc...))
	}
	return out
}

// debugTitle is the <title> of a web.py debug page: the exception and
// where it was raised.
func debugTitle(page string) string {
	_, rest, _ := strings.Cut(page, "<title>")
	title, _, _ := strings.Cut(rest, "</title>")
	if i := strings.Index(title, " at "); i >= 0 {
		title = title[:i]
	}
	return strings.TrimSpace(title)
}
