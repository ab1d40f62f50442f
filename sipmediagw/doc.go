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
// # Limits of the servers
//
// Some answers cannot be told apart, whatever the client does:
//
//   - A v1.8 launcher answers a busy gateway and a failed launch with the
//     same 404 "Failed to start gateway container": both are
//     ErrLaunchFailed.
//   - The v1.8 proxy records a room only once its launcher answered, and
//     answers a failed launch with a 503 without gw_id: a stop right after
//     a timed-out start finds nothing to stop (hence the cleanup window
//     below), and a container the launcher left behind keeps its gateway
//     busy until the proxy's next check.
//   - The v1.8 proxy's "started" state means an idle gateway in some
//     versions and a call in progress in others; Status reads it with the
//     room the proxy reports.
//   - v1.8.4 launchers ignore the sendChat command (it answers success).
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
