package sipmediagw

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/internal/logx"
)

// Shared fixtures of the transport-level tests: every test builds a client
// on an httpmock.MockTransport of its own, so tests run in parallel. The
// secrets are distinctive so a leak is easy to spot in any text.
const (
	mockBase   = "https://gw.example.org"
	mockToken  = "TOKENMARKER-7f3a9c2e"
	mockRoom   = "a1b2c3d4e5"
	mockDomain = "pod.example.org/meeting/42/DOMAINMARKER5f1e2d"
	mockKey    = "SECRETKEY"
	mockRTMP   = "rtmp://live.example.org/live/" + mockKey
	mockGW     = "gw1" // the gw_id a V18Launcher client picks
	proxyGW    = "3"   // the gw_id the v1.8 proxy answers
)

// secretMarkers must never appear in an error or a log line.
var secretMarkers = []string{mockToken, "TOKENMARKER", mockKey, mockDomain, "DOMAINMARKER"}

func assertNoSecrets(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range secretMarkers {
		assert.NotContains(t, text, s, "%s leaks a secret", what)
	}
}

var allProtocols = []Protocol{Legacy, V18, V18Launcher}

// validParams are start parameters every protocol accepts.
func validParams(p Protocol) StartParams {
	sp := StartParams{Room: mockRoom, Domain: mockDomain, RTMPURL: mockRTMP}
	if p == V18Launcher {
		sp.GatewayID = mockGW
	}
	return sp
}

// sessionFor is the session Start returns with the fixtures.
func sessionFor(p Protocol) Session {
	switch p {
	case Legacy:
		return Session{Protocol: Legacy, Room: mockRoom}
	case V18:
		return Session{Protocol: V18, GatewayID: proxyGW}
	default:
		return Session{Protocol: V18Launcher, GatewayID: mockGW}
	}
}

// call is one request the mock server got.
type call struct {
	Method string
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
}

// jsonBody decodes the request's JSON body.
func (c call) jsonBody(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(c.Body, &m), "request body %q", c.Body)
	return m
}

// mock is the fake server side of a test: routes answering in sequence
// and a record of every request.
type mock struct {
	t     *testing.T
	mt    *httpmock.MockTransport
	mu    sync.Mutex
	calls []call
	// quiet are the routes newMock answers by default, whose requests
	// all() leaves out until a test answers them with on.
	quiet map[string]bool
}

func (m *mock) record(req *http.Request) call {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
	}
	c := call{Method: req.Method, Path: req.URL.Path, Query: req.URL.Query(), Header: req.Header.Clone(), Body: body}
	m.mu.Lock()
	if !m.quiet[c.Method+" "+c.Path] {
		m.calls = append(m.calls, c)
	}
	m.mu.Unlock()
	return c
}

// byDefault answers method path like on, its requests left out of all().
func (m *mock) byDefault(method, path string, answer httpmock.Responder) {
	m.on(method, path, answer)
	m.mu.Lock()
	m.quiet[method+" "+path] = true
	m.mu.Unlock()
}

// on answers method path (no query) with answers in turn, the last one
// repeated.
func (m *mock) on(method, path string, answers ...httpmock.Responder) {
	require.NotEmpty(m.t, answers)
	m.mu.Lock()
	delete(m.quiet, method+" "+path)
	m.mu.Unlock()
	n := 0
	var mu sync.Mutex
	m.mt.RegisterResponder(method, mockBase+path, func(req *http.Request) (*http.Response, error) {
		m.record(req)
		mu.Lock()
		i := min(n, len(answers)-1)
		n++
		mu.Unlock()
		return answers[i](req)
	})
}

// all returns the requests in order.
func (m *mock) all() []call {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]call(nil), m.calls...)
}

// count counts the requests to method path.
func (m *mock) count(method, path string) int {
	n := 0
	for _, c := range m.all() {
		if c.Method == method && c.Path == path {
			n++
		}
	}
	return n
}

// only returns the single request to method path.
func (m *mock) only(method, path string) call {
	m.t.Helper()
	var found []call
	for _, c := range m.all() {
		if c.Method == method && c.Path == path {
			found = append(found, c)
		}
	}
	require.Len(m.t, found, 1, "requests to %s %s", method, path)
	return found[0]
}

