package webinar_test

import (
	"errors"
	"fmt"

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
