package sipmediagwtest_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/internal/logx"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// Client.Check against the fake of every release.

// checkGateway is the launcher's gw_id the checks ask about.
const checkGateway = "gw-check-1"

// adminToken is proxy.py's administrator token: a proxy whose user token
// is the same lets the client read /admin/statuses.
const adminToken = "admin-secret-key"

// releaseOf is the release Check must report for each fake.
var releaseOf = map[sipmediagwtest.Version]string{
	sipmediagwtest.V15:             sipmediagw.ReleaseV15,
	sipmediagwtest.V16:             sipmediagw.ReleaseV16,
	sipmediagwtest.V17:             sipmediagw.ReleaseV17,
	sipmediagwtest.V18:             sipmediagw.ReleaseV184,
	sipmediagwtest.V18Head:         sipmediagw.ReleaseAfterV184,
	sipmediagwtest.V18Launcher:     sipmediagw.ReleaseV184,
	sipmediagwtest.V18HeadLauncher: sipmediagw.ReleaseAfterV184,
}

// checkServer starts a fake whose launcher (called directly) has
// checkGateway.
func checkServer(t testing.TB, v sipmediagwtest.Version, opts ...sipmediagwtest.Option) *sipmediagwtest.Server {
	t.Helper()
	return start(t, v, append([]sipmediagwtest.Option{sipmediagwtest.WithLauncherIDs(checkGateway)}, opts...)...)
}

// checkClient is a client of protocol p with token tok for srv, never
// retrying.
func checkClient(t testing.TB, srv *sipmediagwtest.Server, p sipmediagw.Protocol, tok string, opts ...sipmediagw.Option) *sipmediagw.Client {
	t.Helper()
	c, err := sipmediagw.NewClient(srv.URL, tok, append([]sipmediagw.Option{sipmediagw.WithProtocol(p),
		sipmediagw.WithInsecureHTTP(), sipmediagw.WithInsecureToken(), sipmediagw.WithHTTPClient(srv.HTTPClient()),
		sipmediagw.WithRetries(0)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tokenFor is the token a client of protocol p sends to srv: the server's,
// or one for a client that needs some when the server has none.
func tokenFor(srv *sipmediagwtest.Server, p sipmediagw.Protocol) string {
	switch {
	case p == sipmediagw.V18Launcher:
		return ""
	case srv.Token == "":
		return "portal-token-123"
	}
	return srv.Token
}

// requireUntouched fails when the check started, stopped or ran
// anything.
func requireUntouched(t *testing.T, srv *sipmediagwtest.Server, running int) {
	t.Helper()
	if srv.StartCount() != 0 || srv.StopCount() != 0 || len(srv.Running()) != running {
		t.Fatalf("the check changed the server: %d starts, %d stops, %d running", srv.StartCount(), srv.StopCount(), len(srv.Running()))
	}
	for _, r := range srv.Requests() {
		if r.Op == sipmediagwtest.OpStart || r.Op == sipmediagwtest.OpStop || r.Op == sipmediagwtest.OpChat || r.Op == sipmediagwtest.OpToggle {
			t.Fatalf("the check sent %s %s (%s)", r.Method, r.Path, r.Op)
		}
	}
}

func TestCheckHealthy(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		for _, admin := range []bool{false, true} {
			if admin && !v.IsProxy() {
				continue
			}
			name := string(v)
			if admin {
				name += "/admin-token"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				var opts []sipmediagwtest.Option
				if admin {
					opts = append(opts, sipmediagwtest.WithToken(adminToken))
				}
				srv := checkServer(t, v, opts...)
				var logs bytes.Buffer
				c := checkClient(t, srv, v.Protocol(), srv.Token,
					sipmediagw.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
				chk, err := c.Check(testCtx(t), checkGateway)
				if err != nil {
					t.Fatalf("check: %v (%+v)", err, chk)
				}
				if strings.Contains(logs.String(), "sipmediagw request") {
					t.Errorf("a healthy server's probes logged warnings:\n%s", logs.String())
				}
				free, total := -1, -1
				switch {
				case v.IsLauncher():
					free, total = 1, 1
				case admin:
					free, total = sipmediagwtest.DefaultGateways, sipmediagwtest.DefaultGateways
				}
				want := sipmediagw.ServerCheck{Configured: v.Protocol(), Detected: v.Protocol(), Release: releaseOf[v],
					TokenOK: true, Free: free, Total: total, RTT: chk.RTT}
				if *chk != want {
					t.Fatalf("got %+v\nwant %+v", *chk, want)
				}
				if chk.RTT <= 0 {
					t.Fatalf("RTT %v", chk.RTT)
				}
				requireUntouched(t, srv, 0)
			})
		}
	}
}

func TestCheckWrongToken(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		if v.IsLauncher() {
			continue // no token to refuse
		}
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := checkServer(t, v)
			c := checkClient(t, srv, v.Protocol(), "wrong-token-123")
			chk, err := c.Check(testCtx(t), "")
			if !errors.Is(err, sipmediagw.ErrUnauthorized) || errors.Is(err, sipmediagw.ErrWrongProtocol) {
				t.Fatalf("check: %v", err)
			}
			want := sipmediagw.ServerCheck{Configured: v.Protocol(), Detected: v.Protocol(), Release: releaseOf[v],
				Free: -1, Total: -1, RTT: chk.RTT}
			if *chk != want {
				t.Fatalf("got %+v\nwant %+v", *chk, want)
			}
			requireUntouched(t, srv, 0)
		})
	}
}

