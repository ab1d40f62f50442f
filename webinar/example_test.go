package webinar_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// A driver checks a transition before storing it; a refused one matches
// ErrInvalidState.
func ExampleState_Check() {
	from := webinar.Live
	fmt.Println(from.Check(webinar.StoppingLive))
	err := webinar.Ended.Check(webinar.Starting)
	fmt.Println(err)
	fmt.Println(errors.Is(err, webinar.ErrInvalidState))
	fmt.Println(webinar.Failed.Next())
	// Output:
	// <nil>
	// webinar: invalid state: cannot go from ended to starting
	// true
	// [starting stopping-live ending]
}

// Explain words a refusal for the presenter: here a start on a full pool.
func ExampleExplain() {
	at := func(h, m int) time.Time { return time.Date(2031, 3, 3, h, m, 0, 0, time.UTC) }
	err := &gateway.NoGatewayFreeError{Pool: "main", Gateways: 1,
		Slot:      gateway.Slot{Start: at(9, 40), End: at(11, 0)},
		Conflicts: []gateway.Booking{{Owner: "maths", GatewayID: 1, Slot: gateway.Slot{Start: at(8, 0), End: at(10, 0)}}}}
	fmt.Println(webinar.Explain(err))
	fmt.Println(webinar.Explain(&webinar.WindowError{Opens: at(9, 30), Closes: at(11, 15), At: at(8, 0)}))
	// Output:
	// No gateway is free from Mon 3 Mar 09:40 UTC to Mon 3 Mar 11:00 UTC: all 1 gateways of the pool are booked (gateway 1 until Mon 3 Mar 10:00 UTC).
	// It is too early: the webinar may start from Mon 3 Mar 09:30 UTC.
}

// A host gives the BBB meeting it wants in Draft.Meeting (or
// Config.Meeting): its own parameters pass, recording included, while
// those the Service owns, or that would lock the streaming bot or the
// chat relay out, are refused with the field named.
func ExampleCheckMeeting() {
	meeting := &bbb.CreateParams{
		Welcome:                "Welcome to the <b>%%CONFNAME%%</b> webinar",
		MaxParticipants:        10,
		Record:                 bbb.Bool(true), // the host hears RecordingReady
		LockSettingsDisableCam: bbb.Bool(true),
		Logo:                   "https://portal.example.org/logo.png",
		Meta:                   bbb.Metadata{"bbb-context": "Amphi Est"},
	}
	fmt.Println(webinar.CheckMeeting(meeting, true))
	_ = webinar.Draft{Title: "Distributed systems", ChatEnabled: true, Meeting: meeting} // for Service.Create

	fmt.Println(webinar.CheckMeeting(&bbb.CreateParams{GuestPolicy: bbb.GuestAskModerator}, true))
	err := webinar.CheckMeeting(&bbb.CreateParams{LockSettingsDisablePublicChat: bbb.Bool(true)}, true)
	var ie *webinar.InputError
	if errors.As(err, &ie) {
		fmt.Println(ie.Field)
	}
	fmt.Println(webinar.CheckMeeting(&bbb.CreateParams{LockSettingsDisablePublicChat: bbb.Bool(true)}, false))
	// Output:
	// <nil>
	// webinar: meeting.guestPolicy: set by the Service: the streaming bot must get in without a moderator's approval: the Service sets ALWAYS_ACCEPT
	// meeting.lockSettingsDisablePublicChat
	// <nil>
}
