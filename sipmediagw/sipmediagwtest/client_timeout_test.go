package sipmediagwtest_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// A start slower than the client's timeout: the launcher brings the
// container up after the client gave up and after its first cleanup stop
// found nothing (the real v1.6.0 ran "compose down" 0.86 s before
// "compose up"; v1.7.0 answered that stop with 400 "no running
// container"). The cleanup goes on stopping until it sees the container
// stopped, and only then says so.
func TestClientCleanupOutlastsASlowStart(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			mock, clk := withMock()
			srv := startClientServer(t, v, clk, sipmediagwtest.WithStartDelay(10*time.Second))
			c := srv.Client(sipmediagw.WithStartTimeout(300*time.Millisecond),
				sipmediagw.WithCleanupWindow(10*time.Second, 5*time.Millisecond), sipmediagw.WithRetryWait(time.Millisecond, time.Millisecond))
			ctx := testCtx(t)
			p := startParams(v)
			type result struct {
				s   sipmediagw.Session
				err error
			}
			done := make(chan result, 1)
			go func() {
				s, err := c.Start(ctx, p)
				done <- result{s, err}
			}()
			// The start blocks on the launcher's delay; the client gives up
			// and its first cleanup request finds nothing running.
			if err := srv.WaitPending(ctx, 1); err != nil {
				t.Fatal(err)
			}
			lookup := sipmediagwtest.OpStop
			if v.IsProxy() {
				lookup = sipmediagwtest.OpStatus // the proxy is asked which gateway has the room
			}
			if err := srv.WaitAnswered(ctx, lookup, 1); err != nil {
				t.Fatal(err)
			}
			if n := len(srv.Running()); n != 0 {
				t.Fatalf("%d containers up before the launcher's delay", n)
			}
			mock.Add(10 * time.Second) // the container comes up, too late
			var r result
			select {
			case r = <-done:
			case <-ctx.Done():
				t.Fatal("the start never returned")
			}
			var se *sipmediagw.StartError
			if !errors.As(r.err, &se) {
				t.Fatalf("start: %v, want a *StartError", r.err)
			}
			var te *sipmediagw.TransportError
			if !errors.As(r.err, &te) {
				t.Errorf("cause %v, want the timeout", se.Err)
			}
			if se.MayRun {
				t.Errorf("MayRun after the cleanup stopped the container")
			}
			if se.Session.Room != p.Room {
				t.Errorf("session %+v does not name the room", se.Session)
			}
			if running := srv.Running(); len(running) != 0 {
				t.Fatalf("left streaming: %+v", running)
			}
			if srv.MaxRunning() != 1 {
				t.Errorf("MaxRunning = %d", srv.MaxRunning())
			}
		})
	}
}
