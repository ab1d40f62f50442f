package webinar

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/internal/httpretry"
)

// Check asks the handler, through PublicURL as the outside sees it,
// whether it answers there: GET /callback/check (signed as an end
// callback, so that a process with another callback key is found out)
// and GET /bot/check, next to the routes BBB and the bot call. The
// probe's answer echoes its nonce, so nothing else answering at
// PublicURL passes for the service.

// checkMeetingID is the meeting the callback probe is signed for; no
// webinar has it (generated meeting IDs are longer).
const checkMeetingID = "bbbcast-check"

// probeAnswer is the first line of the probe's answer, before the nonce.
const probeAnswer = "bbbcast check "

// checkProbe answers the probes of Check. The callback probe must carry
// a valid end-callback token for checkMeetingID.
func (h *handler) checkProbe(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	q := r.URL.Query()
	if strings.HasPrefix(r.URL.Path, "/callback/") {
		if h.s.callbacks == nil {
			http.Error(w, "not configured", http.StatusServiceUnavailable)
			return
		}
		cb, err := h.s.callbacks.VerifyEndCallback(q)
		if err != nil || cb.MeetingID != checkMeetingID {
			http.Error(w, http.StatusText(http.StatusForbidden), http.StatusForbidden)
			return
		}
	}
	nonce := q.Get(bbb.CallbackNonceParam)
	if len(nonce) != 32 || strings.Trim(nonce, "0123456789abcdef") != "" {
		http.Error(w, "bad nonce", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, probeAnswer+nonce+"\n")
}

// checkCallback checks that BBB's end callback reaches the service.
func (s *Service) checkCallback(ctx context.Context) CheckResult {
	return s.timed(CheckCallback, s.publicURL+"/callback/end", func() (Severity, string) {
		switch {
		case s.publicURL == "":
			return SeverityError, "Config.PublicURL is not set: BBB has nowhere to say a meeting ended"
		case s.callbacks == nil:
			return SeverityError, "Config.Callbacks is not set: the service cannot sign BBB's end callback"
		}
		nonce := randomHex(16)
		u, err := s.callbacks.EndCallbackURL(s.publicURL+"/callback/check", checkMeetingID, nonce)
		if err != nil {
			return SeverityError, "the callback URL cannot be made from PublicURL: " + err.Error()
		}
		u += "&meetingID=" + checkMeetingID // what BBB adds when it calls
		sev, msg := s.probe(ctx, u, nonce, true)
		if sev == SeverityOK {
			msg = "the service answers at PublicURL with the same callback key, " + msg
		}
		return sev, msg
	})
}

// checkBotPage checks that the bot's pages are served at PublicURL, and
// that their URL is one a bot can open.
func (s *Service) checkBotPage(ctx context.Context) CheckResult {
	return s.timed(CheckBotPage, s.publicURL+"/bot/", func() (Severity, string) {
		if s.publicURL == "" {
			return SeverityError, "Config.PublicURL is not set: the streaming bot has no page to open"
		}
		base, plain := s.publicURL, strings.HasPrefix(s.publicURL, "http://")
		front := plain && s.botTLS == BotTLSFront
		if front {
			base = "https://" + strings.TrimPrefix(base, "http://") // where the bots go
		}
		nonce := randomHex(16)
		sev, msg := s.probe(ctx, base+"/bot/check?"+bbb.CallbackNonceParam+"="+nonce, nonce, false)
		switch {
		case sev != SeverityOK && front:
			return sev, "through the TLS front (Config.BotTLS): " + msg
		case sev != SeverityOK:
			return sev, msg
		case front:
			return SeverityOK, "the bot's page answers at PublicURL over https, through the TLS front, " + msg
		case plain && s.botTLS == BotTLSNone:
			return SeverityOK, "the bot's page answers at PublicURL over plain http, which only stand-in bots open (Config.BotTLS), " + msg
		case plain:
			return SeverityWarning, "the bot's page answers at PublicURL, but over plain http: every SIPMediaGW bot release opens https://, so a real bot will not join (serve PublicURL over https, or set Config.BotTLS when a TLS front serves it)"
		}
		return SeverityOK, "the bot's page answers at PublicURL, " + msg
	})
}

// probe GETs a probe URL of the handler (signed: the callback's) and
// grades the answer.
func (s *Service) probe(ctx context.Context, u, nonce string, signed bool) (Severity, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return SeverityError, "malformed PublicURL"
	}
	resp, err := s.checkHTTP.Do(req)
	if err != nil {
		return SeverityError, "cannot reach PublicURL from this process: " + httpretry.RedactURLError(err).Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	switch code := resp.StatusCode; {
	case code == http.StatusOK && strings.TrimSpace(string(body)) == probeAnswer+nonce:
		return SeverityOK, "reached from this process"
	case code >= 300 && code < 400:
		to := "elsewhere"
		if loc, err := resp.Location(); err == nil {
			to = "to " + safeURL(loc.String())
		}
		return SeverityError, fmt.Sprintf("PublicURL redirects (HTTP %d) %s: set PublicURL to where the service answers", code, to)
	case code == http.StatusForbidden && signed:
		return SeverityError, "the service at PublicURL refuses the signed probe: it signs callbacks with another key (give every process the same Config.Callbacks)"
	case code == http.StatusNotFound:
		return SeverityError, "PublicURL answers 404 there: the service's handler is not mounted at PublicURL's path (see Service.Mount)"
	case code == http.StatusOK:
		return SeverityError, "something other than the service's handler answers at PublicURL (HTTP 200 without the probe's answer)"
	}
	return SeverityError, fmt.Sprintf("PublicURL answers HTTP %d there", resp.StatusCode)
}
