package sipmediagwtest

import (
	"context"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/bbbcast/bbbcast/internal/fakekit"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/benbjohnson/clock"
)

// Server is a fake SIPMediaGW server listening on loopback. All its
// methods are safe for concurrent use.
type Server struct {
	// URL is the base URL clients use, "http://127.0.0.1:port".
	URL string
	// Token is the bearer token the server accepts ("" for the launchers,
	// which have no authentication).
	Token string

	version Version
	cfg     config
	clock   clock.Clock
	logger  *slog.Logger
	ts      *httptest.Server

	ctx    context.Context
	cancel context.CancelFunc

	mu         sync.Mutex
	host       *host      // legacy server or lone launcher
	gateways   []*gateway // v1.8 proxy registry, in allocation order
	dockerDown bool       // SetDockerDown
	nextPoll   time.Time  // next pass of the proxy's monitor
	chats      map[string][]string
	starts     int
	stops      int
	peak       int            // the most containers running at once
	answered   map[string]int // requests answered, by operation
	blocked    int            // requests that started blocking, in total

	logMu  sync.Mutex
	reqLog requestLog

	faults fakekit.Faults[Fault]

	events fakekit.Notifier
}

// NewServer starts a fake server for version v on loopback. It panics on
// an unknown version, like httptest does when it cannot listen.
func NewServer(v Version, opts ...Option) *Server {
	v.check()
	cfg := config{
		slots:          DefaultSlots,
		gateways:       DefaultGateways,
		freeDelay:      DefaultFreeDelay,
		requestLogSize: DefaultRequestLogSize,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.token == "" {
		cfg.token = fakekit.RandomString(DefaultTokenLength, fakekit.Alnum)
	}
	if cfg.clock == nil {
		cfg.clock = clock.New()
	}
	if cfg.slots <= 0 {
		cfg.slots = DefaultSlots
	}
	if cfg.gateways <= 0 {
		cfg.gateways = DefaultGateways
	}
	if cfg.freeDelay <= 0 {
		cfg.freeDelay = DefaultFreeDelay
	}
	if cfg.requestLogSize <= 0 {
		cfg.requestLogSize = DefaultRequestLogSize
	}
	logger := cfg.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		version:  v,
		cfg:      cfg,
		clock:    cfg.clock,
		logger:   logger,
		chats:    make(map[string][]string),
		answered: make(map[string]int),
		reqLog:   fakekit.NewRing[Request](cfg.requestLogSize),
	}
	if !v.IsLauncher() {
		s.Token = cfg.token
	}
	now := s.clock.Now()
	switch {
	case v.IsProxy():
		// One launcher host (LauncherAddr) with WithGateways gw_ids created
		// in advance, as start_all_gateways.bash makes them at boot: each
		// container ran once, registered and exited, so the launcher knows
		// the project, exited. Each is registered unless WithUnregistered.
		s.host = newHost(1)
		for i := 1; i <= cfg.gateways; i++ {
			id := strconv.Itoa(i)
			s.host.createProject(id, i-1)
			if !cfg.unregistered {
				s.registerLocked(id, LauncherAddr, "media", now)
			}
		}
		s.nextPoll = now.Add(cfg.freeDelay)
	case v.IsLauncher():
		s.host = newHost(cfg.slots)
		for i, id := range cfg.launcherIDs(cfg.gateways) {
			s.host.createProject(id, i)
		}
	default:
		s.host = newHost(cfg.slots)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.ts = httptest.NewUnstartedServer(s)
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.ts.Start()
	s.URL = s.ts.URL
	return s
}

// Close releases the requests blocked on a delay or a Hang fault and shuts
// the HTTP server down, waiting for its handlers.
func (s *Server) Close() {
	s.cancel()
	s.ts.Close()
}

// Version returns the release the server behaves as.
func (s *Server) Version() Version { return s.version }

// HTTPClient returns an *http.Client that reaches the server.
func (s *Server) HTTPClient() *http.Client { return s.ts.Client() }

// Client returns a sipmediagw.Client for this server: its URL and token,
// the protocol of its version, plain HTTP allowed, a weak token (such as
// InstallToken) allowed, and the httptest client. opts are applied after
// those. It panics if sipmediagw.NewClient refuses the configuration.
func (s *Server) Client(opts ...sipmediagw.Option) *sipmediagw.Client {
	all := []sipmediagw.Option{
		sipmediagw.WithProtocol(s.version.Protocol()),
		sipmediagw.WithInsecureHTTP(),
		sipmediagw.WithHTTPClient(s.ts.Client()),
	}
	if s.Token == sipmediagw.DefaultToken || len(s.Token) < sipmediagw.MinTokenLen {
		all = append(all, sipmediagw.WithInsecureToken())
	}
	all = append(all, opts...)
	c, err := sipmediagw.NewClient(s.URL, s.Token, all...)
	if err != nil {
		panic("sipmediagwtest: " + err.Error())
	}
	return c
}

// maxBody bounds the request bodies the fake reads.
const maxBody = 1 << 20

// ServeHTTP answers as the server's version does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e := &exchange{w: w, r: r, now: s.clock.Now(), chunked: s.version.IsLegacy()}
	if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
		e.body, _ = io.ReadAll(io.LimitReader(r.Body, maxBody))
	}
	defer s.logRequest(e)
	switch {
	case s.version.IsLegacy():
		s.serveLegacy(e)
	case s.version.IsProxy():
		s.serveProxy(e)
	default:
		s.serveLauncher(e)
	}
}

// exchange is one request being answered.
type exchange struct {
	w      http.ResponseWriter
	r      *http.Request
	now    time.Time
	body   []byte
	op     string    // the operation, for faults and the log
	forced FaultKind // a Busy or LaunchFailure fault to apply to a start
	status int       // HTTP status sent, 0 if none
	// chunked streams the body without Content-Length, as web.py does.
	chunked bool
}

// write sends body with status; an empty contentType sends no
// Content-Type header at all, as web.py does when a handler set none.
func (e *exchange) write(status int, contentType string, body []byte) {
	h := e.w.Header()
	if contentType == "" {
		h["Content-Type"] = nil
	} else {
		h.Set("Content-Type", contentType)
	}
	if e.chunked {
		// web.py under cheroot streams every answer: chunked, no
		// Content-Length.
		e.w.WriteHeader(status)
		if f, ok := e.w.(http.Flusher); ok {
			f.Flush()
		}
	} else {
		h.Set("Content-Length", strconv.Itoa(len(body)))
		e.w.WriteHeader(status)
	}
	_, _ = e.w.Write(body)
	e.status = status
}

const jsonType = "application/json"

// lockAt locks the state after bringing it to now: the v1.8 proxy's
// monitor passes that fell due are applied first.
func (s *Server) lockAt(now time.Time) {
	s.mu.Lock()
	s.catchUpPolls(now)
}

// wait blocks for d on the server's clock and reports whether it elapsed.
// Like a real launcher running its script, it does not stop when the
// client goes away, only when the server closes.
func (s *Server) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := s.clock.Timer(d)
	s.noteBlocked()
	select {
	case <-t.C:
		return true
	case <-s.ctx.Done():
		t.Stop()
		return false
	}
}

func (s *Server) noteBlocked() {
	s.mu.Lock()
	s.blocked++
	s.mu.Unlock()
	s.events.Broadcast()
}
