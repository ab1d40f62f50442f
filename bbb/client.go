package bbb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bbbcast/bbbcast/bbb/internal/xmltree"
	"github.com/bbbcast/bbbcast/internal/ctxguard"
	"github.com/bbbcast/bbbcast/internal/httpretry"
	"github.com/bbbcast/bbbcast/internal/logx"
	"github.com/hashicorp/go-retryablehttp"
)

// Client calls the API of one BigBlueButton server (or of a load balancer
// such as Scalelite that speaks the same API). It is safe for concurrent
// use.
type Client struct {
	base   string // "<scheme>://<host>/<path>/api/"
	secret Secret
	alg    Algorithm

	httpClient   *http.Client
	timeout      time.Duration
	retries      int
	retryWaitMin time.Duration
	retryWaitMax time.Duration
	userAgent    string
	logger       *slog.Logger
	allowHTTP    bool

	rc *retryablehttp.Client
}

// NewClient returns a client for the server whose API lives under baseURL,
// usually "https://bbb.example.org/bigbluebutton" (a trailing "/api" or
// slash is accepted). secret is the server's shared secret
// (bbb-conf --secret). The base URL must be https unless WithInsecureHTTP
// is given.
func NewClient(baseURL, secret string, opts ...Option) (*Client, error) {
	c := &Client{
		secret:       NewSecret(secret),
		alg:          SHA256,
		timeout:      -1,
		retries:      DefaultRetries,
		retryWaitMin: 200 * time.Millisecond,
		retryWaitMax: 2 * time.Second,
		userAgent:    DefaultUserAgent,
	}
	for _, o := range opts {
		o(c)
	}
	if secret == "" {
		return nil, ErrEmptySecret
	}
	if !c.alg.valid() {
		return nil, fmt.Errorf("%w %s", ErrInvalidAlgorithm, c.alg)
	}
	base, err := normalizeBase(baseURL, c.allowHTTP)
	if err != nil {
		return nil, err
	}
	c.base = base
	c.logger = logx.OrDiscard(c.logger)
	if c.retries < 0 {
		c.retries = 0
	}
	c.rc = c.newRetryClient()
	return c, nil
}

func normalizeBase(raw string, allowHTTP bool) (string, error) {
	base, err := httpretry.BaseURL(raw, allowHTTP, ErrInvalidBaseURL, ErrInsecureURL)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(base, "/api") + "/api/", nil
}

// BaseURL returns the API root the client calls, ending in "/api/".
func (c *Client) BaseURL() string { return c.base }

// Algorithm returns the checksum algorithm the client signs with.
func (c *Client) Algorithm() Algorithm { return c.alg }

// String describes the client without its secret.
func (c *Client) String() string {
	return fmt.Sprintf("bbb.Client{%s %s}", c.base, c.alg)
}

// Format prints the client as String does whatever the verb, so that no
// verb (%#v, %+v, %t, …) can reach the secret. It has a value receiver to
// cover a dereferenced Client too.
func (c Client) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue describes the client for log/slog without its secret.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base", c.base), slog.String("checksum", c.alg.String()))
}

// URL returns the signed URL of call with the given query string (already
// escaped, without checksum). It is the building block of every request and
// of join links; most callers use the typed methods instead.
func (c *Client) URL(call, rawQuery string) string {
	return c.signedURL(call, []byte(rawQuery))
}

// signedURL appends the checksum of call+query to base+call?query, built in
// a scratch buffer: the returned string is the only allocation.
func (c *Client) signedURL(call string, query []byte) string {
	return c.signedURLWith(c.alg, call, query)
}

// signedURLWith is signedURL with the checksum of alg instead of the
// client's algorithm (Check tries each one); alg must be valid.
func (c *Client) signedURLWith(alg Algorithm, call string, query []byte) string {
	sp := getScratch()
	buf := append((*sp)[:0], c.base...)
	start := len(buf)
	buf = append(buf, call...)
	end := len(buf)
	buf = append(buf, '?')
	if len(query) > 0 {
		buf = append(buf, query...)
		buf = append(buf, '&')
	}
	buf = append(buf, "checksum="...)
	buf = slices.Grow(buf, alg.HexLen())
	buf = alg.sum(buf, buf[start:end:end], query, c.secret.Bytes())
	u := string(buf)
	putScratch(sp, buf)
	return u
}

