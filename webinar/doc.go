// Package webinar models webinars: a BigBlueButton meeting whose
// presenters meet in BBB while a SIPMediaGW bot streams it to an audience.
//
// A Webinar goes through a state machine, Scheduled → Starting → Live →
// (StoppingLive → LiveStopped → Starting …) → Ending → Ended, plus Failed
// with a reason; State.Check refuses the transitions the machine does not
// allow with ErrInvalidState. Every change is stored with a
// compare-and-set on the webinar's Version (Store.UpdateWebinar), so two
// processes never drive the same webinar from the same state, and a
// transition is persisted before its side effects.
//
// The package declares the Store it consumes, with leases that let one
// process at a time drive a webinar's side effects; store/memory
// implements it and store/storetest is the conformance suite.
package webinar
