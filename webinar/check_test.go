package webinar_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// checkNet is the network Check sees in these tests: origins
// ("https://host") served by handlers in memory, every other one
// unreachable.
type checkNet struct {
	mu    sync.Mutex
	hosts map[string]http.Handler
}

func (n *checkNet) serve(origin string, h http.Handler) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if h == nil {
		delete(n.hosts, origin)
		return
	}
	n.hosts[origin] = h
}

func (n *checkNet) RoundTrip(r *http.Request) (*http.Response, error) {
	n.mu.Lock()
	h := n.hosts[r.URL.Scheme+"://"+r.URL.Host]
	n.mu.Unlock()
	if h == nil {
		return nil, errors.New("dial tcp: connect: connection refused")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// hlsServer answers the gateways' HLS URLs: a playlist when on, else 404.
func hlsServer(on bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if !on {
			http.NotFound(w, nil)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.apple.mpegurl")
		_, _ = w.Write([]byte("#EXTM3U\n#EXT-X-VERSION:3\n"))
	})
}

// newCheckFixture is an HTTP fixture whose Check reaches PublicURL (the
// fixture's handler) and the HLS host through a checkNet.
func newCheckFixture(t *testing.T, v sipmediagwtest.Version, configure func(*webinar.Config)) (*httpFixture, *checkNet) {
	t.Helper()
	net := &checkNet{hosts: map[string]http.Handler{}}
	f := newHTTPFixtureConfig(t, v, func(c *webinar.Config) {
		c.HTTPClient = &http.Client{Transport: net}
		if configure != nil {
			configure(c)
		}
	})
	net.serve("https://portal.example.org", f.h)
	net.serve("https://live.example.org", hlsServer(false))
	return f, net
}

// changeServer changes the SIPMediaGW server settings of gateway 1.
func changeServer(t *testing.T, f *httpFixture, change func(*gateway.Server)) {
	t.Helper()
	ctx := context.Background()
	g, err := f.gateways.Gateway(ctx, 1)
	require.NoError(t, err)
	change(&g.Server)
	require.NoError(t, f.gateways.UpdateGateway(ctx, g))
}

// resultOf is the report's result of that kind.
func resultOf(t *testing.T, r *webinar.HealthReport, kind string) webinar.CheckResult {
	t.Helper()
	for _, c := range r.Results {
		if c.Kind == kind {
			return c
		}
	}
	require.Failf(t, "no result", "no %s result in\n%s", kind, r)
	return webinar.CheckResult{}
}

// fakeBBB is a fake BBB server of its own for one case; its client is
// made with opts.
func fakeBBB(t *testing.T, opts ...bbbtest.Option) *bbbtest.Server {
	t.Helper()
	srv := bbbtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func TestCheckHealthy(t *testing.T) {
	t.Parallel()
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V15, sipmediagwtest.V17, sipmediagwtest.V18, sipmediagwtest.V18Launcher} {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			f, _ := newCheckFixture(t, v, nil)
			r := f.svc.Check(context.Background())
			assert.Equal(t, webinar.SeverityOK, r.Severity(), "%s", r)
			kinds := map[string]bool{}
			for _, c := range r.Results {
				kinds[c.Kind] = true
				assert.NotEmpty(t, c.Message)
			}
			for _, k := range []string{webinar.CheckStore, webinar.CheckBBB, webinar.CheckSIPMediaGW, webinar.CheckHLS, webinar.CheckCallback, webinar.CheckBotPage} {
				assert.True(t, kinds[k], "no %s result", k)
			}
			assert.Contains(t, resultOf(t, r, webinar.CheckBBB).Message, "the secret is right")
			assert.Contains(t, resultOf(t, r, webinar.CheckCallback).Message, "same callback key")
			assert.Equal(t, int64(1), resultOf(t, r, webinar.CheckSIPMediaGW).GatewayID)
		})
	}
}

