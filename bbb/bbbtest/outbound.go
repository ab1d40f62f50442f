package bbbtest

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
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
}

// OK reports whether the receiver answered 2xx.
func (d Delivery) OK() bool { return d.Err == nil && d.StatusCode >= 200 && d.StatusCode <= 299 }

// outgoing is a POST queued under s.mu, sent after it is released.
type outgoing struct {
	d       Delivery
	headers map[string]string
}

// queueLocked adds a POST to send once s.mu is released. s.mu is held.
func (s *Server) queueLocked(o outgoing) { s.outbox = append(s.outbox, o) }

// sendOutbox hands the queued POSTs to the delivery worker, which sends
// them one after the other in the order they were queued, as bbb-webhooks
// does for a hook.
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

// deliver posts o once (neither callback is retried by the fake) and
// records the attempt.
func (s *Server) deliver(o outgoing) {
	d := o.d
	d.Time = s.clock.Now()
	d.StatusCode, d.Err = s.send(http.MethodPost, d.URL, d.Body, o.headers)
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
