package bbb

import (
	"log/slog"
	"net/http"
	"time"
)

// Option configures a Client.
type Option func(*Client)

// Defaults used by NewClient.
const (
	DefaultTimeout   = 10 * time.Second
	DefaultRetries   = 2
	DefaultUserAgent = "bbbcast-bbb/1"
)

// WithChecksum selects the checksum algorithm (SHA256 by default). Use SHA1
// only for servers older than 2.4 or configured to accept nothing else.
func WithChecksum(a Algorithm) Option { return func(c *Client) { c.alg = a } }

// WithHTTPClient makes the client send its requests through h (its
// transport, TLS settings, proxy and cookie jar). Each attempt is still
// bounded by WithTimeout (10 s by default), or by h.Timeout when that is
// shorter.
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.httpClient = h } }

// WithTimeout bounds each attempt of each request (10 s by default),
// whatever HTTP client is given.
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithRetries sets how many times a call that is safe to repeat (a read
// such as getMeetings) is retried after a connection error or a 5xx or 429
// answer. State changes (create, end, sendChatMessage, …) are never
// retried. 0 disables retries; the default is 2.
func WithRetries(n int) Option { return func(c *Client) { c.retries = n } }

// WithRetryWait bounds the exponential back-off between retries
// (200 ms to 2 s by default). A Retry-After header is honoured within max.
func WithRetryWait(min, max time.Duration) Option {
	return func(c *Client) { c.retryWaitMin, c.retryWaitMax = min, max }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithLogger makes the client log each request (call name, status,
// duration; never the query, the checksum or the secret) at debug level and
// failures at warn level. Nothing is logged without it.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.logger = l } }

// WithInsecureHTTP allows an http:// base URL, for a server on loopback or a
// test fake. The checksum still protects integrity, but join URLs and
// passwords travel in clear text.
func WithInsecureHTTP() Option { return func(c *Client) { c.allowHTTP = true } }
