package bbbtest

import (
	"log/slog"
	"net/http"
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
// sendChatMessage 3.0.
func WithVersion(v string) Option { return func(c *config) { c.version = v } }

// WithChecksumAlgorithms sets the server's supportedChecksumAlgorithms: a
// request signed with any other algorithm is refused with checksumError.
// All four are accepted by default.
func WithChecksumAlgorithms(algs ...bbb.Algorithm) Option {
	return func(c *config) { c.algorithms = append([]bbb.Algorithm(nil), algs...) }
}

// WithClientChecksum sets the algorithm of the clients made by
// Server.Client (SHA256 by default). It must be a supported algorithm.
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
// status, messageKey; never a query) and each end callback at info level.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRequestLogSize sets how many of the latest requests Requests returns
// (DefaultRequestLogSize by default; older ones are dropped).
func WithRequestLogSize(n int) Option { return func(c *config) { c.requestLogSize = n } }

// WithCallbackClient sets the HTTP client that calls end callbacks (one
// with a 10 s timeout by default), for instance a TLS test server's client.
func WithCallbackClient(h *http.Client) Option { return func(c *config) { c.callbackClient = h } }
