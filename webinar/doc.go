// Package webinar runs webinars: a BigBlueButton meeting whose presenters
// meet in BBB while a SIPMediaGW bot streams it to an audience that
// watches on the portal and chats back.
//
// # States
//
// A Webinar goes through a state machine, Scheduled → Starting → Live →
// (StoppingLive → LiveStopped → Starting …) → Ending → Ended, plus Failed
// with a reason; State.Check refuses the other transitions with
// ErrInvalidState. Every transition is stored with a compare-and-set on
// the webinar's Version before its side effects, and a lease keeps one
// process at a time on a webinar's side effects, so a crash at any step
// leaves a state Reconcile settles.
//
// # Service
//
// Service.Create books a gateway (package gateway) and tells the host of
// the live event; Update edits it (a new slot keeps, moves or refuses the
// booking atomically); Start creates the BBB meeting with a signed end
// callback and starts the stream, idempotently; StopLive, RestartLive and
// End stop what runs; PostChat relays the audience's messages through the
// bot or BBB's sendChatMessage; SetChatShown shows or hides the chat panel
// in the stream without blind toggles. A Policy (PodPolicy by default)
// decides who may create, manage and chat.
//
// # End detection
//
// The end callback BBB sends when a meeting ends stops its stream at once
// (MeetingEnded, after BBB confirms). The watcher (Watch, Tick) asks each
// BBB server once per tick which meetings run, ends webinars whose meeting
// is missing twice in a row, stops lives that outlast their slot, and runs
// Reconcile.
//
// # Host integration
//
// Service.Handler serves, under any prefix: the end callback, the
// streaming bot's join page (a credential URL), the audience's chat posts
// and the presenters' actions. A Notifier hears of live events, state
// changes, capacity shortages and errors.
package webinar