func TestCheckServerDown(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := checkServer(t, v)
			c := checkClient(t, srv, v.Protocol(), srv.Token)
			srv.Close()
			chk, err := c.Check(testCtx(t), checkGateway)
			var te *sipmediagw.TransportError
			if !errors.As(err, &te) {
				t.Fatalf("check: %v", err)
			}
			if chk == nil || chk.Detected != 0 || chk.TokenOK || chk.Free != -1 || chk.Total != -1 || chk.Configured != v.Protocol() {
				t.Fatalf("%+v", chk)
			}
		})
	}
}

// Every client protocol against every other kind of server: the check
// names the server's protocol and release, whatever the token, and is
// never taken for a refused token.
func TestCheckWrongProtocol(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		for _, p := range []sipmediagw.Protocol{sipmediagw.Legacy, sipmediagw.V18, sipmediagw.V18Launcher} {
			if p == v.Protocol() {
				continue
			}
			t.Run(string(v)+"/"+p.String()+"-client", func(t *testing.T) {
				t.Parallel()
				srv := checkServer(t, v)
				c := checkClient(t, srv, p, tokenFor(srv, p))
				chk, err := c.Check(testCtx(t), checkGateway)
				var pe *sipmediagw.ProtocolError
				if !errors.As(err, &pe) || !errors.Is(err, sipmediagw.ErrWrongProtocol) {
					t.Fatalf("check: %v (%+v)", err, chk)
				}
				if errors.Is(err, sipmediagw.ErrUnauthorized) {
					t.Fatalf("taken for a refused token: %v", err)
				}
				want := sipmediagw.ProtocolError{Configured: p, Detected: v.Protocol(), Release: releaseOf[v]}
				if *pe != want {
					t.Fatalf("got %+v, want %+v", *pe, want)
				}
				if chk.Configured != p || chk.Detected != v.Protocol() || chk.Release != releaseOf[v] {
					t.Fatalf("%+v", chk)
				}
				// The launcher accepts anyone; the others only their token,
				// which a launcher's client does not have.
				if wantOK := v.IsLauncher() || p != sipmediagw.V18Launcher; chk.TokenOK != wantOK {
					t.Fatalf("TokenOK %v, want %v", chk.TokenOK, wantOK)
				}
				for _, s := range []string{pe.Configured.String(), pe.Detected.String(), releaseOf[v]} {
					if !strings.Contains(err.Error(), s) {
						t.Fatalf("%q does not name %q", err, s)
					}
				}
				requireUntouched(t, srv, 0)
			})
		}
	}
}

// A busy gateway is no error: Free tells it.
func TestCheckGatewayBusy(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := checkServer(t, v, sipmediagwtest.WithToken(adminToken))
			c := checkClient(t, srv, v.Protocol(), srv.Token)
			p := startParams(v)
			p.GatewayID = checkGateway
			s, err := c.Start(testCtx(t), p)
			if err != nil {
				t.Fatal(err)
			}
			chk, err := c.Check(testCtx(t), checkGateway)
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			free, total := -1, -1
			switch {
			case v.IsLauncher():
				free, total = 0, 1
			case v.IsProxy():
				free, total = sipmediagwtest.DefaultGateways-1, sipmediagwtest.DefaultGateways
			}
			if chk.Free != free || chk.Total != total || !chk.TokenOK || chk.Detected != v.Protocol() {
				t.Fatalf("got %+v, want Free %d Total %d", chk, free, total)
			}
			if !srv.IsRunning(s.Handle()) || srv.StartCount() != 1 || srv.StopCount() != 0 {
				t.Fatalf("the check touched the stream: running %v, %d starts, %d stops",
					srv.IsRunning(s.Handle()), srv.StartCount(), srv.StopCount())
			}
		})
	}
}

func TestCheckLauncherGateway(t *testing.T) {
	t.Parallel()
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V18Launcher, sipmediagwtest.V18HeadLauncher} {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := checkServer(t, v)
			c := srv.Client()
			// A gw_id the launcher lacks cannot be started: an error, but
			// the launcher was told.
			chk, err := c.Check(testCtx(t), "gw-unknown")
			if !errors.Is(err, sipmediagw.ErrRejected) || chk.Detected != sipmediagw.V18Launcher || !chk.TokenOK ||
				chk.Release != releaseOf[v] || chk.Free != -1 {
				t.Fatalf("unknown gateway: %v %+v", err, chk)
			}
			// No gateway named: the launcher is checked, capacity unknown.
			chk, err = c.Check(testCtx(t), "")
			if err != nil || chk.Detected != sipmediagw.V18Launcher || chk.Release != releaseOf[v] || chk.Free != -1 || chk.Total != -1 {
				t.Fatalf("no gateway: %v %+v", err, chk)
			}
			// A gw_id that cannot be sent: nothing is.
			n := len(srv.Requests())
			chk, err = c.Check(testCtx(t), "a/b")
			if !errors.Is(err, sipmediagw.ErrInvalidParam) || chk == nil || len(srv.Requests()) != n {
				t.Fatalf("bad gateway: %v %+v, %d requests", err, chk, len(srv.Requests())-n)
			}
			requireUntouched(t, srv, 0)
		})
	}
}

