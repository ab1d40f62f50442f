package sipmediagw

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/internal/ctxguard"
	"github.com/bbbcast/bbbcast/internal/httpretry"
	"github.com/bbbcast/bbbcast/internal/logx"
	"github.com/bbbcast/bbbcast/secret"
	"github.com/hashicorp/go-retryablehttp"
)

// Client drives one SIPMediaGW server (legacy launcher, v1.8 proxy or v1.8
// launcher). It is safe for concurrent use.
type Client struct {
	base     string // scheme://host[:port][/path], no trailing slash
	token    secret.Value
	protocol Protocol

	httpClient     *http.Client
	startTimeout   time.Duration
	stopTimeout    time.Duration
	timeout        time.Duration
	retries        int
	retryWaitMin   time.Duration
	retryWaitMax   time.Duration
	userAgent      string
	logger         *slog.Logger
	allowHTTP      bool
	allowWeakToken bool
	cleanup        bool
	cleanupWindow  time.Duration
	cleanupEvery   time.Duration
	mainApp        string
	browsingName   string

	rc [numClasses]*retryablehttp.Client

	release *launcherRelease // what a v1.8 launcher does with commands
}

// timeoutClass selects the timeout of an operation.
type timeoutClass uint8

const (
	classOther timeoutClass = iota
	classStart
	classStop
	numClasses
)

// NewClient returns a client for the server at baseURL (for example
// "https://gw1.example.org" or, with WithInsecureHTTP, the legacy
// launcher's usual "http://gw1.example.org:8080"). token is the server's
// bearer token; the v1.8 launcher, which has no authentication, takes "".
func NewClient(baseURL, tok string, opts ...Option) (*Client, error) {
	c := &Client{
		token:        secret.New(tok),
		protocol:     Legacy,
		release:      new(launcherRelease),
		startTimeout: DefaultStartTimeout,
		stopTimeout:  DefaultStopTimeout,
		timeout:      DefaultTimeout,
		retries:      DefaultRetries,
		retryWaitMin: 500 * time.Millisecond,
		retryWaitMax: 5 * time.Second,
		userAgent:    DefaultUserAgent,
		cleanup:      true,
		mainApp:      DefaultMainApp,
		browsingName: DefaultBrowsingName,
	}
	for _, o := range opts {
		o(c)
	}
	if c.cleanupWindow <= 0 {
		c.cleanupWindow = c.startTimeout
	}
	if c.cleanupEvery <= 0 {
		c.cleanupEvery = DefaultCleanupEvery
	}
	c.logger = logx.OrDiscard(c.logger)
	if c.protocol < Legacy || c.protocol > V18Launcher {
		return nil, fmt.Errorf("sipmediagw: invalid protocol %s", c.protocol)
	}
	base, err := httpretry.BaseURL(baseURL, c.allowHTTP, ErrInvalidBaseURL, ErrInsecureURL)
	if err != nil {
		return nil, err
	}
	c.base = base
	if err := checkToken(c.protocol, tok, c.allowWeakToken); err != nil {
		return nil, err
	}
	if strings.HasPrefix(base, "http:") {
		c.logger.Warn("sipmediagw: plain HTTP: the token and stream keys travel unencrypted",
			slog.String("server", base), slog.String("protocol", c.protocol.String()))
	}
	hc := c.httpClient
	if hc == nil {
		hc = &http.Client{}
	}
	for class, d := range [numClasses]time.Duration{classOther: c.timeout, classStart: c.startTimeout, classStop: c.stopTimeout} {
		cp := *hc
		cp.Timeout = d
		// These APIs never redirect; following one would resend the
		// token and the stream key, maybe over plain HTTP.
		cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		retries := c.retries
		if timeoutClass(class) == classStart {
			retries = 0
		}
		c.rc[class] = httpretry.New(httpretry.Config{HTTPClient: &cp, Retries: retries, WaitMin: c.retryWaitMin, WaitMax: c.retryWaitMax})
	}
	return c, nil
}

// Protocol returns the protocol the client speaks.
func (c *Client) Protocol() Protocol { return c.protocol }

// String describes the client without its token.
func (c *Client) String() string {
	return fmt.Sprintf("sipmediagw.Client{%s %s}", c.base, c.protocol)
}

