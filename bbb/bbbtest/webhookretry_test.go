package bbbtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// A refused webhook event is posted again on bbb-webhooks' schedule; 2xx
// and 401 end it.
func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	schedule := bbbtest.WebhookRetrySchedule()
	tests := []struct {
		name     string
		statuses []int
		attempts int // until accepted
	}{
		{"accepted at once", []int{http.StatusOK}, 1},
		{"401 counts as accepted", []int{http.StatusUnauthorized}, 1},
		{"two refusals", []int{http.StatusInternalServerError, http.StatusBadGateway, http.StatusNoContent}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t, tt.statuses...)
			srv, mock := startMock(t)
			get(t, srv, "hooks/create", q("callbackURL", rcv.URL+"/h", "eventID", "meeting-created")).ok(t)
			create(t, srv, "retried")
			for i := 1; i <= tt.attempts; i++ {
				ds, err := srv.WaitDeliveries(ctx(t), i)
				if err != nil {
					t.Fatal(err)
				}
				d := ds[i-1]
				wantNext := time.Duration(0)
				if i < tt.attempts {
					wantNext = schedule[i-1]
				}
				if d.Attempt != i || d.NextRetry != wantNext || d.Event != "meeting-created" {
					t.Fatalf("attempt %d: %+v", i, d)
				}
				mock.Add(wantNext)
			}
			mock.Add(time.Hour)
			if n := len(srv.Deliveries()); n != tt.attempts || srv.PendingWebhookRetries() != 0 {
				t.Errorf("%d deliveries, %d pending", n, srv.PendingWebhookRetries())
			}
		})
	}
}

// After the schedule a hook is removed; a permanent one is retried every
// minute instead.
func TestWebhookGivesUp(t *testing.T) {
	t.Parallel()
	down := newReceiver(t, http.StatusServiceUnavailable)
	perm := newReceiver(t, http.StatusServiceUnavailable)
	srv, mock := startMock(t, bbbtest.WithPermanentHook(perm.URL+"/always"))
	get(t, srv, "hooks/create", q("callbackURL", down.URL+"/h", "eventID", "meeting-created")).ok(t)
	create(t, srv, "lost")
	schedule := bbbtest.WebhookRetrySchedule()
	// Both hooks get the event; each refusal is retried on the schedule.
	for i := range schedule {
		if _, err := srv.WaitDeliveries(ctx(t), 2*(i+1)); err != nil {
			t.Fatal(err)
		}
		mock.Add(schedule[i])
	}
	ds, err := srv.WaitDeliveries(ctx(t), 2*(len(schedule)+1))
	if err != nil {
		t.Fatal(err)
	}
	var removed, kept bbbtest.Delivery
	for _, d := range ds[len(ds)-2:] {
		if d.HookID == 1 {
			kept = d
		} else {
			removed = d
		}
	}
	if !removed.HookRemoved || removed.NextRetry != 0 || removed.Attempt != len(schedule)+1 {
		t.Errorf("last attempt of the plain hook: %+v", removed)
	}
	if kept.HookRemoved || kept.NextRetry != time.Minute {
		t.Errorf("last scheduled attempt of the permanent hook: %+v", kept)
	}
	if hooks := srv.Hooks(); len(hooks) != 1 || !hooks[0].Permanent {
		t.Errorf("hooks left %+v", hooks)
	}
	mock.Add(time.Minute)
	if ds, err := srv.WaitDeliveries(ctx(t), len(ds)+1); err != nil || ds[len(ds)-1].HookID != 1 {
		t.Errorf("permanent retry: %v", err)
	}
	// Reset keeps the permanent hook.
	srv.Reset()
	if hooks := srv.Hooks(); len(hooks) != 1 || hooks[0].CallbackURL != perm.URL+"/always" {
		t.Errorf("after Reset: %+v", hooks)
	}
}
