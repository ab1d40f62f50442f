package gateway

import (
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/sipmediagw"
)

// Gateway is a live gateway: where the stream is pushed (RTMP), where the
// audience plays it (HLS), and the SIPMediaGW server whose bot pushes it.
// One gateway carries one webinar at a time.
type Gateway struct {
	ID   int64 // assigned by the store on creation
	Name string
	// Pool is the site label: a webinar is allocated within one pool.
	Pool string
	// Order ranks gateways for allocation: lower first, then by ID.
	Order   int
	RTMPURL Secret // rtmp:// or rtmps://, with the stream key
	HLSURL  string // http(s):// URL the audience's player loads
	Server  Server
	Enabled bool
}

// Server is a SIPMediaGW server.
type Server struct {
	URL   string
	Token Secret
	// Protocol is the server's API: sipmediagw.Legacy (launcher v1.5 to
	// v1.7), sipmediagw.V18 (the v1.8 proxy) or sipmediagw.V18Launcher
	// (one v1.8 launcher, no proxy). Stores keep its text, the name
	// ("legacy", "v1.8", "v1.8-launcher").
	Protocol sipmediagw.Protocol
	// Insecure allows a plain http:// URL and a weak token (the default
	// "1234" or fewer than 8 characters), as sipmediagw's WithInsecureHTTP
	// and WithInsecureToken do.
	Insecure bool
	// LauncherID is, for sipmediagw.V18Launcher only, the gw_id the launcher's
	// host created in advance for this gateway (a v1.8 launcher starts no
	// other): a Docker Compose project name such as "gw0". Gateways may
	// share one launcher with distinct IDs; empty for the other protocols.
	LauncherID string
}

// Key is what no two gateways may share: the server's ServerKey, and the
// launcher's gw_id when there is one.
func (s Server) Key() string {
	if s.LauncherID == "" {
		return ServerKey(s.URL)
	}
	return ServerKey(s.URL) + "#" + s.LauncherID
}

// LogValue describes the gateway without its token or stream key.
func (g Gateway) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", g.ID), slog.String("name", g.Name), slog.String("pool", g.Pool),
		slog.String("server", g.Server.URL), slog.Bool("enabled", g.Enabled))
}

// Limits of the fields.
const (
	MaxNameLen  = 200
	MaxPoolLen  = 100
	MaxTokenLen = 256
	MinTokenLen = 8
)

// Validate checks every field and returns a *ValidationError listing the
// problems, or nil.
func (g *Gateway) Validate() error {
	problems := map[string]string{}
	if strings.TrimSpace(g.Name) == "" {
		problems["name"] = "required"
	} else if utf8.RuneCountInString(g.Name) > MaxNameLen || !utf8.ValidString(g.Name) {
		problems["name"] = "at most 200 characters of valid UTF-8"
	}
	if utf8.RuneCountInString(g.Pool) > MaxPoolLen || !utf8.ValidString(g.Pool) {
		problems["pool"] = "at most 100 characters of valid UTF-8"
	}
	if msg := checkURL(g.RTMPURL.Reveal(), []string{"rtmp", "rtmps"}); msg != "" {
		problems["rtmpURL"] = msg
	}
	if msg := checkURL(g.HLSURL, []string{"https", "http"}); msg != "" {
		problems["hlsURL"] = msg
	}
	serverSchemes := []string{"https"}
	if g.Server.Insecure {
		serverSchemes = append(serverSchemes, "http")
	}
	if msg := checkURL(g.Server.URL, serverSchemes); msg != "" {
		if !g.Server.Insecure && strings.HasPrefix(g.Server.URL, "http:") {
			msg = "plain http needs the insecure flag"
		}
		problems["server.url"] = msg
	} else if u, _ := url.Parse(g.Server.URL); u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		problems["server.url"] = "must not carry credentials, a query or a fragment"
	}
	switch g.Server.Protocol {
	case sipmediagw.Legacy, sipmediagw.V18:
		if msg := checkToken(g.Server.Token.Reveal(), g.Server.Insecure); msg != "" {
			problems["server.token"] = msg
		}
	case sipmediagw.V18Launcher:
		// no authentication at all, but a gw_id created on the host
		if msg := checkLauncherID(g.Server.LauncherID); msg != "" {
			problems["server.launcherID"] = msg
		}
	default:
		problems["server.protocol"] = "must be legacy, v1.8 or v1.8-launcher"
	}
	if g.Server.Protocol != sipmediagw.V18Launcher && g.Server.LauncherID != "" {
		problems["server.launcherID"] = "only for the v1.8-launcher protocol"
	}
	if len(problems) > 0 {
		return &ValidationError{Fields: problems}
	}
	return nil
}

func checkURL(raw string, schemes []string) string {
	if raw == "" {
		return "required"
	}
	if strings.ContainsAny(raw, " \t\r\n'\"\\`$") {
		return "must not contain white space, quotes, backslashes or $"
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "not an absolute URL"
	}
	if !slices.Contains(schemes, u.Scheme) {
		return "scheme must be " + strings.Join(schemes, " or ")
	}
	return ""
}

// MaxLauncherIDLen is the longest LauncherID.
const MaxLauncherIDLen = 63

// checkLauncherID checks a Docker Compose project name: lower-case
// letters, digits, '-' and '_', starting with a letter or a digit.
func checkLauncherID(id string) string {
	if id == "" {
		return "required with the v1.8-launcher protocol: the gw_id created on the launcher's host"
	}
	ok := len(id) <= MaxLauncherIDLen
	for i, r := range id {
		alnum := r >= 'a' && r <= 'z' || r >= '0' && r <= '9'
		ok = ok && (alnum || i > 0 && (r == '-' || r == '_'))
	}
	if !ok {
		return "a Docker Compose project name: at most 63 of a-z, 0-9, '-' and '_', starting with a letter or digit"
	}
	return ""
}

func checkToken(t string, insecure bool) string {
	switch {
	case t == "":
		return "required"
	case len(t) > MaxTokenLen:
		return "at most 256 characters"
	case strings.IndexFunc(t, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
		return "must not contain white space or control characters"
	case !insecure && (t == "1234" || len(t) < MinTokenLen):
		return "the default token and tokens under 8 characters need the insecure flag"
	}
	return ""
}

// ServerKey normalises a SIPMediaGW URL for the uniqueness rule: scheme
// and host lower-cased, default port and trailing slash dropped.
func ServerKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return strings.ToLower(strings.TrimRight(raw, "/"))
	}
	host := strings.ToLower(u.Host)
	host = strings.TrimSuffix(host, map[string]string{"https": ":443", "http": ":80"}[strings.ToLower(u.Scheme)])
	return strings.ToLower(u.Scheme) + "://" + host + strings.TrimRight(u.EscapedPath(), "/")
}
