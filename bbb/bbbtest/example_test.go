package bbbtest_test

import (
	"context"
	"fmt"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// A host test starts a fake server, takes a client configured for it, and
// plays BBB's users with the server's helpers.
func Example() {
	srv := bbbtest.NewServer()
	defer srv.Close()
	c := srv.Client()

	ctx := context.Background()
	if _, err := c.Create(ctx, &bbb.CreateParams{Name: "Webinar", MeetingID: "webinar-1"}); err != nil {
		fmt.Println(err)
		return
	}
	before, _ := c.IsMeetingRunning(ctx, "webinar-1")
	if _, err := srv.UserJoins("webinar-1", "Alice", "MODERATOR"); err != nil {
		fmt.Println(err)
		return
	}
	after, _ := c.IsMeetingRunning(ctx, "webinar-1")
	fmt.Println(before, after)
	// Output: false true
}
