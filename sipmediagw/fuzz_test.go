package sipmediagw

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
)

// The secrets of the fuzzed client. Answers may echo them (the legacy
// debug page shows the token and the query, a 422 lists the request
// body): no error text may.
const (
	fuzzToken  = "TOKENMARKER"
	fuzzKey    = "KEYMARKER"
	fuzzRTMP   = "rtmp://live.example.org/live/" + fuzzKey
	fuzzDomain = "pod.example.org/meeting/42/DOMAINMARKER"
)

var fuzzMarkers = []string{fuzzToken, fuzzKey, "DOMAINMARKER"}

// fuzzOps are the operations FuzzAnswers runs, by index.
var fuzzOps = []string{"start", "stop", "toggleChat", "sendChat", "status", "probe"}

// fuzzSeed is one answer of a server.
type fuzzSeed struct {
	status      int
	contentType string
	body        string
}

// toFuzzSecrets rewrites the fixtures' secrets into the fuzzed client's.
var toFuzzSecrets = strings.NewReplacer(mockToken, fuzzToken, mockKey, fuzzKey, mockDomain, fuzzDomain, "DOMAINMARKER5f1e2d", "DOMAINMARKER")

// fuzzAnswerSeeds are the realistic answers of every server version, and
// a few odd ones.
func fuzzAnswerSeeds() []fuzzSeed {
	const js, html, text = "application/json", "text/html; charset=utf-8", "text/plain; charset=utf-8"
	seeds := []fuzzSeed{
		// Legacy launcher.
		{200, js, v15StartOK}, {200, js, v15StartBusy}, {200, js, v15StartFailed}, {200, js, v15NoRoom},
		{401, "", v15Unauth}, {200, js, v15Stopped},
		{200, js, v16StartOK}, {200, js, v16StartBusy}, {200, js, v16StartFailed}, {400, js, v16NoRoom}, {401, "", v16Unauth},
		{200, js, v16Stopped}, {200, js, v16StoppedEmpty}, {200, js, v16StoppedWarn}, {400, js, v17NothingToStop},
		{200, js, legacyChatOK}, {200, js, `{"res": "nc: getaddrinfo for host \"a1b2c3d4e5\" port 4444: Name or service not known"}`},
		{200, js, v17ProgressDown}, {200, js, v17ProgressTrans}, {200, js, v17ProgressUp}, {404, js, v17ProgressError},
		{404, html, webpyNotFound}, {500, html, webpyDebugPage}, {500, js, webpyDebugPage}, {200, html, webpyDebugPage},
		// v1.8 proxy.
		{200, js, proxyStartOK}, {200, js, proxyStartOKNumber}, {200, js, proxyStartNoID}, {503, js, proxyBusy},
		{503, js, proxyLaunchFailed}, {504, js, proxyTimeout}, {400, js, proxyMissing}, {400, js, proxyMissingGW},
		{401, js, proxyUnauthStart}, {401, js, proxyUnauth}, {200, js, proxyStopped}, {200, js, proxyStopRefused},
		{404, js, proxyNoMapping}, {404, js, proxyGWNotFound}, {404, js, proxyNoRoom}, {403, js, proxyStoppedCmd},
		{422, js, v18Invalid}, {500, text, starletteError}, {200, js, proxyStatus("started")}, {200, js, proxyStatus("stopped")},
		{404, js, `{"status": "error", "error": "Failed to get gateway status", "data": null}`},
		// v1.8 launcher.
		{200, js, launcherStartOK}, {404, js, launcherStartFailed}, {500, js, launcherStartError}, {200, js, launcherStopped},
		{404, js, launcherNothing}, {500, js, launcherStopError}, {200, js, launcherStatusUp}, {200, js, launcherStatusDown},
		{404, js, launcherNotFound}, {500, js, launcherUnknown184}, {200, js, launcherCommandOK},
		{200, js, `{"status":"error","error":{"code":"GW_START_ERROR","message":"Failed to start gateway container"}}`},
		{200, js, `{"status":"success","error":null,"data":{"gw_state":"up","transcript_progress":0.61,"gw_id":3}}`},
		// Odd answers.
		{200, "", ""}, {204, "", ""}, {200, js, "null"}, {200, js, "[]"}, {200, js, `"ok"`}, {200, js, "{"},
		{502, html, "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>"},
		{200, js, `{"status": "success", "details": {"res": "error", "type": "` + strings.Repeat("é", 150) + `"}}`},
		{400, js, `{"Error": "refused\nlevel=INFO msg=forged"}`},
		{200, js, `{"status": "success", "details": null, "res": "ok"}`},
		{200, js, `{"status":"success","data":{"gw_id":{"nested":true}}}`},
		{301, js, v16StartOK}, {429, text, "Too Many Requests"}, {101, "", ""}, {599, js, "{}"},
	}
	for i := range seeds {
		seeds[i].body = toFuzzSecrets.Replace(seeds[i].body)
	}
	return seeds
}

// fuzzSentinels are the outcomes an answer may map to.
var fuzzSentinels = []error{ErrBusy, ErrLaunchFailed, ErrUnauthorized, ErrNotRunning, ErrNotSupported, ErrRejected}

