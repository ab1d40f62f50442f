package sipmediagwtest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// A stream whose session was lost is stopped by its room.
func TestStopRoom(t *testing.T) {
	t.Parallel()
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V15, sipmediagwtest.V16, sipmediagwtest.V17, sipmediagwtest.V18, sipmediagwtest.V18Head} {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := sipmediagwtest.NewServer(v)
			defer srv.Close()
			c := srv.Client()
			ctx := context.Background()
			room := "a1b2c3d4e5"
			if v.IsProxy() {
				room = "bot/1234/abcd/a1b2c3d4e5"
			}
			s, err := c.Start(ctx, sipmediagw.StartParams{Room: room, Domain: "portal.example.org/bot/1234/abcd", RTMPURL: "rtmp://live.example.org/live/key"})
			require.NoError(t, err)
			require.True(t, srv.IsRunning(s.Handle()))
			require.NoError(t, c.StopRoom(ctx, room))
			assert.False(t, srv.IsRunning(s.Handle()))
			require.NoError(t, c.StopRoom(ctx, room), "stopping nothing is success")
		})
	}
	launcher := sipmediagwtest.NewServer(sipmediagwtest.V18HeadLauncher)
	defer launcher.Close()
	require.ErrorIs(t, launcher.Client().StopRoom(context.Background(), "abcdef"), sipmediagw.ErrInvalidParam)
}
