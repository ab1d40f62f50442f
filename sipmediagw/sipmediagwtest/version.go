package sipmediagwtest

import (
	"fmt"
	"slices"

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
	// V18 is the released v1.8 proxy (deploy/proxyAPI at v1.8.4, the
	// same from v1.8.0) in front of WithGateways v1.8.4 launchers:
	// bearer-authenticated routes, gateways registered with POST
	// /register and picked by the proxy, addressed by their gw_id; a
	// /command route that forwards to a launcher route that does not
	// exist (404 {"detail": "Not Found"}), and a status whose room is the
	// string "None" once stopped.
	V18 Version = "1.8"
	// V18Head is the proxy and launchers at SIPMediaGW's unreleased HEAD
	// (commit 564e7a5, July 2026): /status and /command without token
	// check, a required browsing field, commands that reach the bot, a
	// status with browsing, null rooms, and rooms forgotten by each poll.
	V18Head Version = "1.8-head"
	// V18Launcher is one v1.8.4 FastAPI launcher called directly, without
	// authentication: only the gw_ids created on its host start (others
	// are a 404), a start of a streaming gw_id restarts its container, the
	// status of an unknown gw_id is a 500, and every command is
	// acknowledged without reaching the bot.
	V18Launcher Version = "1.8-launcher"
	// V18HeadLauncher is a HEAD launcher called directly: as V18Launcher,
	// but an unknown gw_id's status is a 404, its status shows room and
	// browsing, and sendChat and sendKey reach the bot.
	V18HeadLauncher Version = "1.8-head-launcher"
)

// Versions lists every Version the fake reproduces, oldest first.
var Versions = []Version{V15, V16, V17, V18, V18Head, V18Launcher, V18HeadLauncher}

// LegacyVersions lists the web.py launchers.
var LegacyVersions = []Version{V15, V16, V17}

// IsLegacy reports whether v is a web.py launcher (v1.5–v1.7).
func (v Version) IsLegacy() bool { return v == V15 || v == V16 || v == V17 }

// IsLauncher reports whether v is a v1.8 launcher called directly.
func (v Version) IsLauncher() bool { return v == V18Launcher || v == V18HeadLauncher }

// IsProxy reports whether v is a v1.8 proxy.
func (v Version) IsProxy() bool { return v == V18 || v == V18Head }

// IsHead reports whether v is SIPMediaGW's unreleased HEAD.
func (v Version) IsHead() bool { return v == V18Head || v == V18HeadLauncher }

// Protocol returns the client protocol that speaks v.
func (v Version) Protocol() sipmediagw.Protocol {
	switch {
	case v.IsLegacy():
		return sipmediagw.Legacy
	case v.IsProxy():
		return sipmediagw.V18
	default:
		return sipmediagw.V18Launcher
	}
}

// String returns the release, such as "1.7".
func (v Version) String() string { return string(v) }

func (v Version) valid() bool {
	return slices.Contains(Versions, v)
}

func (v Version) check() {
	if !v.valid() {
		panic(fmt.Sprintf("sipmediagwtest: unknown version %q", string(v)))
	}
}
