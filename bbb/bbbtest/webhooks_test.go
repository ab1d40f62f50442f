package bbbtest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// hookEvent is an event a webhook receiver verified.
type hookEvent struct {
	path string
	ev   bbb.WebhookEvent
}

func TestWebhooksEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	yes := true
	srv, mock := startMock(t)
	var mu sync.Mutex
	var got []hookEvent
	var rcv *postReceiver
	rcv = newPostReceiver(t, func(r *http.Request) error {
		body, err := bbb.VerifyWebhook(r, rcv.URL+r.URL.Path, srv.Secret)
		if err != nil {
			return err
		}
		evs, err := bbb.ParseWebhookEvents(body)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range evs {
			got = append(got, hookEvent{r.URL.Path, ev})
		}
		return nil
	})
	c := srv.Client()
	for _, p := range []*bbb.HookParams{
		{CallbackURL: rcv.URL + "/all"},
		{CallbackURL: rcv.URL + "/ended", EventIDs: []string{"meeting-ended"}},
		{CallbackURL: rcv.URL + "/other", MeetingID: "other"},
	} {
		if _, err := c.CreateHook(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	cr, err := c.Create(ctx, &bbb.CreateParams{MeetingID: "hooked", Name: "Hooked", Record: &yes, AutoStartRecording: &yes})
	if err != nil {
		t.Fatal(err)
	}
	uid, err := srv.UserJoins("hooked", "Ada", "MODERATOR")
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.UserLeaves("hooked", uid); err != nil {
		t.Fatal(err)
	}
	if err := srv.EndMeeting("hooked"); err != nil {
		t.Fatal(err)
	}
	mock.Add(bbbtest.DefaultRecordingDelay)
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := srv.WaitDeliveries(wctx, 6); err != nil {
		t.Fatal(err)
	}

	// The control API fires an event on demand.
	req, _ := http.NewRequest(http.MethodPost, strings.TrimSuffix(srv.URL, bbbtest.BasePath)+bbbtest.ControlPath+"/webhooks",
		strings.NewReader(`{"event":"meeting-ended","meetingID":"hooked"}`))
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var fired struct{ Hooks int }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &fired) != nil || fired.Hooks != 2 {
		t.Fatalf("control: %d %s", resp.StatusCode, b)
	}
	ds, err := srv.WaitDeliveries(wctx, 8)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Kind != bbbtest.DeliveryWebhook || !d.OK() || d.MeetingID != "hooked" {
			t.Errorf("delivery %+v", d)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	var all, ended []string
	for _, h := range got {
		if h.ev.ExternalMeetingID != "hooked" || h.ev.InternalMeetingID != cr.InternalMeetingID || h.ev.Timestamp.IsZero() {
			t.Errorf("event %+v", h.ev)
		}
		switch h.path {
		case "/all":
			all = append(all, h.ev.ID)
		case "/ended":
			ended = append(ended, h.ev.ID)
		default:
			t.Errorf("event %s posted to %s", h.ev.ID, h.path)
		}
	}
	wantAll := []string{"meeting-created", "user-joined", "user-left", "meeting-ended", "rap-publish-ended", "meeting-ended"}
	if !slices.Equal(all, wantAll) || !slices.Equal(ended, []string{"meeting-ended", "meeting-ended"}) {
		t.Errorf("events: all %v, ended %v", all, ended)
	}
	for _, h := range got {
		if h.ev.ID == "rap-publish-ended" && !strings.Contains(string(h.ev.Raw), `"record-id":"`+cr.InternalMeetingID+`"`) {
			t.Errorf("rap-publish-ended %s", h.ev.Raw)
		}
		if h.ev.ID == "user-joined" && !strings.Contains(string(h.ev.Raw), `"name":"Ada"`) {
			t.Errorf("user-joined %s", h.ev.Raw)
		}
	}
}

func TestFireWebhookErrors(t *testing.T) {
	t.Parallel()
	srv, _ := startMock(t)
	if _, err := srv.Client().Create(context.Background(), &bbb.CreateParams{MeetingID: "m1", Name: "M1"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		event, meetingID, userID string
		want                     error
	}{
		{"meeting-ended", "nope", "", bbbtest.ErrNoMeeting},
		{"user-joined", "m1", "", bbbtest.ErrNoUser},
		{"user-left", "m1", "w_nobody", bbbtest.ErrNoUser},
		{"rap-publish-ended", "m1", "", bbbtest.ErrNoRecording},
		{"meeting-created", "m1", "", nil},
		{"custom-event", "m1", "", nil},
	}
	for _, tt := range tests {
		n, err := srv.FireWebhook(tt.event, tt.meetingID, tt.userID)
		if err != tt.want || n != 0 { // no hook registered
			t.Errorf("FireWebhook(%q, %q, %q) = %d, %v; want 0, %v", tt.event, tt.meetingID, tt.userID, n, err, tt.want)
		}
	}
}