// request is one API call to send.
type request struct {
	call        string
	query       params
	method      string // GET when empty
	body        []byte
	contentType string
	idempotent  bool // safe to retry
	// skip names elements of the answer the call does not read, left out
	// of the parsed tree (see xmltree.ParseStringSkipping).
	skip []string
}

// maxBody bounds the answers read, so a misbehaving server cannot exhaust
// memory: a getRecordings answer of thousands of recordings stays far below.
const maxBody = 64 << 20

func (c *Client) newRetryClient() *retryablehttp.Client {
	cp := http.Client{}
	if c.httpClient != nil {
		cp = *c.httpClient
	}
	// Every attempt is bounded, whatever client was given.
	limit := c.timeout
	if limit <= 0 {
		limit = DefaultTimeout
	}
	if cp.Timeout <= 0 || cp.Timeout > limit {
		cp.Timeout = limit
	}
	// API calls never follow a redirect: it would send the signed query
	// (its checksum) wherever it points, and an unreadable Location would
	// end up in an error's text. A 3xx answer is an error of its own.
	base := cp.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	cp.Transport = heldRedirects{base}
	hc := &cp
	return httpretry.New(httpretry.Config{HTTPClient: hc, Retries: c.retries, WaitMin: c.retryWaitMin, WaitMax: c.retryWaitMax})
}

// send performs r and returns the answer's body and status.
func (c *Client) send(ctx context.Context, r *request) (body string, status int, contentType string, err error) {
	return c.exec(ctx, r, c.signedURL(r.call, r.query.b))
}

// sendUnsigned GETs the API root (plus path), which needs no checksum.
func (c *Client) sendUnsigned(ctx context.Context, path, call string) (string, int, string, error) {
	return c.exec(ctx, &request{call: call, idempotent: true}, strings.TrimSuffix(c.base, "/")+path)
}

