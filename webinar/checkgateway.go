package webinar

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/internal/httpretry"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// serverChecks asks each SIPMediaGW server once per Check, however many
// gateways share it.
type serverChecks struct {
	mu    sync.Mutex
	byKey map[string]*serverCheck
}

type serverCheck struct {
	once sync.Once
	sc   *sipmediagw.ServerCheck
	err  error
}

func (sc *serverChecks) get(key string) *serverCheck {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	c, ok := sc.byKey[key]
	if !ok {
		c = &serverCheck{}
		sc.byKey[key] = c
	}
	return c
}

// gatewayLabel names a gateway in a report.
func gatewayLabel(g *gateway.Gateway) string {
	return fmt.Sprintf("gateway %d %q", g.ID, g.Name)
}

// checkGateway checks the SIPMediaGW server of g.
func (s *Service) checkGateway(ctx context.Context, servers *serverChecks, g gateway.Gateway, st storeState) CheckResult {
	r := s.timed(CheckSIPMediaGW, gatewayLabel(&g)+" "+safeURL(g.Server.URL), func() (Severity, string) {
		client, err := s.sip.get(g)
		if err != nil {
			return SeverityError, "the gateway's server settings are refused: " + err.Error()
		}
		// Gateways of one server share its answer; a launcher's gateways
		// differ by their gw_id.
		key := g.Server.URL + "\x00" + g.Server.Protocol.String() + "\x00" + g.Server.LauncherID + "\x00" + g.Server.Token.Reveal()
		c := servers.get(key)
		c.once.Do(func() { c.sc, c.err = client.Check(ctx, g.Server.LauncherID) })
		if c.err != nil {
			return SeverityError, gatewayProblem(&g, c.err)
		}
		return gatewayHealthy(&g, c.sc, st)
	})
	r.GatewayID = g.ID
	return r
}

// gatewayHealthy describes a server that answers as configured; a busy
// one is an error when no webinar of the service streams there.
func gatewayHealthy(g *gateway.Gateway, sc *sipmediagw.ServerCheck, st storeState) (Severity, string) {
	release := sc.Release
	if release == "" {
		release = sc.Detected.String()
	}
	msg := fmt.Sprintf("SIPMediaGW %s answers in %s", release, roundDuration(sc.RTT))
	if g.Server.Protocol != sipmediagw.V18Launcher {
		msg += ", the token is accepted"
	}
	if w, ok := st.streaming[g.ID]; ok {
		return SeverityOK, msg + fmt.Sprintf("; it streams webinar %q", w.Title)
	}
	switch {
	case sc.Free < 0:
		return SeverityOK, msg + "; it does not tell how many of its gateways are free"
	case sc.Free > 0:
		return SeverityOK, msg + fmt.Sprintf("; %d of its %s free", sc.Free, plural(sc.Total, "gateway"))
	}
	ours := 0
	for _, o := range st.gateways {
		if _, streams := st.streaming[o.ID]; streams && o.Server.URL == g.Server.URL && o.Server.LauncherID == g.Server.LauncherID {
			ours++
		}
	}
	const refused = ", so a start on this gateway would be refused (stop that stream on the server, or disable the gateway)"
	if ours == 0 {
		return SeverityError, msg + ", but it is busy with a stream no webinar of this service owns" + refused
	}
	return SeverityError, msg + fmt.Sprintf(", but none of its %s is free and only %s of this service stream there", plural(sc.Total, "gateway"), plural(ours, "webinar")) + refused
}

// gatewayProblem says what is wrong with a gateway's server and what to
// change.
func gatewayProblem(g *gateway.Gateway, err error) string {
	var pe *sipmediagw.ProtocolError
	switch {
	case errors.As(err, &pe):
		release := pe.Release
		if release == "" {
			release = pe.Detected.String()
		}
		return fmt.Sprintf("the server speaks SIPMediaGW %s but the gateway is configured for %s: set the gateway's protocol to %s",
			release, pe.Configured, pe.Detected)
	case errors.Is(err, sipmediagw.ErrUnauthorized):
		return "the server refuses the token: set the gateway's token to the server's"
	}
	var te *sipmediagw.TransportError
	if errors.As(err, &te) || errors.Is(err, context.DeadlineExceeded) {
		return "cannot reach the server: " + err.Error()
	}
	return "the server does not answer as SIPMediaGW " + g.Server.Protocol.String() + ": " + err.Error()
}

// checkHLS checks that g's HLS URL answers, and serves a playlist while
// w (when it holds a stream) is live.
func (s *Service) checkHLS(ctx context.Context, g gateway.Gateway, w Webinar) CheckResult {
	r := s.timed(CheckHLS, gatewayLabel(&g)+" "+safeURL(g.HLSURL), func() (Severity, string) {
		if g.HLSURL == "" {
			return SeverityError, "the gateway has no HLS URL: the audience has nothing to play"
		}
		code, playlist, err := s.fetchHLS(ctx, g.HLSURL)
		live := w.State == Live
		switch {
		case err != nil:
			return SeverityError, "cannot reach the HLS URL: " + err.Error()
		case code == http.StatusNotFound && live:
			return SeverityError, fmt.Sprintf("the HLS URL answers 404 while webinar %q is live: the audience gets no video (check the gateway's RTMP URL and the HLS server's path)", w.Title)
		case code == http.StatusNotFound:
			return SeverityOK, "the HLS server answers 404, as it does while nothing streams; look again during a live"
		case code >= 300:
			return SeverityError, fmt.Sprintf("the HLS URL answers HTTP %d: the audience's player cannot load it", code)
		case !playlist:
			return SeverityWarning, fmt.Sprintf("the HLS URL answers HTTP %d, but not with an HLS playlist (#EXTM3U)", code)
		}
		return SeverityOK, "the HLS URL serves a playlist"
	})
	r.GatewayID = g.ID
	return r
}

// fetchHLS GETs u and tells whether it starts as a playlist.
func (s *Service) fetchHLS(ctx context.Context, u string) (code int, playlist bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, false, errors.New("malformed URL")
	}
	resp, err := s.checkHTTP.Do(req)
	if err != nil {
		return 0, false, httpretry.RedactURLError(err)
	}
	defer resp.Body.Close()
	head := make([]byte, 7)
	n, _ := io.ReadFull(resp.Body, head)
	return resp.StatusCode, string(head[:n]) == "#EXTM3U", nil
}

// safeURL is u without user information, query or fragment, which may
// hold credentials.
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "(malformed URL)"
	}
	return p.Scheme + "://" + p.Host + p.EscapedPath()
}
