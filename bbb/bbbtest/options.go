package bbbtest

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/benbjohnson/clock"
)

// Option configures a Server.
type Option func(*config)

// Defaults of NewServer.
const (
	// DefaultVersion is the BBB release the fake reports and behaves as.
	DefaultVersion = "3.0.0"
	// DefaultMeetingExpiry is how long a meeting nobody joined lives
	// (BBB's meetingExpireIfNoUserJoinedInMinutes).
	DefaultMeetingExpiry = 5 * time.Minute
	// DefaultEmptyMeetingExpiry is how long a meeting lives once its last
	// user left (BBB's meetingExpireWhenLastUserLeftInMinutes).
	DefaultEmptyMeetingExpiry = time.Minute
	// DefaultRequestLogSize is how many requests Requests remembers.
	DefaultRequestLogSize = 10000
)

// endedRetention is how long an ended meeting stays visible to
// getMeetingInfo and join (which then answers meetingForciblyEnded).
const endedRetention = time.Minute

type config struct {
	secret         string
	clock          clock.Clock
	version        string
	algorithms     []bbb.Algorithm
	clientAlg      bbb.Algorithm
	tls            bool
	expiry         time.Duration
	emptyExpiry    time.Duration
	logger         *slog.Logger
	requestLogSize int
	callbackClient *http.Client
	addr           string // WithAddr
	publicURL      string // WithPublicURL
	recordingDelay time.Duration
	webhookBearer  bool     // WithWebhookBearer
	permanentHooks []string // WithPermanentHook
}

// WithSecret sets the shared secret (random by default; read it from
// Server.Secret).
func WithSecret(s string) Option { return func(c *config) { c.secret = s } }

// WithClock sets the clock behind creation times, expiry, callback retries
// and fault delays (the real clock by default). Tests pass clock.NewMock().
//
// Set the mock to a real date first (mock.Set): at the Unix epoch, where
// a new mock starts, every createTime is 0, which bbb.JoinParams omits, so
// join links are no longer bound to one run of a meeting and a test of
// that binding passes without testing it. A meeting re-created at the same
// mock instant also gets the same createTime: advance the mock in between.
func WithClock(clk clock.Clock) Option { return func(c *config) { c.clock = clk } }

// WithVersion sets the BBB release the server behaves as ("2.7.3", "3.0";
// DefaultVersion by default). It is reported by the <URL>/api probe and
// gates calls and behaviours: insertDocument needs 2.5, join's role
// parameter and end without password 2.6, join errors as XML 2.7,
// sendChatMessage 3.0. It also sets the meeting ID rule and the checksum
// algorithms accepted (see the package documentation); a pre-release
// suffix ("2.4-alpha-2") matters only for the meeting ID rule of 2.4.
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithChecksumAlgorithms sets the server's supportedChecksumAlgorithms: a
// request signed with any other algorithm is refused with checksumError.
// By default the server accepts what its release does out of the box (see
// WithVersion); the list given here is restricted to those too, and a
// list the release accepts none of leaves the release's own (the server
// logs a warning). Without WithClientChecksum, Server.Client then signs
// with one of the algorithms accepted.
func WithChecksumAlgorithms(algs ...bbb.Algorithm) Option {
	return func(c *config) { c.algorithms = append([]bbb.Algorithm(nil), algs...) }
}

// WithClientChecksum sets the algorithm of Server.Client and SignedURL.
// Without it (or with a value that is not one of bbb.Algorithms) they
// sign with SHA-256 when the server accepts it, else with the strongest
// algorithm it accepts. An algorithm given here that the server does not
// accept is kept, and the server logs a warning: it refuses the calls so
// signed with checksumError, as a real server would, which is how a test
// sees what a host does with a server it is misconfigured for.
func WithClientChecksum(alg bbb.Algorithm) Option { return func(c *config) { c.clientAlg = alg } }