func TestCheckFailures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		v    sipmediagwtest.Version
		// configure changes the Config, arrange the world before Check.
		configure func(t *testing.T, c *webinar.Config)
		arrange   func(t *testing.T, f *httpFixture, net *checkNet)
		kind      string
		severity  webinar.Severity
		says      string
	}{
		{name: "wrong BBB secret", v: sipmediagwtest.V16,
			configure: func(t *testing.T, c *webinar.Config) {
				client, err := bbb.NewClient(c.BBB.BaseURL(), "not-the-secret", bbb.WithInsecureHTTP(), bbb.WithRetries(0))
				require.NoError(t, err)
				c.BBB = client
			},
			kind: webinar.CheckBBB, severity: webinar.SeverityError, says: "the shared secret is wrong"},
		{name: "checksum algorithm refused", v: sipmediagwtest.V16,
			configure: func(t *testing.T, c *webinar.Config) {
				c.BBB = fakeBBB(t, bbbtest.WithChecksumAlgorithms(bbb.SHA256, bbb.SHA512)).Client(bbb.WithChecksum(bbb.SHA1))
			},
			kind: webinar.CheckBBB, severity: webinar.SeverityError, says: "refuses sha1 checksums (it accepts sha256, sha512)"},
		{name: "BBB down", v: sipmediagwtest.V16,
			configure: func(t *testing.T, c *webinar.Config) {
				srv := fakeBBB(t)
				c.BBB = srv.Client(bbb.WithRetries(0))
				srv.Close()
			},
			kind: webinar.CheckBBB, severity: webinar.SeverityError, says: "cannot reach the server"},
		{name: "HTML instead of XML", v: sipmediagwtest.V16,
			configure: func(t *testing.T, c *webinar.Config) {
				srv := fakeBBB(t)
				srv.Fail(bbbtest.AllCalls, bbbtest.Fault{Status: http.StatusOK, Body: "<!DOCTYPE html><html><body>Welcome to nginx!</body></html>"})
				c.BBB = srv.Client(bbb.WithRetries(0))
			},
			kind: webinar.CheckBBB, severity: webinar.SeverityError, says: "HTML page at the API root instead of BBB's XML"},
		{name: "sha1 still accepted", v: sipmediagwtest.V16,
			configure: func(t *testing.T, c *webinar.Config) {
				c.BBB = fakeBBB(t).Client(bbb.WithChecksum(bbb.SHA1))
			},
			kind: webinar.CheckBBB, severity: webinar.SeverityWarning, says: "use sha256"},
		{name: "wrong token", v: sipmediagwtest.V16,
			arrange: func(t *testing.T, f *httpFixture, _ *checkNet) {
				changeServer(t, f, func(s *gateway.Server) { s.Token = gateway.NewSecret("not-the-token") })
			},
			kind: webinar.CheckSIPMediaGW, severity: webinar.SeverityError, says: "refuses the token"},
		{name: "wrong token, v1.8 proxy", v: sipmediagwtest.V18,
			arrange: func(t *testing.T, f *httpFixture, _ *checkNet) {
				changeServer(t, f, func(s *gateway.Server) { s.Token = gateway.NewSecret("not-the-token") })
			},
			kind: webinar.CheckSIPMediaGW, severity: webinar.SeverityError, says: "refuses the token"},
		{name: "legacy configured, v1.8 proxy answers", v: sipmediagwtest.V18,
			arrange: func(t *testing.T, f *httpFixture, _ *checkNet) {
				changeServer(t, f, func(s *gateway.Server) { s.Protocol = sipmediagw.Legacy })
			},
			kind: webinar.CheckSIPMediaGW, severity: webinar.SeverityError, says: "set the gateway's protocol to v1.8"},
		{name: "v1.8 configured, legacy answers", v: sipmediagwtest.V17,
			arrange: func(t *testing.T, f *httpFixture, _ *checkNet) {
				changeServer(t, f, func(s *gateway.Server) { s.Protocol = sipmediagw.V18 })
			},
			kind: webinar.CheckSIPMediaGW, severity: webinar.SeverityError, says: "set the gateway's protocol to legacy"},
		{name: "SIPMediaGW down", v: sipmediagwtest.V16,
			arrange: func(_ *testing.T, f *httpFixture, _ *checkNet) { f.gw.Close() },
			kind:    webinar.CheckSIPMediaGW, severity: webinar.SeverityError, says: "cannot reach the server"},
		{name: "gateway busy with a stream nobody owns", v: sipmediagwtest.V18Launcher,
			arrange: func(t *testing.T, f *httpFixture, _ *checkNet) {
				client, err := sipmediagw.NewClient(f.gw.URL, f.gw.Token, sipmediagw.WithProtocol(sipmediagw.V18Launcher), sipmediagw.WithInsecureHTTP(), sipmediagw.WithInsecureToken())
				require.NoError(t, err)
				_, err = client.Start(context.Background(), sipmediagw.StartParams{Room: "bot/someone-else", GatewayID: "1", RTMPURL: "rtmp://live.example.org/live/OTHER"})
				require.NoError(t, err)
			},
			kind: webinar.CheckSIPMediaGW, severity: webinar.SeverityError, says: "it is busy"},
		{name: "HLS 404 while live", v: sipmediagwtest.V16,
			arrange: func(t *testing.T, f *httpFixture, _ *checkNet) { f.liveWebinar(t) },
			kind:    webinar.CheckHLS, severity: webinar.SeverityError, says: "answers 404 while webinar"},
		{name: "HLS host unreachable", v: sipmediagwtest.V16,
			arrange: func(_ *testing.T, _ *httpFixture, net *checkNet) { net.serve("https://live.example.org", nil) },
			kind:    webinar.CheckHLS, severity: webinar.SeverityError, says: "cannot reach the HLS URL"},
		{name: "callback unreachable", v: sipmediagwtest.V16,
			arrange: func(_ *testing.T, _ *httpFixture, net *checkNet) { net.serve("https://portal.example.org", nil) },
			kind:    webinar.CheckCallback, severity: webinar.SeverityError, says: "cannot reach PublicURL from this process"},
		{name: "bot page unreachable", v: sipmediagwtest.V16,
			arrange: func(_ *testing.T, _ *httpFixture, net *checkNet) { net.serve("https://portal.example.org", nil) },
			kind:    webinar.CheckBotPage, severity: webinar.SeverityError, says: "cannot reach PublicURL from this process"},
		{name: "handler not mounted at PublicURL", v: sipmediagwtest.V16,
			arrange: func(_ *testing.T, _ *httpFixture, net *checkNet) {
				net.serve("https://portal.example.org", http.NotFoundHandler())
			},
			kind: webinar.CheckCallback, severity: webinar.SeverityError, says: "not mounted at PublicURL's path"},
		{name: "another callback key at PublicURL", v: sipmediagwtest.V16,
			arrange: func(t *testing.T, _ *httpFixture, net *checkNet) {
				other := newHTTPFixtureConfig(t, sipmediagwtest.V16, func(c *webinar.Config) {
					signer, err := bbb.NewCallbackSigner([]byte("another key, another process...."))
					require.NoError(t, err)
					c.Callbacks = signer
				})
				net.serve("https://portal.example.org", other.h)
			},
			kind: webinar.CheckCallback, severity: webinar.SeverityError, says: "signs callbacks with another key"},
		{name: "a redirect at PublicURL", v: sipmediagwtest.V16,
			arrange: func(_ *testing.T, _ *httpFixture, net *checkNet) {
				net.serve("https://portal.example.org", http.RedirectHandler("https://sso.example.org/login?service=x", http.StatusFound))
			},
			kind: webinar.CheckBotPage, severity: webinar.SeverityError, says: "redirects (HTTP 302) to https://sso.example.org/login"},
		{name: "no gateway enabled", v: sipmediagwtest.V16,
			arrange: func(t *testing.T, f *httpFixture, _ *checkNet) {
				g, err := f.gateways.Gateway(context.Background(), 1)
				require.NoError(t, err)
				g.Enabled = false
				require.NoError(t, f.gateways.UpdateGateway(context.Background(), g))
			},
			kind: webinar.CheckStore, severity: webinar.SeverityWarning, says: "no webinar can be booked until a gateway is enabled"},
		{name: "plain http PublicURL", v: sipmediagwtest.V16,
			configure: func(_ *testing.T, c *webinar.Config) { c.PublicURL = "http://portal.example.org/webinar" },
			arrange: func(t *testing.T, f *httpFixture, net *checkNet) {
				net.serve("http://portal.example.org", f.h)
			},
			kind: webinar.CheckBotPage, severity: webinar.SeverityWarning, says: "every SIPMediaGW bot release opens https://, so a real bot will not join"},
		{name: "TLS front declared, not there", v: sipmediagwtest.V16,
			configure: func(_ *testing.T, c *webinar.Config) {
				c.PublicURL, c.BotTLS = "http://portal.example.org/webinar", webinar.BotTLSFront
			},
			arrange: func(t *testing.T, f *httpFixture, net *checkNet) {
				net.serve("http://portal.example.org", f.h)
				net.serve("https://portal.example.org", nil)
			},
			kind: webinar.CheckBotPage, severity: webinar.SeverityError, says: "through the TLS front (Config.BotTLS): cannot reach PublicURL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, net := newCheckFixture(t, tc.v, func(c *webinar.Config) {
				if tc.configure != nil {
					tc.configure(t, c)
				}
			})
			if tc.arrange != nil {
				tc.arrange(t, f, net)
			}
			r := f.svc.Check(context.Background())
			got := resultOf(t, r, tc.kind)
			assert.Equal(t, tc.severity, got.Severity, "%s", r)
			assert.Contains(t, got.Message, tc.says)
			assert.Equal(t, tc.severity, r.Severity(), "the report's worst: %s", r)
			if f.gw.Token != "" {
				assert.NotContains(t, r.String(), f.gw.Token, "the gateway's token leaked")
			}
			assert.NotContains(t, r.String(), "KEY", "the RTMP stream key leaked")
			assert.NotContains(t, r.String(), "bbbcast_token", "a callback token leaked")
		})
	}
}