// A server error or an HTML page where the protocol answers JSON: the
// answer is no SIPMediaGW's, and nothing of it reaches the error.
func TestCheckServerErrorAndHTML(t *testing.T) {
	t.Parallel()
	faults := map[string]sipmediagwtest.Fault{
		"HTML500":  {Kind: sipmediagwtest.HTML500},
		"HTML200":  {Kind: sipmediagwtest.Status, Code: 200, Body: "<!DOCTYPE html><html><body>Welcome</body></html>"},
		"plain503": {Kind: sipmediagwtest.Status, Code: 503, Body: "Service Unavailable", ContentType: "text/plain"},
	}
	for _, v := range sipmediagwtest.Versions {
		for name, f := range faults {
			t.Run(string(v)+"/"+name, func(t *testing.T) {
				t.Parallel()
				srv := checkServer(t, v)
				srv.Fail(sipmediagwtest.AllOps, f)
				c := checkClient(t, srv, v.Protocol(), srv.Token)
				chk, err := c.Check(testCtx(t), checkGateway)
				var re *sipmediagw.ResponseError
				if !errors.As(err, &re) || errors.Is(err, sipmediagw.ErrWrongProtocol) {
					t.Fatalf("check: %v", err)
				}
				if chk.Detected != 0 || chk.TokenOK || chk.Free != -1 {
					t.Fatalf("%+v", chk)
				}
				for _, s := range []string{"Welcome", "Traceback", "allowedToken"} {
					if strings.Contains(err.Error(), s) {
						t.Fatalf("the body reached the error: %v", err)
					}
				}
				if srv.Token != "" && strings.Contains(err.Error(), srv.Token) {
					t.Fatalf("the token reached the error: %v", err)
				}
				requireUntouched(t, srv, 0)
			})
		}
	}
}

// A reverse proxy in front of the server refusing the token, in its own
// words: the token is refused, the protocol untold.
func TestCheckTokenRefusedInFront(t *testing.T) {
	t.Parallel()
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V17, sipmediagwtest.V18} {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := checkServer(t, v)
			srv.Fail(sipmediagwtest.OpProbe, sipmediagwtest.Fault{Kind: sipmediagwtest.Status, Code: 401,
				Body: "<html><body>401 Authorization Required</body></html>"})
			c := checkClient(t, srv, v.Protocol(), "wrong-token-123")
			chk, err := c.Check(testCtx(t), "")
			if !errors.Is(err, sipmediagw.ErrUnauthorized) || chk.Detected != 0 || chk.TokenOK {
				t.Fatalf("check: %v %+v", err, chk)
			}
			requireUntouched(t, srv, 0)
		})
	}
}

// Neither the token nor a URL reaches Check's errors or logs, whatever
// the outcome: the legacy debug page prints the token, a wrong-protocol
// server gets it too.
func TestCheckKeepsSecrets(t *testing.T) {
	t.Parallel()
	const tok = "s3cr3t-portal-token-42"
	cases := []struct {
		name   string
		v      sipmediagwtest.Version
		p      sipmediagw.Protocol
		fault  *sipmediagwtest.Fault
		closed bool
	}{
		{"debug page", sipmediagwtest.V16, sipmediagw.Legacy, &sipmediagwtest.Fault{Kind: sipmediagwtest.HTML500}, false},
		{"wrong token", sipmediagwtest.V17, sipmediagw.Legacy, &sipmediagwtest.Fault{Kind: sipmediagwtest.Unauthorized}, false},
		{"proxy for a legacy client", sipmediagwtest.V18, sipmediagw.Legacy, nil, false},
		{"legacy for a proxy client", sipmediagwtest.V15, sipmediagw.V18, nil, false},
		{"healthy proxy", sipmediagwtest.V18Head, sipmediagw.V18, nil, false},
		{"server down", sipmediagwtest.V17, sipmediagw.Legacy, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := checkServer(t, tc.v, sipmediagwtest.WithToken(tok))
			if tc.fault != nil {
				srv.Fail(sipmediagwtest.AllOps, *tc.fault)
			}
			var logs logx.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c := checkClient(t, srv, tc.p, tok, sipmediagw.WithLogger(logger))
			if tc.closed {
				srv.Close()
			}
			chk, err := c.Check(testCtx(t), "")
			text := logs.String()
			if err != nil {
				text += err.Error()
			}
			for _, secret := range []string{tok, srv.URL + "/"} {
				if strings.Contains(text, secret) {
					t.Fatalf("%q shows up:\n%s", secret, text)
				}
			}
			if chk == nil {
				t.Fatal("nil check")
			}
		})
	}
}
