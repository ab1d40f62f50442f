// Package sipmediagwtest provides a fake SIPMediaGW server for tests, in
// the spirit of net/http/httptest: NewServer starts a real HTTP server on
// loopback that answers as one release of RENATER's streaming gateway does,
// byte for byte where a client could notice, and keeps its containers, chat
// messages and chat panel in memory.
//
// A host test needs three lines:
//
//	srv := sipmediagwtest.NewServer(sipmediagwtest.V17)
//	defer srv.Close()
//	c := srv.Client() // a *sipmediagw.Client already pointed at srv
//
// # Versions
//
// V15, V16 and V17 are the web.py launcher (HTTPLauncher.py and
// SIPMediaGW.sh); V18 is the v1.8 proxy (deploy/proxyAPI/proxy.py) in front
// of WithGateways FastAPI launchers; V18Launcher and V184 are one FastAPI
// launcher called directly. What the fake reproduces:
//
//   - Legacy answers are Python's json.dumps (", " and ": ", non-ASCII as
//     \uXXXX) with Content-Type application/json. v1.5 answers raw
//     results and every error with HTTP 200; v1.6 wraps start and stop in
//     {"status": "success", "details": …} — also when the start failed —
//     and answers 400 for a missing room. Authentication: a leading
//     "Bearer " is cut and the rest must be the token, so a bare token
//     passes and "bearer <token>" fails; the 401 carries WWW-Authenticate:
//     Bearer error="invalid_token", no Content-Type, and "authorization
//     error" (v1.5, plain) or {"Error": "authorization error"}. POST /chat
//     is not authenticated.
//   - Legacy start takes the lowest free slot (WithSlots) or answers "No
//     free resources found" at once; then, after WithStartDelay, "ok" with
//     the rtmpDst echoed, or "The gateway failed to launch" when the room
//     is not a compose project name ([a-z0-9][a-z0-9_-]*). A room already
//     running is recreated on a new slot (so it needs a free one). The
//     launcher parses the script's output after turning ' into ": a quote
//     or a stray backslash in rtmpDst, or the from parameter (the script
//     refuses -f), makes web.py's debug page, HTTP 500, which shows the
//     token and the query — with the stream started in the first case. An
//     empty room= starts a project named gw<slot>.
//   - Legacy stop: v1.5 and v1.6 run "compose down" whatever runs (the
//     compose output joined by " => ", or "Warning: No resource found to
//     remove…", HTTP 200); v1.7 looks the sanitized room up among running
//     projects (400 "no running container for room=R" otherwise), stops
//     the gw service, or removes the project with a non-empty force. A
//     stop without room is a probe: 400 (v1.5: 200) "a room name must be
//     specified".
//   - Legacy chat: GET /chat?room=R&toggle (any value) flips the chat
//     panel, POST /chat {"room","msg"} hands the message to the bot; both
//     answer {"res": "ok"}, or netcat's error (HTTP 200) when no container
//     answers to the room's name. v1.5 breaks on a ' in the message (the
//     shell's error comes back).
//   - v1.7's /progress answers {"status": "success", "gw_state": "down"},
//     or {"status": "success"} alone for a running streaming bot. Unknown
//     paths are web.py's 404 "not found", unknown methods its 405 "None".
//   - The FastAPI launcher answers compact JSON: {"status":"success",
//     "error":null,"data":…}, errors {"status":"error","error":{"code",
//     "detail"},"data":null}, validation 422 with "error":"Invalid input"
//     and pydantic's list in "message", routing errors {"detail":…}. A
//     failed or busy start is a 404 "Failed to start gateway container"; a
//     stop of what does not run a 404 "no running container for gw_id=…"
//     (force never works); a stopped project stays, exited (status "down",
//     detail "exited"). V184 answers 500 for the status of an unknown
//     gw_id and acknowledges commands without sending them; V18Launcher
//     answers 404 and passes sendChat and sendKey to the bot.
//   - The proxy checks "Bearer <token>" exactly on /start (401
//     {"error": "authorization error invalid_token "}) and /stop, not on
//     /status or /command (proxy.py has those checks commented out or
//     absent). It allocates the first gateway in state "started" (free),
//     relays the launcher's answer through json.dumps, marks it "working",
//     answers 503 "No available gateways" when none is free and 503 "Faild
//     to parse Gateway Json response" when the launcher refused. A
//     gateway stopped through it is "stopped" until the monitor's next
//     pass (every WithFreeDelay, 30 s by default) sees its container down
//     and makes it "started" again; that pass also forgets the room.
//
// # Time
//
// Delays and the proxy's monitor run on the clock given with WithClock
// (github.com/benbjohnson/clock), so tests drive it with clock.NewMock and
// never sleep: WaitPending tells when a request blocks on its start or
// stop delay, so the test can advance the mock clock. The monitor is lazy:
// every request and helper applies the passes that fell due first. A
// start or stop completes even when its client gave up, as on a real
// server.
//
// # Helpers and faults
//
// Helpers take a stream key: a sipmediagw.Session handle ("legacy:<room>",
// "v1.8:<gw_id>", "v1.8-launcher:<gw_id>") or the bare room or gw_id.
// Running, Stream and IsRunning show the containers with their parameters
// as given (RTMP URL included); Chat and ChatPanelVisible what the bot
// received; Requests the requests with the token, rtmpDst, rtmp_dst and
// domain redacted; StartCount and StopCount the requests received; Exit
// ends a container as a crash would; Poll runs the proxy's monitor now.
// Fail injects faults per operation (OpStart, OpStop, OpProbe, OpStatus,
// OpToggle, OpChat or AllOps): LaunchFailure (the container is left
// behind), Busy, HTML500, Hang, Unauthorized, Status.
package sipmediagwtest