// Format prints the client as String does whatever the verb, so that no
// verb (%#v, %+v, %t, …) can reach the token. It has a value receiver to
// cover a dereferenced Client too.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue describes the client for log/slog without its token.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("server", c.base), slog.String("protocol", c.protocol.String()))
}

// request is one HTTP exchange of an operation.
type request struct {
	op         string
	method     string
	path       string
	query      url.Values
	body       any // JSON-encoded when not nil
	class      timeoutClass
	idempotent bool
	noAuth     bool
	secrets    []string // values the server may echo, scrubbed from its words
}

// answer is what the server said.
type answer struct {
	op          string
	status      int
	contentType string
	body        []byte
	secrets     []string
}

const maxAnswer = 1 << 20

func (c *Client) send(ctx context.Context, r *request) (*answer, error) {
	if err := ctxguard.Check(ctx); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &TransportError{Op: r.op, Err: err} // nothing is sent
	}
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body any
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("sipmediagw: %s: encoding the request: %w", r.op, err)
		}
		body = b
	}
	if r.idempotent {
		ctx = httpretry.Idempotent(ctx)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return nil, &TransportError{Op: r.op, Err: httpretry.RedactURLError(err)}
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.protocol != V18Launcher && !r.noAuth {
		req.Header.Set("Authorization", "Bearer "+c.token.Reveal())
	}
	began := time.Now()
	resp, err := c.rc[r.class].Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		err = httpretry.RedactURLError(err)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "sipmediagw request failed", slog.String("op", r.op),
			slog.Duration("duration", time.Since(began)), slog.String("error", err.Error()))
		return nil, &TransportError{Op: r.op, Err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, &TransportError{Op: r.op, Err: httpretry.RedactURLError(err)}
	}
	lvl := slog.LevelDebug
	// A probe's 4xx is its expected answer (a route refused, a missing
	// parameter), not a failure worth a warning.
	if resp.StatusCode >= 400 && (r.op != "probe" && r.op != "check" || resp.StatusCode >= 500) {
		lvl = slog.LevelWarn
	}
	c.logger.LogAttrs(ctx, lvl, "sipmediagw request", slog.String("op", r.op),
		slog.Int("status", resp.StatusCode), slog.Duration("duration", time.Since(began)))
	secrets := append([]string{c.token.Reveal()}, r.secrets...)
	return &answer{op: r.op, status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: b, secrets: secrets}, nil
}

// unreadable is the error for an answer that is not what the protocol
// says; it never includes the body (the legacy debug page shows the token).
func (a *answer) unreadable(reason string) error {
	return &ResponseError{Op: a.op, StatusCode: a.status, ContentType: safeDetail(a.contentType, nil), Reason: reason}
}

func (a *answer) isHTML() bool {
	mt, _, _ := mime.ParseMediaType(a.contentType)
	if mt == "text/html" {
		return true
	}
	head := bytes.ToLower(bytes.TrimSpace(a.body[:min(len(a.body), 256)]))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}

// decode reads a JSON object answer into v.
func (a *answer) decode(v any) error {
	if a.isHTML() {
		return a.unreadable("HTML page instead of JSON")
	}
	if len(bytes.TrimSpace(a.body)) == 0 {
		return a.unreadable("empty body")
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		return a.unreadable("not the expected JSON")
	}
	return nil
}

// refused wraps an outcome sentinel with the server's words, cut short and
// stripped of anything unprintable.
func (a *answer) refused(err error, detail string) error {
	return &OpError{Op: a.op, StatusCode: a.status, Detail: safeDetail(detail, a.secrets), Err: err}
}

// safeDetail makes a server's words fit for an error message: the
// secrets it may echo (the token, the RTMP URL and its stream key, the
// bot's domain, also query-escaped) replaced, control characters dropped,
// cut to 200 bytes on a character boundary.
func safeDetail(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) < 4 {
			continue // too short to scrub without mangling the text
		}
		s = strings.ReplaceAll(s, sec, redacted)
		if esc := url.QueryEscape(sec); esc != sec {
			s = strings.ReplaceAll(s, esc, redacted)
		}
	}
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == utf8.RuneError {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// common maps the answers every operation shares: 401, 404, 405.
func (a *answer) common() error {
	switch a.status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return a.refused(ErrUnauthorized, "")
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		if a.isHTML() || !json.Valid(a.body) {
			return a.refused(ErrNotSupported, "")
		}
	}
	return nil
}
