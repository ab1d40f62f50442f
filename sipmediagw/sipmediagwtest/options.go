package sipmediagwtest

import (
	"log/slog"
	"strconv"
	"time"

	"github.com/benbjohnson/clock"
)

// Option configures a Server.
type Option func(*config)

// Defaults of NewServer.
const (
	// DefaultSlots is how many containers a legacy server (or a v1.8
	// launcher) runs at once. A real server has floor(nproc / CPU_PER_GW)
	// of them (2.5 CPUs each by default); the portal's rule is one webinar
	// per gateway, so one slot is the case to test.
	DefaultSlots = 1
	// DefaultGateways is how many launchers stand behind a V18 proxy.
	DefaultGateways = 2
	// DefaultFreeDelay is the period of the v1.8 proxy's monitor: a
	// stopped gateway is free again at its next pass.
	DefaultFreeDelay = 30 * time.Second
	// DefaultRequestLogSize is how many requests Requests remembers.
	DefaultRequestLogSize = 10000
	// DefaultTokenLength is the length of the random token NewServer
	// picks when WithToken is not given.
	DefaultTokenLength = 24
	// InstallToken is the token of a default install ("1234" in the
	// launcher's and the proxy's code). WithToken(InstallToken)
	// reproduces it; clients then need sipmediagw.WithInsecureToken.
	InstallToken = "1234"
)

type config struct {
	token          string
	clock          clock.Clock
	slots          int
	gateways       int
	startDelay     time.Duration
	stopDelay      time.Duration
	freeDelay      time.Duration
	logger         *slog.Logger
	requestLogSize int
	unregistered   bool
	ids            []string
}

// WithToken sets the bearer token (a random 24-character one by default;
// read it from Server.Token). WithToken(InstallToken) reproduces a default
// install. An empty token keeps the random one. The launchers ignore
// it: a launcher has no authentication.
func WithToken(token string) Option { return func(c *config) { c.token = token } }

// WithClock sets the clock behind start and stop delays, the v1.8 proxy's
// monitor and the request log (the real clock by default). Tests pass
// clock.NewMock() and advance it; WaitPending tells when to.
func WithClock(clk clock.Clock) Option { return func(c *config) { c.clock = clk } }

// WithSlots sets how many containers a legacy server runs at once
// (DefaultSlots by default): a start finding none free answers "No free
// resources found". A v1.8 launcher runs one container per gw_id.
func WithSlots(n int) Option { return func(c *config) { c.slots = n } }

// WithGateways sets how many launchers stand behind a V18 or V18Head
// proxy, or how many gw_ids a launcher called directly has created
// (DefaultGateways by default). Their gw_ids are "1", "2", … and the proxy
// allocates them in that order.
func WithGateways(n int) Option { return func(c *config) { c.gateways = n } }

// WithStartDelay makes a start that launches a container block for d on
// the server's clock before it answers, as the real launcher blocks until
// the container is up (seconds, up to ~20 s). A start that fails for want
// of a slot answers at once. The container comes up even if the client
// gave up meanwhile, as on a real server. 0 by default.
func WithStartDelay(d time.Duration) Option { return func(c *config) { c.startDelay = d } }

// WithStopDelay makes a stop that finds a container block for d on the
// server's clock (~10 s, up to ~30 s for real). The container goes even if
// the client gave up meanwhile. 0 by default.
func WithStopDelay(d time.Duration) Option { return func(c *config) { c.stopDelay = d } }

// WithFreeDelay sets the period of the V18 proxy's monitor
// (DefaultFreeDelay by default). The monitor passes at NewServer time and
// every d after: a gateway stopped through the proxy is allocated again
// only once a pass has seen its container down.
func WithFreeDelay(d time.Duration) Option { return func(c *config) { c.freeDelay = d } }

// WithLogger makes the server log each request at debug level (method,
// path, operation, status; never a query or a body). Nothing is logged
// without it.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithRequestLogSize sets how many of the latest requests Requests returns
// (DefaultRequestLogSize by default).
func WithRequestLogSize(n int) Option { return func(c *config) { c.requestLogSize = n } }

// WithUnregistered starts a V18 or V18Head proxy with its launchers up
// but not registered: POST /register adds them to the pool, as launchers
// do when they boot.
func WithUnregistered() Option { return func(c *config) { c.unregistered = true } }

// WithLauncherIDs sets the gw_ids created in advance on a v1.8 launcher
// called directly (V18Launcher, V18HeadLauncher): only those start. By
// default they are "1" to "n", n as WithGateways gives. Ignored by the
// other versions.
func WithLauncherIDs(ids ...string) Option {
	return func(c *config) { c.ids = append([]string(nil), ids...) }
}

// launcherIDs returns the gw_ids of a lone launcher.
func (c *config) launcherIDs(n int) []string {
	if len(c.ids) > 0 {
		return c.ids
	}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
	}
	return ids
}
