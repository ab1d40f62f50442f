package bbbtest

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Delivery kinds.
const (
	// DeliveryRecordingReady is the recording-ready callback
	// (meta_bbb-recording-ready-url) of a recording that was published.
	DeliveryRecordingReady = "recording-ready"
	// DeliveryWebhook is a webhook event posted to a hook of hooks/create.
	DeliveryWebhook = "webhook"
)

// Delivery is one POST the server made on its own initiative: a
// recording-ready callback or a webhook event. End callbacks, plain GETs,
// are Callbacks instead.
type Delivery struct {
	Kind string // DeliveryRecordingReady or DeliveryWebhook
	// URL is the URL posted to: the recording-ready URL as given to create,
	// or the hook's callback URL with bbb-webhooks' checksum appended.
	URL       string
	MeetingID string // external meeting ID
	RecordID  string // the recording, for recording-ready and rap-publish-ended
	Event     string // the webhook event ID ("meeting-created", …); "" for recording-ready
	HookID    int    // the hook posted to; 0 for recording-ready
	Body      string // the form body sent
	Time      time.Time
	// StatusCode is the receiver's HTTP status, 0 when no answer came.
	StatusCode int
	Err        error // transport error, if any
	// Attempt is 1 for the first POST of a webhook event, then counts its
	// retries; always 1 for a recording-ready callback.
	Attempt int
	// NextRetry is the delay on the server's clock before the event is
	// posted again (already scheduled when the delivery is reported), 0
	// when it was accepted or will not be retried.
	NextRetry time.Duration
	// HookRemoved is true when this failed attempt was the last and the
	// hook was removed, as bbb-webhooks removes a hook it gave up on.
	HookRemoved bool
}

// OK reports whether the receiver answered 2xx.
func (d Delivery) OK() bool { return d.Err == nil && d.StatusCode >= 200 && d.StatusCode <= 299 }

// accepted reports whether bbb-webhooks takes the answer as a success: a
// 2xx, or a 401 ("consider 401 as success", for receivers that refuse the
// fake's or anyone's authentication without wanting retries).
func (d Delivery) accepted() bool {
	return d.OK() || d.Err == nil && d.StatusCode == http.StatusUnauthorized
}

// webhookRetryIntervals are bbb-webhooks' retryIntervals (its default
// configuration, 2.x and 3.x alike): about five minutes in all. After the
// last, a hook is removed; a permanent one is retried every
// permanentRetryInterval for ever (3.x's permanentIntervalReset).
var webhookRetryIntervals = [...]time.Duration{
	100 * time.Millisecond, 500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second,
	8 * time.Second, 10 * time.Second, 30 * time.Second, time.Minute, time.Minute, time.Minute, time.Minute,
}

const permanentRetryInterval = time.Minute

// WebhookRetrySchedule returns the delays before each retry of a webhook
// event its receiver refused (an answer other than 2xx or 401, or none).
func WebhookRetrySchedule() []time.Duration {
	return append([]time.Duration(nil), webhookRetryIntervals[:]...)
}

// outgoing is a POST queued under s.mu, sent after it is released.
type outgoing struct {
	d         Delivery
	headers   map[string]string
	permanent bool // a permanent hook's event
}

// queueLocked adds a POST to send once s.mu is released. s.mu is held.
func (s *Server) queueLocked(o outgoing) { s.outbox = append(s.outbox, o) }

// sendOutbox hands the queued POSTs to the delivery worker, which sends
// them one after the other in the order they were queued, as bbb-webhooks
// does for a hook (a retry joins the queue when its timer fires).
func (s *Server) sendOutbox(list []outgoing) {
	if len(list) == 0 {
		return
	}
	s.cbMu.Lock()
	if s.closed {
		s.cbMu.Unlock()
		return
	}
	s.sendQ = append(s.sendQ, list...)
	if s.sending {
		s.cbMu.Unlock()
		return
	}
	s.sending = true
	s.wg.Add(1)
	s.cbMu.Unlock()
	go func() {
		defer s.wg.Done()
		for {
			s.cbMu.Lock()
			if len(s.sendQ) == 0 || s.closed {
				s.sendQ, s.sending = nil, false
				s.cbMu.Unlock()
				return
			}
			o := s.sendQ[0]
			s.sendQ = s.sendQ[1:]
			s.cbMu.Unlock()
			s.deliver(o)
		}
	}()
}

// deliver posts o once and records the attempt. A webhook event the
// receiver refused is posted again after the next of
// webhookRetryIntervals; after the last its hook is removed (a permanent
// hook's is retried every minute instead). Other events of the hook are
// not held back meanwhile. The recording-ready callback is posted once.
func (s *Server) deliver(o outgoing) {
	d := o.d
	d.Time = s.clock.Now()
	d.StatusCode, d.Err = s.send(http.MethodPost, d.URL, d.Body, o.headers)
	if d.Kind == DeliveryWebhook && !d.accepted() {
		s.retryWebhook(o, &d)
	}
	if s.logger.Enabled(s.ctx, slog.LevelInfo) {
		attrs := []slog.Attr{slog.String("kind", d.Kind), slog.String("meetingID", d.MeetingID), slog.Int("status", d.StatusCode)}
		if d.Event != "" {
			attrs = append(attrs, slog.String("event", d.Event))
		}
		if d.Err != nil {
			attrs = append(attrs, slog.String("error", "no answer"))
		}
		s.logger.LogAttrs(s.ctx, slog.LevelInfo, "bbbtest delivery", attrs...)
	}
	s.cbMu.Lock()
	s.deliveries = append(s.deliveries, d)
	s.cbMu.Unlock()
	s.events.Broadcast()
}

// Deliveries returns every recording-ready callback and webhook POST made
// so far, in the order they were made.
func (s *Server) Deliveries() []Delivery {
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// WaitDeliveries blocks until at least n deliveries were made, then
// returns them all. It returns ctx's error if ctx ends first.
func (s *Server) WaitDeliveries(ctx context.Context, n int) ([]Delivery, error) {
	err := s.events.WaitUntil(ctx, func() bool {
		s.cbMu.Lock()
		defer s.cbMu.Unlock()
		return len(s.deliveries) >= n
	})
	return s.Deliveries(), err
}

// formBody encodes a form in the order of its pairs.
func formBody(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(pairs[i]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(pairs[i+1]))
	}
	return b.String()
}

// retryWebhook schedules the next attempt of the webhook event o, whose
// attempt d failed, or removes its hook when it was the last.
func (s *Server) retryWebhook(o outgoing, d *Delivery) {
	var next time.Duration
	switch {
	case d.Attempt <= len(webhookRetryIntervals):
		next = webhookRetryIntervals[d.Attempt-1]
	case o.permanent:
		next = permanentRetryInterval
	}
	if next == 0 {
		s.mu.Lock()
		s.hooks = slices.DeleteFunc(s.hooks, func(h *hook) bool { return h.ID == d.HookID })
		s.mu.Unlock()
		d.HookRemoved = true
		return
	}
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	if s.closed {
		return
	}
	d.NextRetry = next
	again := o
	again.d.Attempt++
	s.scheduleLocked(timerWebhookRetry, next, func() {
		s.mu.RLock()
		exists := s.hookExistsLocked(again.d.HookID)
		s.mu.RUnlock()
		if exists { // hooks/destroy or Reset meanwhile ends the retries
			s.sendOutbox([]outgoing{again})
		}
	})
}

// PendingWebhookRetries returns how many refused webhook events wait on
// the clock for their next attempt.
func (s *Server) PendingWebhookRetries() int {
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	return s.pendingLocked(timerWebhookRetry)
}