// newMock returns a client of protocol p on a mock transport of its own.
// Every request without a route fails the test.
func newMock(t *testing.T, p Protocol, opts ...Option) (*Client, *mock) {
	t.Helper()
	m := &mock{t: t, mt: httpmock.NewMockTransport(), quiet: map[string]bool{}}
	m.mt.RegisterNoResponder(func(req *http.Request) (*http.Response, error) {
		c := m.record(req)
		t.Errorf("unexpected request %s %s?%s", c.Method, c.Path, c.Query.Encode())
		return nil, errors.New("no route")
	})
	tok := mockToken
	if p == V18Launcher {
		tok = "" // the launcher has no authentication
	}
	all := append([]Option{
		WithProtocol(p),
		WithHTTPClient(&http.Client{Transport: m.mt}),
		WithRetryWait(time.Millisecond, time.Millisecond),
		WithCleanupWindow(time.Nanosecond, time.Millisecond), // one cleanup stop: mocks answer at once
	}, opts...)
	c, err := NewClient(mockBase, tok, all...)
	require.NoError(t, err)
	if p == Legacy {
		// A release before v1.7 (no /progress), whose chat carries UTF-8.
		m.byDefault(http.MethodGet, "/progress", recorded(realExchange(t, "v1.6.0/start", "progress-no-room")))
	}
	if p == V18Launcher {
		// A launcher after v1.8.4, whose commands reach the bot; tests of
		// v1.8.4 answer the probe with its own recorded answer.
		m.byDefault(http.MethodGet, "/gateway/ivrConfig", recorded(realExchange(t, "head/launcher-routes", "ivrConfig-unknown")))
		// The gw_id exists on the host and streams nothing: starts go on.
		m.byDefault(http.MethodGet, "/gateway/status", recorded(realExchange(t, "v1.8.4/launcher-stop", "status-1-stopped")))
	}
	return c, m
}

// respond is a responder for a status, content type and body; extra header
// pairs follow.
func respond(status int, contentType, body string, header ...string) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(status, body)
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		for i := 0; i+1 < len(header); i += 2 {
			r.Header.Add(header[i], header[i+1])
		}
		return r, nil
	}
}

func jsonAnswer(status int, body string) httpmock.Responder {
	return respond(status, "application/json", body)
}

func htmlAnswer(status int, body string) httpmock.Responder {
	return respond(status, "text/html; charset=utf-8", body)
}

// connError is a connection failure (the server is down).
func connError() httpmock.Responder {
	return httpmock.NewErrorResponder(errors.New("dial tcp 192.0.2.10:443: connect: connection refused"))
}