func (c *Client) exec(ctx context.Context, r *request, u string) (body string, status int, contentType string, err error) {
	if err := ctxguard.Check(ctx); err != nil {
		return "", 0, "", err
	}
	method := r.method
	if method == "" {
		method = http.MethodGet
	}
	var rb any
	if r.body != nil {
		rb = r.body
	}
	if r.idempotent {
		ctx = httpretry.Idempotent(ctx)
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, rb)
	if err != nil {
		return "", 0, "", &TransportError{Call: r.call, Err: httpretry.RedactURLError(err)}
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/xml, text/xml, application/json")
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	began := time.Now()
	resp, err := c.rc.Do(req)
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		err = httpretry.RedactURLError(err)
		c.logger.LogAttrs(ctx, slog.LevelWarn, "bbb request failed", slog.String("call", r.call),
			slog.Duration("duration", time.Since(began)), slog.String("error", err.Error()))
		return "", 0, "", &TransportError{Call: r.call, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return "", resp.StatusCode, resp.Header.Get("Content-Type"), redirected(r.call, resp)
	}
	body, err = readBody(resp)
	contentType = resp.Header.Get("Content-Type")
	if err == errBodyTooLarge {
		return "", resp.StatusCode, contentType, &ResponseError{Call: r.call, StatusCode: resp.StatusCode,
			ContentType: contentType, Reason: "body larger than 64 MiB"}
	}
	if err != nil {
		return "", resp.StatusCode, contentType, &TransportError{Call: r.call, Err: httpretry.RedactURLError(err)}
	}
	lvl := slog.LevelDebug
	if resp.StatusCode >= 400 {
		lvl = slog.LevelWarn
	}
	c.logger.LogAttrs(ctx, lvl, "bbb request", slog.String("call", r.call),
		slog.Int("status", resp.StatusCode), slog.Duration("duration", time.Since(began)))
	return body, resp.StatusCode, contentType, nil
}

// errBodyTooLarge is readBody's error for an answer over maxBody.
var errBodyTooLarge = errors.New("bbb: body larger than 64 MiB")

// readChunkSize is the size of the pooled chunks readBody reads through.
const readChunkSize = 32 << 10

var readChunks = sync.Pool{New: func() any { return new([readChunkSize]byte) }}

// readBody reads an answer into one string of its exact size, which the
// XML parser then cuts its names and texts from without another copy: a
// getMeetings answer of thousands of attendees is megabytes. An announced
// length sizes the string at once; an answer without one (chunked, or
// gunzipped by net/http) is first gathered in pooled chunks, so that its
// size is known before the one allocation. An answer announced or found
// larger than maxBody is errBodyTooLarge, found so within a chunk of the
// limit.
func readBody(resp *http.Response) (string, error) {
	if resp.ContentLength > maxBody {
		return "", errBodyTooLarge
	}
	r := resp.Body
	var sb strings.Builder
	chunk := readChunks.Get().(*[readChunkSize]byte)
	var first [16]*[readChunkSize]byte
	full := first[:0] // the chunks filled before chunk
	defer func() {
		readChunks.Put(chunk)
		for _, c := range full {
			readChunks.Put(c)
		}
	}()
	if n := resp.ContentLength; n > 0 {
		sb.Grow(int(n))
		for {
			k, err := r.Read(chunk[:])
			sb.Write(chunk[:k])
			if sb.Len() > maxBody {
				return "", errBodyTooLarge
			}
			if err == io.EOF {
				return sb.String(), nil
			}
			if err != nil {
				return "", err
			}
		}
	}
	for {
		k, err := fill(r, chunk[:])
		if err == nil {
			if (len(full)+1)*readChunkSize > maxBody {
				return "", errBodyTooLarge
			}
			full = append(full, chunk)
			chunk = readChunks.Get().(*[readChunkSize]byte)
			continue
		}
		if err != io.EOF {
			return "", err
		}
		size := len(full)*readChunkSize + k
		if size > maxBody {
			return "", errBodyTooLarge
		}
		sb.Grow(size)
		for _, c := range full {
			sb.Write(c[:])
		}
		sb.Write(chunk[:k])
		return sb.String(), nil
	}
}

// fill reads into p until it is full (nil error) or r fails (io.EOF at
// the end), unlike io.ReadFull, which turns a truncated read's
// io.ErrUnexpectedEOF and the end of a partial fill into the same error.
func fill(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := r.Read(p[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// do sends r and parses the XML envelope. It returns the <response> element
// of a SUCCESS answer, an *APIError for FAILED, and a *ResponseError for
// anything that is not a BBB answer.
func (c *Client) do(ctx context.Context, r *request) (xmltree.Node, error) {
	body, status, ct, err := c.send(ctx, r)
	if err != nil {
		return xmltree.Node{}, err
	}
	return parseResponse(r.call, body, status, ct, r.skip...)
}

// parseResponse parses body, which the tree's texts are then cut from,
// leaving out the elements named in skip.
func parseResponse(call string, body string, status int, contentType string, skip ...string) (xmltree.Node, error) {
	bad := func(reason string) error {
		return &ResponseError{Call: call, StatusCode: status, ContentType: contentType, Reason: reason}
	}
	if len(strings.TrimSpace(body)) == 0 {
		return xmltree.Node{}, bad("empty body")
	}
	doc, err := xmltree.ParseStringSkipping(body, skip...)
	if err != nil {
		if looksLikeHTML(body) {
			return xmltree.Node{}, bad("HTML page instead of XML")
		}
		return xmltree.Node{}, bad("malformed XML: " + err.Error())
	}
	root := doc.Root()
	if root.Name() != "response" {
		if root.Name() == "html" {
			return xmltree.Node{}, bad("HTML page instead of XML")
		}
		return xmltree.Node{}, bad("root element is not <response>")
	}
	switch rc := root.ChildText("returncode"); rc {
	case "SUCCESS":
		if status < 200 || status > 299 {
			return xmltree.Node{}, bad("SUCCESS with a non-2xx status")
		}
		return root, nil
	case "FAILED":
		return xmltree.Node{}, &APIError{Call: call, Key: root.ChildText("messageKey"), Message: root.ChildText("message")}
	default:
		return xmltree.Node{}, bad("no SUCCESS or FAILED returncode")
	}
}

func looksLikeHTML(b string) bool {
	head := strings.ToLower(b[:min(len(b), 512)])
	return strings.Contains(head, "<html") || strings.Contains(head, "<!doctype html")
}
