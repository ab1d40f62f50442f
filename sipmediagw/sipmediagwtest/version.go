package sipmediagwtest

import (
	"fmt"

	"github.com/bbbcast/bbbcast/sipmediagw"
)

// Version is the SIPMediaGW release a Server behaves as.
type Version string

// The releases the fake reproduces.
const (
	// V15 is the v1.5 web.py launcher: raw JSON answers, every error with
	// HTTP 200, a plain-text 401.
	V15 Version = "1.5"
	// V16 is the v1.6.0 web.py launcher (the "1.5.5" image era, what
	// Esup-Pod ≥ 3.8.2 needs): start and stop wrapped in
	// {"status": "success", "details": …}, 400 for a missing room, a JSON
	// 401.
	V16 Version = "1.6"
	// V17 is the v1.7.0 web.py launcher: as V16, plus GET /progress, a 400
	// from /stop when nothing runs and its force parameter.
	V17 Version = "1.7"
	// V18 is the v1.8 proxy (deploy/proxyAPI) in front of WithGateways
	// launchers: bearer-authenticated start and stop, gateways picked by
	// the proxy and addressed by their gw_id.
	V18 Version = "1.8"
	// V18Launcher is one v1.8 FastAPI launcher called directly, without
	// authentication; the caller chooses the gw_id. It behaves as the
	// launcher after v1.8.4: an unknown gw_id is a 404 and chat commands
	// reach the bot.
	V18Launcher Version = "1.8-launcher"
	// V184 is one v1.8.4 launcher called directly: as V18Launcher, but
	// the status of an unknown gw_id is a 500 (the launcher tests
	// "'exited' in None") and every command is acknowledged without
	// reaching the bot, so chat messages and toggles have no effect.
	V184 Version = "1.8.4"
)

// Versions lists every Version the fake reproduces, oldest first.
var Versions = []Version{V15, V16, V17, V18, V18Launcher, V184}

// LegacyVersions lists the web.py launchers.
var LegacyVersions = []Version{V15, V16, V17}

// IsLegacy reports whether v is a web.py launcher (v1.5–v1.7).
func (v Version) IsLegacy() bool { return v == V15 || v == V16 || v == V17 }

// IsLauncher reports whether v is a v1.8 launcher called directly.
func (v Version) IsLauncher() bool { return v == V18Launcher || v == V184 }

// Protocol returns the client protocol that speaks v.
func (v Version) Protocol() sipmediagw.Protocol {
	switch {
	case v.IsLegacy():
		return sipmediagw.Legacy
	case v == V18:
		return sipmediagw.V18
	default:
		return sipmediagw.V18Launcher
	}
}

// String returns the release, such as "1.7".
func (v Version) String() string { return string(v) }

func (v Version) valid() bool {
	for _, x := range Versions {
		if x == v {
			return true
		}
	}
	return false
}

func (v Version) check() {
	if !v.valid() {
		panic(fmt.Sprintf("sipmediagwtest: unknown version %q", string(v)))
	}
}