// blockUntilCancelled never answers: it waits for the request's context,
// which the client's timeout or the caller cancels.
func blockUntilCancelled(req *http.Request) (*http.Response, error) {
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// debugLogger logs everything, as text, into a buffer.
func debugLogger() (*slog.Logger, *logx.Buffer) {
	lb := new(logx.Buffer)
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

// Answers of the legacy web.py launcher (Python's json.dumps spacing).
const (
	// v1.5: bare answers, errors at HTTP 200, plain-text 401.
	v15StartOK     = `{"res": "ok", "app": "streaming", "uri": "` + mockRTMP + `"}`
	v15StartBusy   = `{"res": "error", "type": "No free resources found"}`
	v15StartFailed = `{"res": "error", "type": "The gateway failed to launch"}`
	v15NoRoom      = `{"Error": "a room name must be specified"}`
	v15Unauth      = `authorization error`
	v15Stopped     = `{"res": ""}`
	// v1.6 and v1.7: the "status": "success" envelope whatever happened.
	v16StartOK       = `{"status": "success", "details": {"res": "ok", "app": "streaming", "uri": "` + mockRTMP + `"}}`
	v16StartBusy     = `{"status": "success", "details": {"res": "error", "type": "No free resources found"}}`
	v16StartFailed   = `{"status": "success", "details": {"res": "error", "type": "The gateway failed to launch"}}`
	v16NoRoom        = `{"Error": "a room name must be specified"}`
	v16Unauth        = `{"Error": "authorization error"}`
	v16Stopped       = `{"status": "success", "details": {"res": "Container gw0  Stopping => Container gw0  Stopped"}}`
	v16StoppedEmpty  = `{"status": "success", "details": {"res": ""}}`
	v16StoppedWarn   = `{"status": "success", "details": {"res": "Warning: No resource found to remove for project \"` + mockRoom + `\"."}}`
	v17NothingToStop = `{"Error": "no running container for room=` + mockRoom + `"}`
	legacyChatOK     = `{"res": "ok"}`
	v17ProgressDown  = `{"status": "success", "gw_state": "down"}`
	v17ProgressTrans = `{"status": "success", "transcript_progress": "0%"}`
	v17ProgressUp    = `{"status": "success"}`
	v17ProgressError = `{"Error": "something wrong happened"}`
	webpyNotFound    = `not found`
)

// wwwAuth is the header every 401 carries.
const wwwAuth = `Bearer error="invalid_token"`

// webpyDebugPage is the shape of web.py's debug error page (500): it shows
// the request's environment, the token and the query string included.
const webpyDebugPage = `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">
<html lang="en">
<head><title>JSONDecodeError at /start</title></head>
<body>
<h1>JSONDecodeError at /start</h1>
<h2>Expecting ',' delimiter: line 1 column 52 (char 51)</h2>
<table>
<tr><th>HTTP_AUTHORIZATION</th><td>'Bearer ` + mockToken + `'</td></tr>
<tr><th>QUERY_STRING</th><td>'domain=pod.example.org%2Fmeeting%2F42%2FDOMAINMARKER5f1e2d&amp;room=` + mockRoom + `&amp;rtmpDst=rtmp%3A%2F%2Flive.example.org%2Flive%2F` + mockKey + `'</td></tr>
<tr><th>args</th><td>['./SIPMediaGW.sh', '-r', '` + mockRoom + `', '-w', '` + mockDomain + `', '-u', '` + mockRTMP + `']</td></tr>
</table>
</body>
</html>`

// Answers of v1.8 (FastAPI). The proxy relays the launcher's start and stop
// bodies through json.dumps (Python spacing); FastAPI's own answers are
// compact.
const (
	proxyStartOK       = `{"status": "success", "error": null, "data": {"processing_state": "working", "gw_id": "` + proxyGW + `"}}`
	proxyStartOKNumber = `{"status": "success", "error": null, "data": {"processing_state": "working", "gw_id": ` + proxyGW + `}}`
	proxyStartNoID     = `{"status": "success", "error": null, "data": {"processing_state": "working"}}`
	proxyBusy          = `{"status":"error","error":{"code":503,"detail":"No available gateways"},"data":null}`
	proxyLaunchFailed  = `{"status":"error","error":{"code":503,"detail":"Faild to parse Gateway Json response"},"data":null}`
	proxyTimeout       = `{"status":"error","error":{"code":504,"detail":"Gateway timeout"},"data":null}`
	proxyMissing       = `{"status":"error","error":{"code":400,"detail":"Missing 'browsing' parameter"},"data":null}`
	proxyMissingGW     = `{"status":"error","error":{"code":400,"detail":"Missing 'gw_id' parameter"},"data":null}`
	proxyUnauthStart   = `{"error": "authorization error invalid_token "}`
	proxyUnauth        = `{"error": "authorization error"}`
	proxyStopped       = `{"status": "success", "error": null, "data": {"processing_state": "stopped"}}`
	proxyStopRefused   = `{"status": "error", "error": null, "data": {"processing_state": "working"}}`
	proxyNoMapping     = `{"status":"error","error":{"code":404,"detail":"No mapping found for gateway '` + proxyGW + `'"},"data":null}`
	proxyGWNotFound    = `{"status":"error","error":{"code":404,"detail":"Gateway '` + proxyGW + `' not found"},"data":null}`
	proxyNoRoom        = `{"status":"error","error":{"code":404,"detail":"No gateway found for room '` + mockRoom + `'"},"data":null}`
	proxyStoppedCmd    = `{"status":"error","error":{"code":403,"detail":"Gateway '` + proxyGW + `' is stopped, cannot send commands"},"data":null}`
	// 422 lists the problems, echoing the request body (stream key included).
	v18Invalid = `{"status":"error","error":"Invalid input","message":[{"type":"missing","loc":["body","gw_id"],"msg":"Field required",` +
		`"input":{"room":"` + mockRoom + `","main_app":"streaming","rtmp_dst":"` + mockRTMP + `"}}]}`
	starletteError = `Internal Server Error`

	launcherStartOK     = `{"status":"success","error":null,"data":{"processing_state":"working","gw_id":"` + mockGW + `"}}`
	launcherStartFailed = `{"status":"error","error":{"code":404,"detail":"Failed to start gateway container"},"data":null}`
	launcherStartError  = `{"status":"error","error":{"code":500,"detail":"Failed to start gateway: Expecting value: line 1 column 1 (char 0)"},"data":null}`
	launcherStopped     = `{"status":"success","error":null,"data":{"processing_state":"stopped"}}`
	launcherNothing     = `{"status":"error","error":{"code":404,"detail":"no running container for gw_id=` + mockGW + `"},"data":null}`
	launcherStopError   = `{"status":"error","error":{"code":500,"detail":"Failed to stop gateway: [Errno 2] No such file or directory: 'docker'"},"data":null}`
	launcherStatusUp    = `{"status":"success","error":null,"data":{"gw_state":"up","gw_id":"` + mockGW + `"}}`
	launcherStatusDown  = `{"status":"success","error":null,"data":{"gw_state":"down","detail":"exited"}}`
	launcherNotFound    = `{"status":"error","error":{"code":404,"detail":"Gateway not found"},"data":null}`
	// v1.8.4 checks "exited" in the container's status before checking
	// that there is one: an unknown gw_id raises a TypeError, answered 500.
	launcherUnknown184 = `{"status":"error","error":{"code":500,"detail":"argument of type 'NoneType' is not iterable"},"data":null}`
	launcherCommandOK  = `{"status":"success","error":null,"data":{"ack":true,"received":{"command":"sendChat","param1":"hello"}}}`
)

// proxyStatus is the proxy's /status answer for gateway proxyGW.
func proxyStatus(state string) string {
	return `{"status": "success", "data": {"gw_id": "` + proxyGW + `", "gw_state": "` + state +
		`", "room": "` + mockRoom + `", "media_duration": "0", "transcript_progress": "0"}}`
}

// errorText is err's text, or "" for nil.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// requireParamError checks err is a *ParamError about param.
func requireParamError(t *testing.T, err error, param string) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, ErrInvalidParam)
	var pe *ParamError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, param, pe.Param)
}

// hasAuth reports whether a request carried an Authorization header.
func hasAuth(c call) bool { return len(c.Header.Values("Authorization")) > 0 }
