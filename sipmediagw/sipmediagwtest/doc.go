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
// SIPMediaGW.sh) of v1.5.1, v1.6.0 and v1.7.0; V18 is the released v1.8.4
// proxy (deploy/proxyAPI/proxy.py) in front of a FastAPI launcher with
// WithGateways gw_ids, and V18Launcher that launcher called directly;
// V18Head and V18HeadLauncher are the same at SIPMediaGW's unreleased HEAD
// (commit 564e7a5). Every answer below was checked against exchanges
// recorded with the real servers (sipmediagw/testdata/real), which the
// package's tests replay. What the fake reproduces:
//
//   - Legacy answers are Python's json.dumps (", " and ": ", non-ASCII as
//     \uXXXX) with Content-Type application/json, streamed as web.py
//     under cheroot does (chunked, no Content-Length). v1.5 answers raw
//     results and every error with HTTP 200; v1.6 wraps start and stop in
//     {"status": "success", "details": …} — also when the start failed —
//     and answers 400 for a missing room. Authentication: a leading
//     "Bearer " is cut and the rest must be the token, so a bare token
//     passes and "bearer <token>" fails; the 401 carries WWW-Authenticate:
//     Bearer error="invalid_token", no Content-Type, and "authorization
//     error" (v1.5, plain) or {"Error": "authorization error"}. POST /chat
//     is not authenticated. Unknown paths are web.py's 404 "not found"
//     (text/html; charset=utf-8), unknown methods its 405 "method not
//     allowed" (text/html, Allow listing the route's methods), and HEAD
//     runs GET.
//   - web.py's debug page answers whatever raises in the launcher: HTTP
//     500, titled with the exception's class ("<class
//     'json.decoder.JSONDecodeError'> at /start"), after the Content-Type
//     the handler had set if any (two Content-Type headers, text/html
//     last). It always shows the token (the module's allowedToken), the
//     Authorization header and the query.
//   - Legacy start runs SIPMediaGW.sh: the lowest free slot (WithSlots) or
//     "No free resources found" at once; then, after WithStartDelay, "ok"
//     with rtmpDst echoed (v1.5 echoes an unset variable: "uri": ""), or
//     "The gateway failed to launch" when the room is no compose project
//     name ([a-z0-9][a-z0-9_-]*), the Docker daemon is down
//     (SetDockerDown) or another project's container holds the name
//     gw<slot>: on v1.5 a container that exited on its own (Exit) does
//     until a stop removes it, v1.6 on prunes exited containers first. The
//     launcher parses the script's output after turning ' into ": a quote
//     or a stray backslash in rtmpDst (v1.6 on) makes the debug page with
//     the stream started. v1.5 and v1.6 hand the options to getopts glued
//     ("-r<room>"): from and loop are refused (debug page, nothing
//     started) and an empty room takes the next option as its value; v1.7
//     refuses from only, and names the project of an empty room gw<slot>.
//     The script reads the app from the container gw0: a room already
//     running is recreated on another slot (so it needs a free one), gw0
//     goes, and the launcher answers the debug page while the new
//     container runs.
//   - Legacy stop: v1.5 and v1.6 run "compose down" whatever runs, exited
//     projects included (the compose output joined by " => ", HTTP 200);
//     for a project that does not exist v1.5 answers "Warning: No resource
//     found to remove…" and v1.6 "" (newer compose logs the warning); with
//     the daemon down the answer is its error. v1.7 looks the room up, as
//     it is, among the running projects (400 "no running container for
//     room=R" otherwise, and when the daemon is down), stops the gw
//     service, or removes the project with a non-empty force. A stop
//     without room is a probe: 400 (v1.5: 200) "a room name must be
//     specified".
//   - Legacy chat: GET /chat?room=R&toggle (any value) sends the bot a
//     toggle of the chat panel, POST /chat {"room","msg"} a message. The
//     launcher runs "docker compose run … sh -c LINE" with the room, and
//     before v1.7 the message inside echo '…', pasted into LINE unquoted;
//     the fake runs LINE in a small dash (echo and netcat; other commands
//     are not found), so injected text acts as on a real server. The
//     answer is the run's stderr, lines joined by " => " (logrus warnings
//     left out), or {"res": "ok"}: netcat's error when no container answers
//     to the room's name (v1.5's netcat words it otherwise), the shell's
//     syntax error for a ' in the message before v1.7, the daemon's error
//     when it is down. Chat and ChatPanelVisible show what the bot decoded:
//     before v1.7 the message as dash's echo printed it (backslash
//     escapes interpreted), lost when it holds a " or its line passes 1024
//     bytes; v1.7 sends repr(msg.encode()), so the bot gets b'…' with
//     non-ASCII as xHH and backslashes dropped, and loses a message with
//     a quote (' included). The fake delivers v1.7's longer messages,
//     which a real bot loses now and then.
//   - v1.7's /progress runs "compose -p <room> ps": {"status": "success",
//     "gw_state": "down"} when the project runs nothing (or the daemon is
//     down), else {"status": "success", "transcript_progress": "0%"} for a
//     streaming bot.
//   - The FastAPI launcher answers compact JSON: {"status":"success",
//     "error":null,"data":…}, errors {"status":"error","error":{"code",
//     "detail"},"data":null}, validation 422 with "error":"Invalid input"
//     and pydantic 2's list in "message", routing errors {"detail":…}. It
//     starts only the gw_ids its host created (WithGateways makes "1" to
//     "n", WithLauncherIDs others): an unknown one is a 404 "Failed to
//     start gateway container"; a start of one that streams restarts its
//     container (the live is cut, 200); a streaming launch that fails
//     still answers 200, the container created but down. A stop of what
//     does not run is a 404 "no running container for gw_id=…" (force
//     never works); a stopped project stays, exited (status "down", detail
//     "exited"). With the daemon down (SetDockerDown) every route finds
//     nothing. v1.8.4 answers 500 for the status of an unknown gw_id and
//     acknowledges every command without sending it; HEAD answers 404,
//     passes sendChat (double quotes lost in its shell) and sendKey to a
//     running bot, 404 for a stopped one, and has /gateway/ivrConfig and
//     a CORS preflight.
//   - The v1.8.4 proxy checks "Bearer <token>" on every route (401
//     {"error": "authorization error"}); HEAD leaves /status and /command
//     open and words its /start 401 "authorization error invalid_token ".
//     Gateways join with POST /register (WithUnregistered starts with
//     none; a gw_ip other than LauncherAddr has no launcher answering:
//     starts through it are a plain 500). A start takes the first gateway
//     in state "started" (free), forwards to its launcher, relays its
//     answer through json.dumps and marks it "working"; 503 "No available
//     gateways" when none is free, 503 "Faild to parse Gateway Json
//     response" when the launcher refused. HEAD requires the browsing
//     field. A gateway stopped through it is "stopped" (room "None" on
//     v1.8.4, null on HEAD) until the monitor's next pass (every
//     WithFreeDelay, 30 s by default) sees its container down and makes it
//     "started" again; v1.8.4 keeps the room a dead stream had, HEAD's
//     pass forgets the room even of a running stream. v1.8.4's /command
//     forwards to a launcher route that does not exist: 404 {"detail":
//     "Not Found"}; HEAD's reaches the launcher's /gateway/command.
//     /admin/statuses answers the administrator token "admin-secret-key"
//     (both releases), HEAD showing a room or browsing a stop emptied as
//     null. A server whose token is that one (WithToken) lets a client
//     read it.
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
// OpToggle, OpChat or AllOps): LaunchFailure (as each release fails a
// launch), Busy, HTML500, Hang, Unauthorized, Status; SetDockerDown makes
// the Docker daemon unreachable.
package sipmediagwtest
