// Package sipmediagw drives SIPMediaGW (RENATER's room connector) as a
// streaming bot: a container on the gateway host opens a web page in
// Chrome, joins the BigBlueButton meeting and pushes screen and sound to
// an RTMP URL with ffmpeg.
//
// One Client speaks one of two very different HTTP APIs, chosen with
// WithProtocol:
//
//   - Legacy, the web.py launcher of v1.5, v1.6 and v1.7 (GET /start,
//     /stop, /chat, /progress on port 8080 or 80). A stream is addressed by
//     its room. The versions' quirks are handled inside: v1.5's bare
//     answers, v1.6's "status": "success" envelope around failures, v1.7's
//     400 for a stop with nothing running.
//   - V18, the v1.8 proxy (bearer token, picks a free gateway and answers
//     its gw_id, the stream's handle from then on), or V18Launcher, a v1.8
//     launcher called directly (no authentication; the caller picks the
//     gw_id).
//
// Start returns a Session: persist its Handle and pass the Session back to
// Stop, ToggleChat, SendChat and Status, from any process.
//
// # Checking a server
//
// Check tells, before a webinar, whether a server can be used as the
// client is configured, with requests no server acts upon (a stop without
// a room or gw_id, statuses), each sent once. It reports in a ServerCheck
// the protocol the server really speaks and its release (ReleaseV15 to
// ReleaseV17, ReleaseV184 for v1.8.0 to v1.8.4, which are the same, and
// ReleaseAfterV184), whether the token is accepted, and free and total
// gateways where the server tells them: a v1.8 launcher's status of the
// gw_id given, the v1.8 proxy's /admin/statuses (which answers its
// administrator token only). Each kind of server is told by answers only
// it gives (web.py's HTML 404 and 405 pages and {"Error": …}, the proxy's
// 401 and 400 to a stop without gw_id, Starlette's {"detail": …} for a
// route an app lacks, the launcher's {"status": …} to a status), so a
// server of another protocol is a *ProtocolError (ErrWrongProtocol),
// never a refused token nor a healthy server. A refused token matches
// ErrUnauthorized; a busy gateway is no error, only Free 0.
//
// # Releases
//
// The client is checked against exchanges recorded with the real servers
// (testdata/real): the web.py launcher of v1.5.1, v1.6.0 and v1.7.0, the
// v1.8.4 FastAPI launcher and proxy, and both at SIPMediaGW's unreleased
// HEAD. Where releases differ, the client tells them apart itself:
//
//   - v1.8 proxy status: "started" is a free gateway (registered, or seen
//     down by the proxy's last check), whatever room it still shows;
//     "working" streams; "stopped" was stopped and is not free yet.
//   - Chat on v1.8: the v1.8.4 proxy forwards /command to a route its
//     launchers lack, and a v1.8.4 launcher acknowledges commands without
//     carrying them out: both are ErrNotSupported. A V18Launcher client
//     asks once, by a route only later launchers have, which one it talks
//     to.
//   - Chat on the legacy launcher: the bot loses a line over 1,024 bytes,
//     so messages are bounded to MaxLegacyChatBytes; v1.7 delivers the
//     repr of the message's bytes (b'…', non-ASCII as xHH) and drops one
//     with a quote, so a v1.7 launcher (told apart once by its /progress
//     route) gets printable ASCII without quotes.
//   - A v1.8 launcher starts only the gw_ids its host created at boot
//     (start_all_gateways.bash; gateway.Server.LauncherID), and restarts
//     one that streams. Before a start the client asks the gw_id's status
//     and refuses a streaming one (ErrBusy) or an unknown one
//     (ErrRejected), sending nothing else.
//
// # Limits of the servers
//
// Some flaws of the servers no client can mend:
//
//   - A v1.8 launcher does not wait for a streaming bot: a launch that
//     fails answers success, and the status says "down" afterwards.
//   - A v1.8 launcher answers a busy gateway and a failed launch with the
//     same 404 "Failed to start gateway container": both are
//     ErrLaunchFailed.
//   - The v1.8 proxy frees a stopped gateway only at its next 30 s check;
//     it records a room only once its launcher answered, and answers a
//     failed launch with a 503 without gw_id: a stop right after a
//     timed-out start finds nothing to stop (hence the cleanup window
//     below). HEAD's check also forgets the room of a running stream, so
//     StopRoom finds nothing after it.
//   - The v1.8 proxy marks the gateway it picks busy only once its
//     launcher answered: two starts at once take the same gateway, and
//     the later restarts the container for its room. v1.8.4's running
//     containers also register again every minute, which marks their
//     gateway free: a later start takes it and restarts it. Give each
//     portal its own proxy and start one stream at a time through it, or
//     call the launchers directly (V18Launcher), where the client checks
//     the gw_id first.
//   - The v1.8 proxy's token is the literal "1234" in proxy.py (the
//     README's PROXY_TOKEN is read by nothing), its administrator token
//     "admin-secret-key": edit both, and serve the proxy over TLS.
//   - SIPMediaGW.sh asks the container gw0 which app it runs: the legacy
//     launcher starting a room that already runs restarts it and answers
//     its debug page (HTTP 500), and so does a start that ends while gw0
//     is not up (two starts at once), its container running. The client
//     then stops the room, as after any failed start.
//   - With the Docker daemon down, v1.7 answers a stop "no running
//     container", which reads as stopped.
//
// # Deploying the legacy launcher safely
//
// The legacy launcher's POST /chat checks no token, and the launcher
// passes the request's values to a shell: a room can run any command on
// v1.5.1, v1.6.0 and v1.7.0 (with the gateway's credentials in its
// environment), a single quote in a message can on v1.5.1 and v1.6.0, and
// a body that is not JSON answers a debug page that prints the token.
// This client sends only rooms it can vouch for ([a-z0-9_-], as the
// webinar package generates them), sanitizes messages and never sends a
// body that is not JSON, but anyone who reaches the port can do the rest.
// Never expose the launcher's port: put a reverse proxy with TLS in front
// that requires the bearer token on every route, POST /chat included, and
// accepts only the portal's addresses.
//
// # Outcomes
//
// Answers are mapped exactly, never taken at their word: a legacy
// "status": "success" around "No free resources found" is ErrBusy, around
// "The gateway failed to launch" ErrLaunchFailed. A 401 is ErrUnauthorized,
// an unknown session ErrNotRunning. Stop is idempotent: every "nothing is
// running" answer is success. An HTML page (the legacy server's debug page
// shows the token) or any unreadable answer is a *ResponseError that never
// includes the body.
//
// # Safety
//
//   - Start is never retried, and a start that failed or timed out is
//     followed by a stop so no container is left behind (on by default).
//     A launcher goes on after the client gave up (an image pull makes a
//     start last minutes), so after a failure that leaves the server's
//     side unknown (a timeout, a dropped connection, an unreadable answer)
//     the client keeps stopping the room over a window as long as a start
//     (WithCleanupWindow) until it sees a container stopped. The error is
//     a *StartError naming the room; its MayRun says a stream may still
//     run, which the caller then owns and must stop.
//     Stop, Status and Probe are retried on connection errors and 5xx.
//   - Timeouts are sized for a server that blocks: 60 s for start, 45 s per
//     stop attempt, 10 s otherwise (WithStartTimeout, …).
//   - Rooms, domains and RTMP URLs are checked before sending (the legacy
//     server interpolates them into a shell command); chat messages are
//     sanitized (SanitizeChat).
//   - HTTPS with certificate verification by default; plain HTTP needs
//     WithInsecureHTTP and is logged as a warning. The default token
//     "1234" and tokens under 8 characters need WithInsecureToken.
//   - The token, RTMP stream keys and the bot's page URL never appear in
//     logs or errors; nothing is logged unless WithLogger is given.
package sipmediagw