func TestCheckBusyGatewayStreamingOurWebinarIsHealthy(t *testing.T) {
	t.Parallel()
	f, net := newCheckFixture(t, sipmediagwtest.V18Launcher, nil)
	net.serve("https://live.example.org", hlsServer(true))
	w := f.liveWebinar(t)
	r := f.svc.Check(context.Background())
	assert.Equal(t, webinar.SeverityOK, r.Severity(), "%s", r)
	assert.Contains(t, resultOf(t, r, webinar.CheckSIPMediaGW).Message, "it streams webinar \""+w.Title+"\"")
	assert.Equal(t, "the HLS URL serves a playlist", resultOf(t, r, webinar.CheckHLS).Message)
}

func TestCheckReportRenderings(t *testing.T) {
	t.Parallel()
	f, net := newCheckFixture(t, sipmediagwtest.V16, nil)
	net.serve("https://portal.example.org", nil)
	r := f.svc.Check(context.Background())

	var doc struct {
		Status  string `json:"status"`
		Summary string `json:"summary"`
		Results []struct {
			Kind, Target, Status, Message string
			TookMS                        *float64 `json:"took_ms"`
		} `json:"results"`
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, "error", doc.Status)
	assert.Equal(t, "2 errors, 0 warnings in 6 checks", doc.Summary)
	require.Len(t, doc.Results, len(r.Results))
	for i, c := range doc.Results {
		assert.Equal(t, r.Results[i].Kind, c.Kind)
		assert.Equal(t, string(r.Results[i].Severity), c.Status)
		assert.NotNil(t, c.TookMS)
	}

	text := r.String()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	require.Len(t, lines, 1+len(r.Results))
	assert.Contains(t, lines[0], "2 errors, 0 warnings in 6 checks")
	assert.Contains(t, text, "ERROR")
	assert.Contains(t, text, "OK")
}

