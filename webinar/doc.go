// Package webinar runs webinars: a BigBlueButton meeting whose presenters
// meet in BBB while a SIPMediaGW bot streams it to an audience that
// watches on the portal and chats back.
//
// # The invariant
//
// At any instant a gateway carries at most one webinar's stream, and
// every stream the Service started is owned by a stored webinar that will
// stop it, or is stopped. The Service keeps it through crashes and faults
// by these rules:
//
//   - The booking holds the real live period. A webinar is booked for its
//     slot when created (back-to-back slots share a gateway, as in
//     Esup-Pod). It may start from Config.EarlyStart (30 minutes) before
//     its slot: the start books from then to the slot's end, on its
//     gateway when that is free, else on another free gateway of the pool
//     (the host hears LiveEventUpdated: the HLS URL changed), else it is
//     refused with a *gateway.NoGatewayFreeError that names who holds the
//     gateways until when. While live, the watcher extends the booking
//     ahead of its end, on the same gateway only, up to Config.Overrun
//     (15 minutes) past the slot, moving a webinar booked next on that
//     gateway that has not started to another free gateway of its pool
//     (LiveEventUpdated again). A live whose booking still cannot be
//     extended (no gateway to move the next webinar to, or the overrun is
//     over) is stopped at the first tick after its booking ends, or at
//     once by the next webinar's start on that gateway, which stops the
//     overrunning stream before launching its own.
//   - Streams are owned until a stop is confirmed. A webinar keeps the
//     Session of any stream that may run (in every state, Failed
//     included; SessionByRoom when only the room is known) until the
//     gateway confirms it stopped. End, Delete and Reconcile stop by
//     session or by the bot's room, whatever the state; Delete of a
//     webinar that still owns a stream stops it first or refuses. A
//     booking is never moved or released while its webinar may stream.
//   - One process drives a webinar at a time: an operation holds the
//     webinar's lease (Config.LeaseTTL), renewed every third of it, and
//     stops before its next side effect when it lost it. Every remote
//     call is bounded by Config.StepTimeout, which the lease outlives.
//   - State is stored before side effects, with compare-and-set, so that
//     Reconcile settles what a crash leaves: a step in progress, a failed
//     stop, a webinar recorded without its booking, a booking whose
//     webinar is gone.
//
// # States
//
// A Webinar goes through a state machine, Scheduled → Starting → Live →
// (StoppingLive → LiveStopped → Starting …) → Ending → Ended, plus Failed
// with a reason; State.Check refuses the other transitions with
// ErrInvalidState.
//
// # Service
//
// Service.Create books a gateway (package gateway) and tells the host of
// the live event; Update edits it (a new slot keeps, moves or refuses the
// booking atomically). Start, StopLive, RestartLive and End store their
// first step and return at once, finishing in the background under the
// lease (a real launcher takes 10 to 30 seconds): progress reaches the
// host through the Notifier and Get, and Wait waits for the end. Start
// creates the BBB meeting with a signed end callback and starts the
// stream, idempotently. PostChat relays the audience's messages through
// the bot or BBB's sendChatMessage; SetChatShown shows or hides the chat
// panel in the stream without blind toggles. A Policy (PodPolicy by
// default) decides who may create, manage and chat. Close waits for the
// background work, or hands it over to Reconcile.
//
// # End detection
//
// The end callback BBB sends when a meeting ends stops its stream at once
// (MeetingEnded, after BBB confirms). The watcher (Watch, Tick) asks each
// BBB server once per tick which meetings run, ends webinars whose meeting
// is missing twice in a row, keeps the lives' bookings, and runs
// Reconcile.
//
// # Host integration
//
// Service.Handler serves, under any prefix: the end callback, the
// streaming bot's join page (a credential URL, fresh for each start), the
// audience's chat posts and the presenters' actions. No GET changes
// anything, and net/http's CrossOriginProtection refuses the POSTs a
// browser sends from another origin (PublicURL's and Config.TrustedOrigins
// are trusted). A Notifier hears of live events, state
// changes, capacity shortages and errors. Explain turns a refusal into a
// sentence for the presenter.
//
// # Health check
//
// Service.Check asks, without changing anything, every configured BBB
// server (reachable, its version, the secret right, the checksum
// algorithms it accepts), every enabled gateway's SIPMediaGW server
// (reachable, the token accepted, the protocol it really speaks, busy
// with a stream no webinar owns) and HLS URL, and the end callback and
// the bot's page at PublicURL from this process. The HealthReport grades
// each target ok, warning or error with a sentence for the operator and
// the time it took, and renders as text (WriteText) or JSON.
//
// # Meeting parameters and recording
//
// The host gives the BBB create parameters of a webinar's meeting
// (welcome message, maxParticipants, lock settings, logo, banner,
// moderatorOnlyMessage, duration, layout, disabledFeatures, Extra…) in
// Draft.Meeting, stored with the webinar (Webinar.Meeting) and changed
// by Update while no meeting of the webinar exists, or computed when the
// meeting is created by Config.Meeting, which sees the stored webinar.
// Presentation documents go through Config.Documents (create's POST
// body). The Service keeps what it needs to run the webinar: the name
// (the title), the meeting ID, the passwords (it joins by role), the
// guest policy (ALWAYS_ACCEPT, for the bot), the breakout parameters and
// its metadata (endCallbackUrl, bbb-recording-ready-url, bbb-origin,
// bbbcast-*); and it refuses what would lock the streaming bot or the
// chat relay out: a maxParticipants below MinMaxParticipants, the public
// chat locked or the chat feature disabled while the webinar's chat is
// enabled. CheckMeeting tells which field is refused and why, as an
// *InputError whose Field is "meeting.<BBB parameter>"; a conflict in
// Config.Meeting's result fails the start with that error as its reason.
//
// With Record set, the meeting gets meta_bbb-recording-ready-url: a URL
// under PublicURL (POST /callback/recording) carrying the Service's
// token. When BBB has published the recording it posts there a JWT
// signed with the BBB server's secret; the Service checks both, and the
// token's meeting against the webinar's, and tells the host
// (RecordingReady, with Event.Recording), once per process: repeats are
// answered 200 and told nothing.
package webinar