// WithTLS serves https with httptest's self-signed certificate;
// Server.Client trusts it.
func WithTLS() Option { return func(c *config) { c.tls = true } }

// WithMeetingExpiry sets how long a meeting nobody joined lives
// (DefaultMeetingExpiry by default).
func WithMeetingExpiry(d time.Duration) Option { return func(c *config) { c.expiry = d } }

// WithEmptyMeetingExpiry sets how long a meeting lives after its last
// attendee left (DefaultEmptyMeetingExpiry by default).
func WithEmptyMeetingExpiry(d time.Duration) Option { return func(c *config) { c.emptyExpiry = d } }

// WithLogger makes the server log each API request at debug level (call,
// status, messageKey; never a query) and each end callback, recording-ready
// callback and webhook delivery at info level.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRequestLogSize sets how many of the latest requests Requests returns
// (DefaultRequestLogSize by default; older ones are dropped).
func WithRequestLogSize(n int) Option { return func(c *config) { c.requestLogSize = n } }

// WithCallbackClient sets the HTTP client that calls end callbacks and
// posts recording-ready callbacks and webhook events (one with a 10 s
// timeout by default), for instance a TLS test server's client.
func WithCallbackClient(h *http.Client) Option { return func(c *config) { c.callbackClient = h } }

// WithAddr makes the server listen on addr ("127.0.0.1:8090"; port 0
// picks a free one) instead of a random loopback port. NewServer panics
// when it cannot listen there, as httptest does. The server has no
// authentication (see ControlPath): keep it on loopback unless the network
// is trusted.
func WithAddr(addr string) Option { return func(c *config) { c.addr = addr } }

// WithPublicURL sets the scheme://host[:port] (optionally with a path
// prefix) of the URLs the server hands out instead of its own address:
// join's redirect to the HTML5 client, the errors= redirects to the
// default logout URL, and the text-track links. Use it when clients reach
// the fake through another name, a container network or a proxy.
// Server.URL and Server.Client still use the listening address. NewServer
// panics when u is not an absolute http or https URL without user, query
// or fragment.
func WithPublicURL(u string) Option { return func(c *config) { c.publicURL = u } }

// WithRecordingDelay sets how long the recording of a recorded meeting
// that ended stays "processing" before it is published, on the server's
// clock (DefaultRecordingDelay by default; a negative d counts as 0).
func WithRecordingDelay(d time.Duration) Option {
	return func(c *config) { c.recordingDelay = max(d, 0) }
}

// listenerFor listens on WithAddr's address; nil without it.
func listenerFor(cfg config) net.Listener {
	if cfg.addr == "" {
		return nil
	}
	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		panic(fmt.Sprintf("bbbtest: failed to listen on %s: %v", cfg.addr, err))
	}
	return l
}

// publicURL checks WithPublicURL's URL and returns it without trailing
// slashes.
func publicURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil ||
		p.RawQuery != "" || p.ForceQuery || p.Fragment != "" {
		panic(fmt.Sprintf("bbbtest: public URL %q: want http(s)://host[:port][/path]", u))
	}
	return strings.TrimRight(u, "/")
}

// WithWebhookBearer makes webhook deliveries authenticate as bbb-webhooks
// does with its bbb.auth2_0 setting on: an "Authorization: Bearer
// <secret>" header and no checksum parameter (bbb.VerifyWebhook accepts
// both). By default the checksum is appended to the callback URL.
func WithWebhookBearer() Option { return func(c *config) { c.webhookBearer = true } }

// WithPermanentHook registers a permanent hook on every meeting for
// callbackURL, as bbb-webhooks' permanentURLs setting does: hooks/list
// shows it with permanentHook true, Reset keeps it, and an event it
// refuses is retried every minute for ever once the retry schedule is
// spent, where another hook would be removed.
func WithPermanentHook(callbackURL string) Option {
	return func(c *config) { c.permanentHooks = append(c.permanentHooks, callbackURL) }
}
