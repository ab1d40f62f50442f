package bbbtest

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/internal/fakekit"
	"github.com/benbjohnson/clock"
)

// BasePath is the path of the fake's API root on its host, as on a real
// BBB server.
const BasePath = "/bigbluebutton"

// Server is a fake BigBlueButton server listening on loopback. All its
// methods are safe for concurrent use.
type Server struct {
	// URL is the base URL clients use, "http://127.0.0.1:port/bigbluebutton"
	// (https with WithTLS); the API lives under URL + "/api/".
	URL string
	// Secret is the shared secret requests must be signed with.
	Secret string

	ts        *httptest.Server
	cfg       config
	clock     clock.Clock
	version   version
	algs      []bbb.Algorithm
	logger    *slog.Logger
	host      string // scheme://host:port
	apiPrefix string // BasePath + "/api"

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.RWMutex
	meetings   map[string]*meeting // by external ID
	byInternal map[string]*meeting
	sessions   map[string]*session // by session token
	recordings []*recording
	hooks      []*hook
	nextHookID int
	nextSweep  time.Time
	sweepTimer *clock.Timer
	jobs       []callbackJob // end callbacks to start on unlock
	outbox     []outgoing    // POSTs to send on unlock

	logMu  sync.Mutex
	reqLog requestLog

	faults  fakekit.Faults[Fault]
	delayed atomic.Int64 // requests that started waiting on a fault's Delay

	cbMu      sync.Mutex
	callbacks []Callback
	timers    map[*clock.Timer]timerKind
	closed    bool

	deliveries []Delivery
	sendQ      []outgoing // POSTs waiting for the delivery worker
	sending    bool       // the delivery worker runs

	events fakekit.Notifier
}

