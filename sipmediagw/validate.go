package sipmediagw

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// StartParams describe the stream to start.
type StartParams struct {
	// Room names the stream. Legacy: a Docker Compose project name
	// ([a-z0-9]([a-z0-9_-]*[a-z0-9])?, not "0", at most 63 characters), the handle
	// of the stream; the bot opens https://{Domain}/{Room}. v1.8: at
	// least 5 characters from [a-zA-Z0-9-_/], the path the bot opens on
	// the domain configured on the gateway host.
	Room string
	// Domain is the host and optional path of the page the legacy bot
	// opens (https://{Domain}/{Room}); a credential, never logged.
	// Ignored by v1.8, where the gateway host configures it.
	Domain string
	// RTMPURL is where the stream is pushed (rtmp:// or rtmps://); its
	// path holds the stream key, never logged.
	RTMPURL string
	// GatewayID is the gw_id to use with V18Launcher, which leaves the
	// choice to the caller. Ignored otherwise (the proxy picks one).
	GatewayID string
}

// secrets lists what a server may echo of p and errors must not show: the
// RTMP URL and its path (the stream key), the bot's domain, and the
// room's credentials.
func (p *StartParams) secrets() []string {
	list := append([]string{p.RTMPURL, p.Domain}, roomSecrets(p.Room)...)
	if u, err := url.Parse(p.RTMPURL); err == nil && len(u.Path) > 1 {
		list = append(list, strings.TrimPrefix(u.Path, "/"))
		if i := strings.LastIndexByte(u.Path, '/'); i >= 0 && len(u.Path)-i > 4 {
			list = append(list, u.Path[i+1:])
		}
	}
	return list
}

// roomSecrets lists what of a room is a credential: a v1.8 room is a path
// on the portal (bot/<id>/<secret>/<room>, say), whose long segments may
// be secrets. A legacy room (a short project name) is none.
func roomSecrets(room string) []string {
	if !strings.Contains(room, "/") {
		return nil
	}
	list := []string{room}
	for seg := range strings.SplitSeq(room, "/") {
		if len(seg) >= minSecretSegment {
			list = append(list, seg)
		}
	}
	return list
}

// minSecretSegment is the shortest segment of a room path taken for a
// credential: 16 characters, more than an ID or a legacy room.
const minSecretSegment = 16

func (p *StartParams) validate(proto Protocol) error {
	const op = "start"
	if err := validateRoom(op, proto, p.Room); err != nil {
		return err
	}
	if proto == Legacy {
		if err := validateDomain(op, p.Domain); err != nil {
			return err
		}
	}
	if err := validateRTMP(op, p.RTMPURL); err != nil {
		return err
	}
	if proto == V18Launcher {
		if err := validateGatewayID(op, p.GatewayID); err != nil {
			return err
		}
	}
	return nil
}

const maxLegacyRoom = 63

func validateRoom(op string, proto Protocol, room string) error {
	bad := func(reason string) error { return &ParamError{Op: op, Param: "room", Reason: reason} }
	if room == "" {
		return bad("required")
	}
	if proto == Legacy {
		if room == "0" {
			return bad(`"0" is not a room for the legacy launcher`)
		}
		if len(room) > maxLegacyRoom {
			return bad("at most 63 characters (a Docker Compose project name)")
		}
		// A Docker Compose project name, ending with a letter or digit:
		// v1.7's stop and progress strip trailing '-' and '_' before
		// looking the room up, and would never find it.
		for i := 0; i < len(room); i++ {
			c := room[i]
			lowerOrDigit := 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
			if !lowerOrDigit && (i == 0 || i == len(room)-1 || c != '_' && c != '-') {
				return bad("must match [a-z0-9]([a-z0-9_-]*[a-z0-9])? (a Docker Compose project name)")
			}
		}
		return nil
	}
	if len(room) < 5 {
		return bad("at least 5 characters for v1.8")
	}
	for i := 0; i < len(room); i++ {
		c := room[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '/') {
			return bad("may contain only [a-zA-Z0-9-_/] for v1.8")
		}
	}
	return nil
}

// shellUnsafe reports characters the servers pass to a shell or a compose
// file unquoted: quotes, backslashes, white space and control characters.
func shellUnsafe(s string) bool {
	for _, r := range s {
		switch {
		case r == '\'' || r == '"' || r == '`' || r == '\\' || r == '$':
			return true
		case r <= ' ' || r == 0x7f || r == 0x85 || r == 0xa0 || r == 0x2028 || r == 0x2029:
			return true
		}
	}
	return false
}

func validateDomain(op, domain string) error {
	bad := func(reason string) error { return &ParamError{Op: op, Param: "domain", Reason: reason} }
	if domain == "" {
		return bad("required for the legacy launcher (host and path of the bot's page)")
	}
	if !utf8.ValidString(domain) || shellUnsafe(domain) {
		return bad("must not contain quotes, backslashes, $, white space or control characters")
	}
	if strings.Contains(domain, "://") {
		return bad("host and path only, without a scheme (the bot adds https://)")
	}
	u, err := url.Parse("https://" + domain)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return bad("must be a host with an optional path")
	}
	return nil
}

func validateRTMP(op, raw string) error {
	bad := func(reason string) error { return &ParamError{Op: op, Param: "rtmpURL", Reason: reason} }
	if raw == "" {
		return bad("required")
	}
	if !utf8.ValidString(raw) || shellUnsafe(raw) {
		return bad("must not contain quotes, backslashes, $, white space or control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a URL")
	}
	if u.Scheme != "rtmp" && u.Scheme != "rtmps" {
		return bad("scheme must be rtmp or rtmps")
	}
	if u.Host == "" {
		return bad("no host")
	}
	return nil
}

func validateGatewayID(op, id string) error {
	if id == "" {
		return &ParamError{Op: op, Param: "gatewayID", Reason: "required with the v1.8 launcher"}
	}
	if len(id) > 64 || shellUnsafe(id) || strings.ContainsAny(id, "/?#&") {
		return &ParamError{Op: op, Param: "gatewayID", Reason: "at most 64 characters, no quotes, slashes, white space or control characters"}
	}
	return nil
}

func validateSession(op string, c *Client, s Session) error {
	if s.Protocol != c.protocol {
		return &ParamError{Op: op, Param: "session", Reason: "made by a client of protocol " + s.Protocol.String() + ", not " + c.protocol.String()}
	}
	if c.protocol == Legacy {
		return validateRoom(op, Legacy, s.Room)
	}
	return validateGatewayID(op, s.GatewayID)
}
