package webinar

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
)

// CheckTimeout bounds the check of each target in Check.
const CheckTimeout = 15 * time.Second

// checkParallelism bounds how many targets Check asks at once.
const checkParallelism = 8

// Check asks every configured BBB server and every enabled gateway
// whether it works as configured, and whether the URLs under PublicURL
// that BBB and the streaming bot call answer from this process:
//
//   - the store: it lists the gateways and the running webinars;
//   - each BBB server: reachable, its version, the secret right, the
//     checksum algorithms it accepts against the client's (bbb.Client.Check);
//   - each enabled gateway's SIPMediaGW server: reachable, the token
//     accepted, the protocol it really speaks against the configured one,
//     busy with a stream no webinar of the service owns
//     (sipmediagw.Client.Check);
//   - each enabled gateway's HLS URL: answering, and serving a playlist
//     while a webinar streams on it;
//   - the end callback and the bot's page at PublicURL: the service's
//     handler answers there, with the same callback key.
//
// It changes nothing anywhere: no meeting is created, no stream started.
// Each target is bounded by CheckTimeout (and ctx); they are asked
// concurrently. The report always holds one result per target; ctx's end
// turns the targets not yet answered into errors.
func (s *Service) Check(ctx context.Context) *HealthReport {
	began := s.clock.Now()
	var checks []func(context.Context) CheckResult
	add := func(c func(context.Context) CheckResult) { checks = append(checks, c) }

	st := s.checkStore(ctx)
	report := &HealthReport{At: began, Results: []CheckResult{st.result}}
	for _, name := range s.bbbNames() {
		add(func(ctx context.Context) CheckResult { return s.checkBBB(ctx, name) })
	}
	servers := &serverChecks{byKey: map[string]*serverCheck{}}
	for _, g := range st.gateways {
		if !g.Enabled {
			continue
		}
		add(func(ctx context.Context) CheckResult { return s.checkGateway(ctx, servers, g, st) })
		add(func(ctx context.Context) CheckResult { return s.checkHLS(ctx, g, st.streaming[g.ID]) })
	}
	add(s.checkCallback)
	add(s.checkBotPage)

	results := make([]CheckResult, len(checks))
	sem := make(chan struct{}, checkParallelism)
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			cctx, cancel := context.WithTimeout(ctx, CheckTimeout)
			defer cancel()
			results[i] = c(cctx)
		})
	}
	wg.Wait()
	report.Results = append(report.Results, results...)
	report.Took = s.clock.Since(began)
	return report
}

// bbbNames lists the BBB servers, the default ("") first, then by name.
func (s *Service) bbbNames() []string {
	names := make([]string, 0, len(s.bbb))
	for name := range s.bbb {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// timed runs f and fills the result's time and kind.
func (s *Service) timed(kind, target string, f func() (Severity, string)) CheckResult {
	began := s.clock.Now()
	sev, msg := f()
	end := s.clock.Now()
	return CheckResult{Kind: kind, Target: target, Severity: sev, Message: msg, Took: end.Sub(began), At: end}
}

// storeState is what the store check learned, which the gateway checks
// use.
type storeState struct {
	result   CheckResult
	gateways []gateway.Gateway
	// streaming are the webinars that hold, or may hold, a stream, by
	// gateway.
	streaming map[int64]Webinar
}

func (s *Service) checkStore(ctx context.Context) storeState {
	var st storeState
	st.result = s.timed(CheckStore, "store", func() (Severity, string) {
		ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
		defer cancel()
		gws, err := s.gateways.Gateways(ctx)
		if err != nil {
			return SeverityError, "the store does not list the gateways: " + err.Error()
		}
		list, err := s.store.Webinars(ctx, Query{States: []State{Starting, Live, StoppingLive, LiveStopped, Ending, Failed}})
		if err != nil {
			return SeverityError, "the store does not list the webinars: " + err.Error()
		}
		st.gateways = gws
		st.streaming = map[int64]Webinar{}
		for _, w := range list {
			if w.GatewayID != 0 && w.MayStream() {
				st.streaming[w.GatewayID] = w
			}
		}
		enabled := 0
		for _, g := range gws {
			if g.Enabled {
				enabled++
			}
		}
		msg := plural(enabled, "enabled gateway") + ", " + plural(len(st.streaming), "webinar") + " holding a stream"
		if enabled == 0 {
			return SeverityWarning, msg + ": no webinar can be booked until a gateway is enabled"
		}
		return SeverityOK, msg
	})
	return st
}

// checkClient is the client Check reaches URLs with: h's transport and
// timeout, and never a redirect followed.
func checkClient(h *http.Client) *http.Client {
	c := &http.Client{Timeout: CheckTimeout}
	if h != nil {
		*c = *h
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c
}
