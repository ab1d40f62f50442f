// Package bbbtest provides a fake BigBlueButton server for tests, in the
// spirit of net/http/httptest: NewServer starts a real HTTP server on
// loopback that speaks the BBB API, verifies checksums exactly as BBB does
// and keeps meetings, attendees, chat, documents, recordings and webhooks
// in memory.
//
// A host test needs three lines:
//
//	srv := bbbtest.NewServer()
//	defer srv.Close()
//	c := srv.Client() // a *bbb.Client already pointed at srv
//
// # Fidelity
//
// The fake follows BBB 2.4–3.x as seen from the API:
//
//   - Every call under <URL>/api/ is checked with bbb.Verify against the raw
//     query string; the algorithm is picked by the checksum's length and
//     must be one the release of WithVersion accepts (SHA-1 and SHA-256 up
//     to 2.5.6, SHA-256 alone in 2.5.7, all four from 2.5.8), further
//     restricted by WithChecksumAlgorithms. A failure is BBB's FAILED
//     checksumError answer (HTTP 200, text/xml). POST bodies are never part
//     of the checksum; with every parameter in a form body, 3.0 checks the
//     checksum of an empty query string and earlier releases that of the
//     parameters sorted by name.
//   - meetingID is validated as the release does: from 2.4.0, 2 to 256
//     UTF-16 units without a comma (any other character, "会议-2024"
//     included); in the 2.4 alphas ("2.4-alpha-2"), only ASCII letters,
//     digits, spaces and !@#$%^&*()_-+=[]{};:.'"<>?\|/ (validationError
//     either way); up to 2.3, only a comma is refused (invalidFormat).
//   - A POST's form body (application/x-www-form-urlencoded, or the text
//     fields of multipart/form-data) carries parameters, after the query
//     string's. From 2.6.18, 2.7.8 and 3.0 a POST body must have a type its
//     call supports, or it gets unsupportedContentType: create takes forms
//     and XML <modules> (application/xml, text/xml), insertDocument only
//     application/xml, the other calls forms. Earlier releases read any
//     body.
//   - Unknown calls, and calls too new for WithVersion (sendChatMessage
//     before 3.0, insertDocument before 2.5), get a 404 HTML page. Calls
//     answer GET and POST, except from 3.0 join (GET only) and
//     insertDocument (POST only); another method gets 405 with Allow.
//   - create generates missing passwords, derives internalMeetingID from
//     sha1(meetingID) and the creation time on the injected clock, answers
//     duplicateWarning or idNotUnique for a meeting that exists, and keeps
//     meta_* parameters with lower-cased keys.
//   - join answers a 302 to <host>/html5client/join?sessionToken=… (or XML
//     with redirect=false). A join does not add an attendee: a user appears
//     when the browser opens that URL (a GET on the fake does it) or when a
//     test calls UserJoins. Join errors follow BBB: from 2.7 they honour
//     redirect=false and answer XML; otherwise, and always before 2.7, they
//     redirect to errorRedirectUrl (2.7+) or the server's default logout
//     URL with errors=[{"key":…,"message":…}] appended.
//   - /html5client/join is a minimal meeting room for a human trying
//     things out: meeting name, user and role, attendees, and the public
//     chat (oldest first, UTC times on the injected clock), updated every
//     3 s without losing what is being typed. Its forms post to
//     /html5client/chat (sessionToken, message: trimmed, 1 to 500
//     characters as for sendChatMessage; stored as by PostChat; 303 back)
//     and /html5client/leave (sessionToken: as UserLeaves; opening the
//     room again rejoins). The room also carries, inert, the controls a
//     streaming bot drives after joining (the audio modal, the action
//     bar's audio and camera buttons, the camera preview, 3.0's
//     session-details modal, the chat's toggle, #message-input and
//     sendMessageButton), with the real client's ids, data-test and
//     aria-label attributes, opened at join as BBB's client does for the
//     session's userdata (bbb_auto_join_audio, bbb_listen_only_mode,
//     bbb_skip_check_audio, bbb_show_session_details_on_join).
//     Cross-site POSTs are 403, an unknown token 401,
//     chatting from outside the meeting 403, a bad message 400. As the end
//     drops a meeting's sessions, the room's own URL and forms carry its
//     internal ID (meeting=…): for the minute BBB keeps an ended meeting,
//     the room answers 410 "The meeting has ended" and the forms 404.
//   - isMeetingRunning is true only while a meeting has attendees.
//   - An ended meeting stays, ended (hasBeenForciblyEnded, endTime, not
//     running), in both getMeetingInfo and getMeetings for a minute, then
//     disappears from both, as BBB's MeetingService keeps it until destroyed.
//   - end marks the meeting forcibly ended at once (BBB does it a few
//     seconds later) and fires meta_endCallbackUrl with meetingID and
//     recordingmarks appended, from a goroutine, retrying after 30 s, 1 min,
//     2 min and 5 min of the injected clock when the receiver fails.
//   - A meeting created with record=true that was recorded at least once
//     (autoStartRecording, or SetRecording as the record button) produces
//     a recording when it ends (breakout rooms excepted): its record ID is
//     the internal meeting ID, it is "processing" at once and "published"
//     after WithRecordingDelay on the injected clock, with rawSize, size
//     and one "presentation" playback (url, length in minutes, size,
//     preview images). When create had meta_bbb-recording-ready-url, the
//     publication POSTs signed_parameters (an HS256 JWT of meeting_id and
//     record_id signed with the secret, as bbb.VerifyRecordingReady
//     checks) to it, once; WaitRecording and WaitDeliveries tell a test
//     when it happened.
//   - Recordings (also seeded with AddRecording) answer getRecordings,
//     publishRecordings, deleteRecordings, updateRecordings and the JSON
//     text-track calls.
//   - Webhooks registered with hooks/create (kept in memory; hooks/destroy,
//     hooks/list) receive meeting-created, user-joined, user-left,
//     meeting-ended and rap-publish-ended (the fake's own recordings) as
//     bbb-webhooks posts them: a form of event (a JSON array of one
//     {"data":{"type":"event","id",…,"attributes":{"meeting":{…}},
//     "event":{"ts"}}}), timestamp and domain, with checksum=SHA-1 of
//     callbackURL + body + secret appended to the callback URL, as
//     bbb.VerifyWebhook checks. A hook on a meetingID gets only that
//     meeting's events, one with eventID only those events; getRaw hooks
//     get the same mapped events. WithWebhookBearer sends an
//     "Authorization: Bearer <secret>" header instead of the checksum
//     (bbb-webhooks' auth2_0), WithPermanentHook registers a permanent hook
//     (its permanentURLs). Deliveries are sent in order, one at a time; an
//     event the receiver refuses (neither 2xx nor 401, or no answer) is
//     posted again after 100 ms, 500 ms, 1, 2, 4, 8, 10 and 30 s, then 1 min
//     four times (bbb-webhooks' retryIntervals), after which the hook is
//     removed, or for a permanent hook retried every minute. FireWebhook
//     posts any event on demand.
//   - Guests: a guest's join that gets WAIT (guestPolicy ASK_MODERATOR, or
//     ALWAYS_ACCEPT_AUTH unauthenticated) redirects to
//     /html5client/guestWait, a lobby page that reloads every 5 s and
//     shows the place in the queue (2.5+). The guestWait call (GET, no
//     checksum) answers its JSON (guestStatus, url, lobbyMessage,
//     positionInWaitingQueue from 2.5; missingToken, missingSession),
//     redirecting an allowed guest to the client unless redirect=false.
//     ApproveGuest and DenyGuest (or the control API) play the moderator;
//     an allowed guest waits for a seat (seatWait) while the meeting is
//     full; a denied one is sent to the meeting's logout URL and refused
//     by the client. A guest ALWAYS_DENY refuses gets, up to 2.5, a join
//     answer (guestDeny) pointing at the logout URL, later the
//     guestDeniedAccess error.
//   - endWhenNoModerator=true (2.3.2+) ends a meeting once a moderator has
//     joined and none has been in it for endWhenNoModeratorDelayInMinutes
//     (2.3.3+, default 1) since the last one left; BBB notices within
//     10 s, the fake at the minute. meetingEndedURL (create) is called, as
//     given, whenever a meeting ends, besides meta_endCallbackUrl, with the
//     same retries; Callbacks lists both.
//   - The room of an ended meeting offers its logout URL (create's
//     logoutURL, else the server's root), as 3.0's "meeting ended" dialog.
//   - getJoinUrl (3.0, GET or POST, no checksum): for the sessionToken of
//     a user in a running meeting, a new join URL of that user signed
//     with SHA-1, as bbb-web builds it; no answer (404) for an unknown
//     token. 3.0's feedback call, added and then removed during 3.0's
//     development (the feedback form was dropped), is not served.
//
// # Time
//
// All timing uses the clock given with WithClock (github.com/benbjohnson/clock),
// so tests drive it with clock.NewMock and never sleep. Expiry is
// deterministic: every request and every helper first applies the rules
// against clock.Now() (a meeting nobody joined is removed after
// WithMeetingExpiry, an emptied meeting after WithEmptyMeetingExpiry, one
// without a moderator after endWhenNoModeratorDelayInMinutes, an ended
// meeting is forgotten one minute after its end), and a timer on the clock
// applies them at the earliest deadline when no request comes, so end
// callbacks fire on time as BBB's do; Sweep applies them on demand.
// Callback and webhook retries, the publication of recordings and Fault
// delays are clock timers: WaitCallbacks, WaitRecording, WaitDeliveries
// and WaitDelayed tell a test when to advance the mock clock, or that what
// it released has happened.
//
// # Test helpers
//
// Besides the HTTP API the Server has helpers to play the part of BBB's
// users and operators (UserJoins, UserLeaves, EndMeeting, PostChat,
// AddRecording, AddBreakout, …), to inspect the state (Meeting, Chat,
// Documents, Requests, Callbacks, …) and to inject faults (Fail). The
// request log redacts checksums and passwords. For raw HTTP tests,
// SignedURL signs a call and HTTPClient returns a client that does not
// follow join's redirect.
//
// # Other languages
//
// The fakebbb command (bbb/bbbtest/fakebbb) runs the server as a process
// on a fixed address (WithAddr), with redirects on a public URL
// (WithPublicURL). Under ControlPath the server also serves a JSON control
// API that plays the helpers' part over HTTP, so that a suite in any
// language lists meetings and attendees, makes users join and leave, ends
// meetings, injects faults, adds recordings, fires webhook events and
// resets the state.
package bbbtest
