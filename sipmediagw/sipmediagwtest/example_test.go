package sipmediagwtest_test

import (
	"context"
	"fmt"

	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// A host test starts a fake launcher of the version to support, takes a
// client configured for it, and checks what the server received.
func Example() {
	srv := sipmediagwtest.NewServer(sipmediagwtest.V17)
	defer srv.Close()
	c := srv.Client()

	ctx := context.Background()
	s, err := c.Start(ctx, sipmediagw.StartParams{
		Room:    "a1b2c3d4e5",
		Domain:  "pod.example.org/meeting/42/0123456789abcdef",
		RTMPURL: "rtmp://live.example.org/live/streamkey",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	st, _ := srv.Stream(s.Handle())
	fmt.Println(s.Handle(), st.RTMPURL, srv.ChatPanelVisible(s.Handle()))
	if err := c.Stop(ctx, s); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(srv.IsRunning(s.Handle()), srv.RequestsFor(sipmediagwtest.OpStart)[0].Query)
	// Output:
	// legacy:a1b2c3d4e5 rtmp://live.example.org/live/streamkey true
	// false domain=REDACTED&room=a1b2c3d4e5&rtmpDst=REDACTED
}