// FuzzAnswers runs an operation of a client of any protocol against a
// server giving an arbitrary answer (to every request, the cleanup's
// included). The client must not panic, must return nil or an outcome
// (a sentinel, a *ResponseError or a *TransportError), and no error text
// may hold the token, the stream key or the page's domain, whatever the
// body echoes.
func FuzzAnswers(f *testing.F) {
	for _, s := range fuzzAnswerSeeds() {
		for p := range allProtocols {
			for op := range fuzzOps {
				f.Add(s.status, s.contentType, []byte(s.body), uint8(p), uint8(op))
			}
		}
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte, protoIndex, opIndex uint8) {
		if status < 100 || status > 599 {
			status = 100 + int(uint(status)%500)
		}
		p := allProtocols[int(protoIndex)%len(allProtocols)]
		op := fuzzOps[int(opIndex)%len(fuzzOps)]

		mt := httpmock.NewMockTransport()
		mt.RegisterNoResponder(func(*http.Request) (*http.Response, error) {
			r := httpmock.NewBytesResponse(status, body)
			if contentType != "" {
				r.Header.Set("Content-Type", contentType)
			}
			return r, nil
		})
		tok := fuzzToken
		if p == V18Launcher {
			tok = ""
		}
		c, err := NewClient("https://gw.example.org", tok, WithProtocol(p), WithHTTPClient(&http.Client{Transport: mt}),
			WithRetryWait(0, 0), WithStartTimeout(10*time.Second), WithStopTimeout(10*time.Second), WithTimeout(10*time.Second),
			WithCleanupWindow(time.Nanosecond, time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		params := StartParams{Room: mockRoom, Domain: fuzzDomain, RTMPURL: fuzzRTMP}
		var s Session
		switch p {
		case Legacy:
			s = Session{Protocol: Legacy, Room: mockRoom}
		case V18:
			s = Session{Protocol: V18, GatewayID: proxyGW}
		case V18Launcher:
			params.GatewayID = mockGW
			s = Session{Protocol: V18Launcher, GatewayID: mockGW}
		}

		ctx := context.Background()
		switch op {
		case "start":
			var got Session
			got, err = c.Start(ctx, params)
			if err == nil {
				if got.Protocol != p || got.IsZero() {
					t.Fatalf("start succeeded with session %+v", got)
				}
				back, perr := ParseSession(got.Handle())
				if perr != nil || back.Handle() != got.Handle() {
					t.Fatalf("session %+v does not round-trip: %+v, %v", got, back, perr)
				}
				if p == Legacy && got.Room != mockRoom {
					t.Fatalf("legacy session for another room: %+v", got)
				}
			}
		case "stop":
			err = c.Stop(ctx, s)
			if errors.Is(err, ErrNotRunning) {
				t.Fatalf("Stop returned ErrNotRunning: %v", err)
			}
		case "toggleChat":
			err = c.ToggleChat(ctx, s)
		case "sendChat":
			err = c.SendChat(ctx, s, "It's \"live\"\n")
		case "status":
			var st Status
			st, err = c.Status(ctx, s)
			switch {
			case err != nil && st != (Status{}):
				t.Fatalf("status %+v along with error %v", st, err)
			case err == nil && st.State != StateRunning && st.State != StateStopped && st.State != StateUnknown:
				t.Fatalf("status with state %q", st.State)
			}
		case "probe":
			err = c.Probe(ctx)
		}
		if err == nil {
			return
		}

		known := false
		for _, s := range fuzzSentinels {
			known = known || errors.Is(err, s)
		}
		var re *ResponseError
		var te *TransportError
		known = known || errors.As(err, &re) || errors.As(err, &te)
		if !known || errors.Is(err, ErrInvalidParam) {
			t.Fatalf("%s: error %T is no outcome: %v", op, err, err)
		}
		msg := err.Error()
		for _, m := range fuzzMarkers {
			if strings.Contains(msg, m) {
				t.Fatalf("%s: error text holds the secret %s: %q", op, m, msg)
			}
		}
	})
}

// FuzzSanitizeChat checks what SanitizeChat promises: no quotes,
// backquotes, backslashes, dollars, control characters or invalid UTF-8,
// no spaces at the ends; idempotent; clean text left alone.
func FuzzSanitizeChat(f *testing.F) {
	for _, s := range []string{
		"", "hello", "It's \"live\"", "`id`", "$(rm -rf /)", `C:\path`, "a\x00b\x1b[31mc\x7f",
		"line1\nline2\r\n", "\t  padded  \v\f", "\u0085\u00a0\u2028\u2029\u202e", "\xff\xfe\xc3", "ab\xe2\x82",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "a\uFFFDb", "Zoë 👋 你好", strings.Repeat("é", 501), "\u3000x\u3000",
		"'\"`\\$", "’”‘∖＄",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		out := SanitizeChat(msg)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		if i := strings.IndexAny(out, "'\"`\\$"); i >= 0 {
			t.Fatalf("%q kept %q", out, out[i])
		}
		for _, r := range out {
			if unicode.IsControl(r) || r == 0x2028 || r == 0x2029 {
				t.Fatalf("%q kept the control character %U", out, r)
			}
		}
		if strings.TrimSpace(out) != out {
			t.Fatalf("%q has spaces at its ends", out)
		}
		if again := SanitizeChat(out); again != out {
			t.Fatalf("not idempotent: %q then %q", out, again)
		}
		if utf8.RuneCountInString(out) > utf8.RuneCountInString(msg) {
			t.Fatalf("%q grew into %q", msg, out)
		}
		clean := utf8.ValidString(msg) && !strings.ContainsAny(msg, "'\"`\\$\u2028\u2029") &&
			strings.TrimSpace(msg) == msg && strings.IndexFunc(msg, unicode.IsControl) < 0
		if clean && out != msg {
			t.Fatalf("clean text %q changed into %q", msg, out)
		}
	})
}
