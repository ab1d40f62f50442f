package sipmediagwtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

const daemonDown = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"

func TestLegacyDockerDown(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			mock, clk := withMock()
			srv := start(t, v, clk, sipmediagwtest.WithStartDelay(5*time.Second))
			srv.SetDockerDown(true)
			// compose up fails; the script waits for a bot that never comes.
			ch := async(func() reply { return get(t, srv, startQuery("room1")) })
			waitPending(t, srv, 1)
			mock.Add(5 * time.Second)
			await(t, ch).expect(t, http.StatusOK, wrap16(v, `{"res": "error", "type": "The gateway failed to launch"}`))
			if len(srv.Running()) != 0 {
				t.Fatalf("running %+v", srv.Running())
			}
			// The chat's compose run fails: its stderr is the answer.
			chat(t, srv, "room1", "hi").expect(t, http.StatusOK, `{"res": "`+daemonDown+`"}`)
			get(t, srv, "/chat?room=room1&toggle=True").expect(t, http.StatusOK, `{"res": "`+daemonDown+`"}`)
			switch v {
			case sipmediagwtest.V17:
				// compose ls and ps print nothing.
				get(t, srv, "/stop?room=room1").expect(t, http.StatusBadRequest, `{"Error": "no running container for room=room1"}`)
				get(t, srv, "/progress?room=room1").expect(t, http.StatusOK, `{"status": "success", "gw_state": "down"}`)
			default:
				get(t, srv, "/stop?room=room1").expect(t, http.StatusOK, wrap16(v, `{"res": "`+daemonDown+`"}`))
			}
			// The slot was released: the daemon back, a start works.
			srv.SetDockerDown(false)
			ch = async(func() reply { return get(t, srv, startQuery("room1")) })
			waitPending(t, srv, 2)
			mock.Add(5 * time.Second)
			if r := await(t, ch); r.status != http.StatusOK || !srv.IsRunning("room1") {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
		})
	}
}