// NewServer starts a fake BBB server on loopback. The checksum options
// never make it panic: see WithChecksumAlgorithms and WithClientChecksum
// for how they agree. It panics on an unparsable WithVersion or
// WithPublicURL, and when it cannot listen, as httptest does.
func NewServer(opts ...Option) *Server {
	cfg := config{
		version:        DefaultVersion,
		expiry:         DefaultMeetingExpiry,
		emptyExpiry:    DefaultEmptyMeetingExpiry,
		requestLogSize: DefaultRequestLogSize,
		recordingDelay: DefaultRecordingDelay,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.secret == "" {
		cfg.secret = fakekit.RandomString(43, fakekit.Alnum)
	}
	if cfg.clock == nil {
		cfg.clock = clock.New()
	}
	v, err := parseVersion(cfg.version)
	if err != nil {
		panic(err.Error())
	}
	var problems []string
	cfg.algorithms, cfg.clientAlg, problems = v.checksums(cfg.algorithms, cfg.clientAlg)
	if cfg.requestLogSize <= 0 {
		cfg.requestLogSize = DefaultRequestLogSize
	}
	if cfg.callbackClient == nil {
		cfg.callbackClient = &http.Client{Timeout: 10 * time.Second}
	}
	var public string
	if cfg.publicURL != "" {
		public = publicURL(cfg.publicURL)
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	for _, p := range problems {
		logger.Warn("bbbtest: " + p)
	}

	s := &Server{
		Secret:     cfg.secret,
		cfg:        cfg,
		clock:      cfg.clock,
		version:    v,
		algs:       cfg.algorithms,
		logger:     logger,
		apiPrefix:  BasePath + "/api",
		meetings:   make(map[string]*meeting),
		byInternal: make(map[string]*meeting),
		sessions:   make(map[string]*session),
		timers:     make(map[*clock.Timer]timerKind),
		reqLog:     fakekit.NewRing[Request](cfg.requestLogSize),
	}
	s.addPermanentHooksLocked()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ts = httptest.NewUnstartedServer(s)
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	if l := listenerFor(cfg); l != nil {
		_ = s.ts.Listener.Close()
		s.ts.Listener = l
	}
	if cfg.tls {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.host = s.ts.URL
	if public != "" {
		s.host = public
	}
	s.URL = s.ts.URL + BasePath
	return s
}

// Close stops the end callback retries, cancels callbacks and delayed
// requests in flight, and shuts the HTTP server down, waiting for its
// handlers and goroutines.
func (s *Server) Close() {
	s.cbMu.Lock()
	if s.closed {
		s.cbMu.Unlock()
		return
	}
	s.closed = true
	s.stopTimersLocked()
	s.cbMu.Unlock()
	s.mu.Lock()
	s.stopSweepLocked()
	s.mu.Unlock()
	s.cancel()
	s.ts.Close()
	s.wg.Wait()
}

// Client returns a bbb.Client for this server: its base URL and secret,
// plain HTTP allowed, the client algorithm (see WithClientChecksum), and the
// httptest client (which trusts the WithTLS certificate). opts are applied
// after those. It panics if bbb.NewClient refuses the configuration.
func (s *Server) Client(opts ...bbb.Option) *bbb.Client {
	all := []bbb.Option{
		bbb.WithInsecureHTTP(),
		bbb.WithChecksum(s.cfg.clientAlg),
		bbb.WithHTTPClient(s.ts.Client()),
	}
	all = append(all, opts...)
	c, err := bbb.NewClient(s.URL, s.Secret, all...)
	if err != nil {
		panic("bbbtest: " + err.Error())
	}
	return c
}

// HTTPClient returns an *http.Client that reaches the server (and trusts
// its certificate with WithTLS). It does not follow redirects, so a test
// sees join's 302.
func (s *Server) HTTPClient() *http.Client {
	c := *s.ts.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// SignedURL returns the full URL of an API call on this server, signed
// with the client algorithm: URL + "/api/" + call + "?" + rawQuery +
// "&checksum=…". rawQuery is sent as is.
func (s *Server) SignedURL(call, rawQuery string) string {
	sum := bbb.Sign(s.cfg.clientAlg, call, rawQuery, s.Secret)
	if rawQuery == "" {
		return s.URL + "/api/" + call + "?checksum=" + sum
	}
	return s.URL + "/api/" + call + "?" + rawQuery + "&checksum=" + sum
}

// Version returns the BBB release the server behaves as.
func (s *Server) Version() string { return s.version.String() }

// ServeHTTP serves the BBB API under BasePath + "/api", the HTML5
// client's pages under /html5client/: join (the meeting room), guestWait,
// and the room's chat and leave forms, and the control API under
// ControlPath. Everything else is a 404 HTML page.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if rest, ok := strings.CutPrefix(path, ControlPath); ok && (rest == "" || rest[0] == '/') {
		s.serveControl(w, r, rest)
		return
	}
	if rest, ok := strings.CutPrefix(path, s.apiPrefix); ok {
		switch {
		case rest == "" || rest == "/":
			s.serveAPI(w, r, "", true)
			return
		case rest[0] == '/':
			s.serveAPI(w, r, rest[1:], false)
			return
		}
	}
	switch path {
	case "/html5client/join":
		s.serveClientJoin(w, r)
		return
	case "/html5client/guestWait":
		s.serveGuestWait(w, r)
		return
	case "/html5client/chat":
		s.serveClientChat(w, r)
		return
	case "/html5client/leave":
		s.serveClientLeave(w, r)
		return
	}
	writeHTMLStatus(w, http.StatusNotFound)
}

// exchange is one API request being answered.
type exchange struct {
	w      http.ResponseWriter
	r      *http.Request
	call   string
	q      query
	now    time.Time
	status int    // HTTP status sent, for the request log
	key    string // messageKey sent, for the request log
	// form is a POST's form body (raw, URL-encoded), whose parameters q
	// also holds after the query string's; bodyRead is true once a form
	// or multipart body was consumed.
	form     string
	bodyRead bool
}

// route is an API call the server knows.
type route struct {
	handle func(*Server, *exchange)
	since  version // first release with the call
	// public calls are the client's, made without a checksum.
	public bool
}

var routes map[string]route

func init() {
	routes = map[string]route{
		"create":                 {handle: (*Server).handleCreate},
		"join":                   {handle: (*Server).handleJoin},
		"end":                    {handle: (*Server).handleEnd},
		"isMeetingRunning":       {handle: (*Server).handleIsMeetingRunning},
		"getMeetingInfo":         {handle: (*Server).handleGetMeetingInfo},
		"getMeetings":            {handle: (*Server).handleGetMeetings},
		"sendChatMessage":        {handle: (*Server).handleSendChatMessage, since: v30},
		"insertDocument":         {handle: (*Server).handleInsertDocument, since: v25},
		"getRecordings":          {handle: (*Server).handleGetRecordings},
		"publishRecordings":      {handle: (*Server).handlePublishRecordings},
		"deleteRecordings":       {handle: (*Server).handleDeleteRecordings},
		"updateRecordings":       {handle: (*Server).handleUpdateRecordings},
		"getRecordingTextTracks": {handle: (*Server).handleGetRecordingTextTracks},
		"putRecordingTextTrack":  {handle: (*Server).handlePutRecordingTextTrack},
		"hooks/create":           {handle: (*Server).handleHooksCreate},
		"hooks/destroy":          {handle: (*Server).handleHooksDestroy},
		"hooks/list":             {handle: (*Server).handleHooksList},
		"guestWait":              {handle: (*Server).handleGuestWait, public: true},
		"getJoinUrl":             {handle: (*Server).handleGetJoinURL, since: v30, public: true},
	}
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, call string, probe bool) {
	e := &exchange{w: w, r: r, call: call, q: query(r.URL.RawQuery), now: s.clock.Now()}
	defer s.logRequest(e)
	if s.applyFault(e) {
		return
	}
	if probe {
		s.answerVersion(e)
		return
	}
	rt, ok := routes[call]
	if !ok || !s.version.atLeast(rt.since) {
		e.status = http.StatusNotFound
		writeHTMLStatus(w, http.StatusNotFound)
		return
	}
	if allow := s.allowedMethods(call); !strings.Contains(allow, r.Method) {
		e.status = http.StatusMethodNotAllowed
		w.Header().Set("Allow", allow)
		writeHTMLStatus(w, http.StatusMethodNotAllowed)
		return
	}
	if !s.readBodyParams(e) {
		return
	}
	if rt.public {
		rt.handle(s, e)
		return
	}
	if err := bbb.Verify(call, s.signedQuery(e), s.Secret, s.algs...); err != nil {
		if call == "join" {
			s.joinFail(e, keyChecksumError, msgChecksumError)
			return
		}
		s.fail(e, keyChecksumError, msgChecksumError)
		return
	}
	rt.handle(s, e)
}

// allowedMethods returns the methods call answers, as an Allow header:
// GET and POST, except guestWait, GET only, and from 3.0 (its URL
// mappings) join, GET only, and insertDocument, POST only.
func (s *Server) allowedMethods(call string) string {
	if call == "guestWait" {
		return "GET, HEAD"
	}
	if s.version.atLeast(v30) {
		switch call {
		case "join":
			return "GET, HEAD"
		case "insertDocument":
			return "POST"
		}
	}
	return "GET, POST, HEAD"
}

const (
	keyChecksumError = "checksumError"
	msgChecksumError = "Checksums do not match"
)

func (s *Server) answerVersion(e *exchange) {
	x := newXMLWriter()
	defer x.release()
	x.start("SUCCESS")
	x.text("version", "2.0")
	x.text("apiVersion", "2.0")
	x.text("bbbVersion", s.version.String())
	x.end()
	s.writeXML(e, x)
}

const xmlContentType = "text/xml;charset=utf-8"

// writeXML sends x with BBB's headers.
func (s *Server) writeXML(e *exchange, x *xmlWriter) {
	h := e.w.Header()
	h["Content-Type"] = []string{xmlContentType}
	h["Cache-Control"] = []string{"no-cache"}
	e.status = http.StatusOK
	_, _ = e.w.Write(x.b)
}

// fail sends a FAILED answer.
func (s *Server) fail(e *exchange, key, msg string) {
	x := newXMLWriter()
	defer x.release()
	x.start("FAILED")
	x.text("messageKey", key)
	x.text("message", msg)
	x.end()
	s.writeXML(e, x)
	e.key = key
}

// writeHTMLStatus sends a small HTML error page like nginx's.
func writeHTMLStatus(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, htmlStatusPage(status))
}

func htmlStatusPage(status int) string {
	title := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
}