// TestCheckPlainHTTPBots: an http PublicURL passes when a TLS front
// serves it over https too, or when only stand-in bots open it.
func TestCheckPlainHTTPBots(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		botTLS webinar.BotTLS
		says   string
	}{
		{webinar.BotTLSFront, "over https, through the TLS front"},
		{webinar.BotTLSNone, "only stand-in bots open"},
	} {
		t.Run(tc.botTLS.String(), func(t *testing.T) {
			t.Parallel()
			f, net := newCheckFixture(t, sipmediagwtest.V16, func(c *webinar.Config) {
				c.PublicURL, c.BotTLS = "http://portal.example.org/webinar", tc.botTLS
			})
			net.serve("http://portal.example.org", f.h)
			r := f.svc.Check(context.Background())
			assert.Equal(t, webinar.SeverityOK, r.Severity(), "%s", r)
			assert.Contains(t, resultOf(t, r, webinar.CheckBotPage).Message, tc.says)
		})
	}
}

func TestNewServiceWarnsOfPlainHTTP(t *testing.T) {
	t.Parallel()
	cases := []struct {
		publicURL string
		botTLS    webinar.BotTLS
		warns     bool
	}{
		{"http://portal.example.org/webinar", webinar.BotTLSRequired, true},
		{"http://portal.example.org/webinar", webinar.BotTLSFront, false},
		{"http://portal.example.org/webinar", webinar.BotTLSNone, false},
		{"https://portal.example.org/webinar", webinar.BotTLSRequired, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s %s", tc.publicURL, tc.botTLS), func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			newLiveFixtureConfig(t, sipmediagwtest.V16, webinar.RelaySIPMediaGW, func(c *webinar.Config) {
				c.PublicURL, c.BotTLS = tc.publicURL, tc.botTLS
				c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			})
			assert.Equal(t, tc.warns, strings.Contains(logs.String(), "a real bot will not join"), logs.String())
		})
	}
}

func TestNewServiceRefusesUnknownBotTLS(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 0)
	_, err := webinar.NewService(webinar.Config{Store: f.store, Gateways: f.gateways, BotTLS: webinar.BotTLSNone + 1})
	require.ErrorContains(t, err, "BotTLS")
}
