package sipmediagw

import (
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client.
type Option func(*Client)

// Defaults used by NewClient. A legacy start blocks until the container is
// up (seconds, up to ~20 s; minutes when the image is pulled), a stop until
// it is gone (~10 s, up to ~30 s).
const (
	DefaultStartTimeout = 60 * time.Second
	DefaultStopTimeout  = 45 * time.Second
	DefaultTimeout      = 10 * time.Second
	DefaultRetries      = 2
	// DefaultCleanupEvery is how often the cleanup after a failed start
	// stops the room again while the server's side is unknown.
	DefaultCleanupEvery = 2 * time.Second
	DefaultUserAgent    = "bbbcast-sipmediagw/1"
	DefaultMainApp      = "streaming"
	DefaultBrowsingName = "bigbluebutton"
)

// WithProtocol selects the server's API (Legacy by default).
func WithProtocol(p Protocol) Option { return func(c *Client) { c.protocol = p } }

// WithHTTPClient sends requests through h (its transport, TLS settings,
// proxy). The client's own timeouts still apply per operation.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.httpClient = h } }

// WithStartTimeout bounds a start (60 s by default).
func WithStartTimeout(d time.Duration) Option { return func(c *Client) { c.startTimeout = d } }

// WithStopTimeout bounds each attempt of a stop (45 s by default).
func WithStopTimeout(d time.Duration) Option { return func(c *Client) { c.stopTimeout = d } }

// WithTimeout bounds each attempt of the other operations (10 s by default).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetries sets how many times stop, status and probe are retried after
// a connection error or a 5xx answer (2 by default). Start, chat and chat
// toggles are never retried: a toggle applied twice is a toggle undone.
func WithRetries(n int) Option { return func(c *Client) { c.retries = n } }

// WithRetryWait bounds the back-off between retries (500 ms to 5 s by
// default).
func WithRetryWait(min, max time.Duration) Option {
	return func(c *Client) { c.retryWaitMin, c.retryWaitMax = min, max }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithLogger makes the client log its operations (never the token, the
// RTMP stream key or the bot's page URL). Nothing is logged without it.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.logger = l } }

// WithInsecureHTTP allows a plain http:// base URL, the common
// http://host:8080 deployment of the legacy launcher. The token then
// travels in clear text; the client logs a warning once.
func WithInsecureHTTP() Option { return func(c *Client) { c.allowHTTP = true } }

// WithInsecureToken allows the default token "1234" and tokens shorter
// than 8 characters.
func WithInsecureToken() Option { return func(c *Client) { c.allowWeakToken = true } }

// WithCleanupAfterFailedStart decides whether a start that failed or timed
// out is followed by a stop, so no container is left behind (on by
// default). Without it a failed start's StartError says MayRun whenever
// the server did not refuse the start outright.
func WithCleanupAfterFailedStart(on bool) Option { return func(c *Client) { c.cleanup = on } }

// WithCleanupWindow sets how long the cleanup after a start that failed
// without a clear answer (a timeout, a dropped connection, an unreadable
// answer) goes on stopping the room, every every: a launcher may bring the
// container up well after the client gave up (an image pull makes a start
// last minutes). The window is the start timeout by default; every is
// DefaultCleanupEvery.
func WithCleanupWindow(window, every time.Duration) Option {
	return func(c *Client) { c.cleanupWindow, c.cleanupEvery = window, every }
}

// WithMainApp sets the v1.8 main_app field ("streaming" by default).
func WithMainApp(app string) Option { return func(c *Client) { c.mainApp = app } }

// WithBrowsingName sets the v1.8 browsing_name field, which selects the
// page the bot opens on the gateway host ("bigbluebutton" by default).
func WithBrowsingName(name string) Option { return func(c *Client) { c.browsingName = name } }
