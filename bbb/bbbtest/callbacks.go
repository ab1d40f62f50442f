package bbbtest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
)

// Callback is one attempt at calling a meeting's end callback
// (meta_endCallbackUrl).
type Callback struct {
	MeetingID string // external ID of the meeting that ended
	// URL is the URL called: the callback URL with meetingID and
	// recordingmarks appended.
	URL     string
	Attempt int       // 1 for the first call, up to 5
	Time    time.Time // on the server's clock, when the attempt started
	// StatusCode is the receiver's HTTP status, 0 when no answer came.
	StatusCode int
	Err        error // transport error, if any
	// NextRetry is the delay on the server's clock before the next attempt
	// (already scheduled when the attempt is reported), 0 when the
	// attempt succeeded or was the last.
	NextRetry time.Duration
}

// OK reports whether the receiver answered 2xx.
func (c Callback) OK() bool { return c.Err == nil && c.StatusCode >= 200 && c.StatusCode <= 299 }

// retrySchedule is the delay before each retry of a failed end callback.
var retrySchedule = [...]time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute}

// CallbackRetrySchedule returns the delays before each retry of a failed
// end callback, as BBB does it (30 s, 1 min, 2 min, 5 min); after the last
// one the callback is dropped.
func CallbackRetrySchedule() []time.Duration {
	return append([]time.Duration(nil), retrySchedule[:]...)
}

type callbackJob struct {
	meetingID string
	url       string
}

// endCallbackURL appends meetingID and recordingmarks to the callback URL,
// with "?" or "&" as needed and before any fragment.
func endCallbackURL(base, meetingID string, marks bool) string {
	base, frag, hasFrag := strings.Cut(base, "#")
	sep := "?"
	switch {
	case strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&"):
		sep = ""
	case strings.Contains(base, "?"):
		sep = "&"
	}
	u := base + sep + "meetingID=" + url.QueryEscape(meetingID) + "&recordingmarks=" + strconv.FormatBool(marks)
	if hasFrag {
		u += "#" + frag
	}
	return u
}

// track counts a goroutine of the server's in s.wg, so that Close waits
// for it, unless the server is closed (false).
func (s *Server) track() bool {
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// startCallback makes the first attempt of j from a goroutine.
func (s *Server) startCallback(j callbackJob) {
	if !s.track() {
		return
	}
	go func() {
		defer s.wg.Done()
		s.attemptCallback(j, 1)
	}()
}

// attemptCallback calls the receiver once, schedules the next attempt on
// the clock when it failed, then records the attempt, in that order: a
// test that saw attempt n can advance a mock clock to release attempt n+1.
func (s *Server) attemptCallback(j callbackJob, attempt int) {
	at := s.clock.Now()
	status, err := s.callReceiver(j.url)
	cb := Callback{MeetingID: j.meetingID, URL: j.url, Attempt: attempt, Time: at, StatusCode: status, Err: err}
	if s.logger.Enabled(s.ctx, slog.LevelInfo) {
		// The URL is a credential of the receiver: only the meeting is logged.
		attrs := []slog.Attr{slog.String("meetingID", j.meetingID), slog.Int("attempt", attempt), slog.Int("status", status)}
		if err != nil {
			attrs = append(attrs, slog.String("error", "no answer"))
		}
		s.logger.LogAttrs(s.ctx, slog.LevelInfo, "bbbtest end callback", attrs...)
	}

	s.cbMu.Lock()
	if !cb.OK() && attempt <= len(retrySchedule) && !s.closed {
		d := retrySchedule[attempt-1]
		cb.NextRetry = d
		s.scheduleLocked(timerCallbackRetry, d, func() { s.attemptCallback(j, attempt+1) })
	}
	s.callbacks = append(s.callbacks, cb)
	s.cbMu.Unlock()
	s.events.Broadcast()
}

// callReceiver sends BBB's plain, unsigned GET.
func (s *Server) callReceiver(u string) (int, error) {
	return s.send(http.MethodGet, u, "", map[string]string{"User-Agent": "bbbtest end callback"})
}

// send sends one request of the server's own (an end callback, a
// recording-ready callback, a webhook) with the callback client, and
// returns the receiver's status; the answer's body is read and dropped.
func (s *Server) send(method, u, form string, headers map[string]string) (int, error) {
	ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
	defer cancel()
	var body io.Reader
	if form != "" {
		body = strings.NewReader(form)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return 0, err
	}
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.cfg.callbackClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// What a clock timer of the server is for.
type timerKind int

const (
	timerCallbackRetry timerKind = iota
	timerWebhookRetry
	timerRecording
)

// scheduleLocked runs fn after d on the server's clock, unless the server
// closes first (Close and Reset stop what has not run). s.cbMu is held.
func (s *Server) scheduleLocked(kind timerKind, d time.Duration, fn func()) {
	s.wg.Add(1) // released by the timer's function, or by whoever stops the timer
	var t *clock.Timer
	t = s.clock.AfterFunc(d, func() {
		s.cbMu.Lock()
		delete(s.timers, t)
		closed := s.closed
		s.cbMu.Unlock()
		defer s.wg.Done()
		if !closed {
			fn()
		}
	})
	s.timers[t] = kind
}

// pendingLocked counts the timers of kind. s.cbMu is held.
func (s *Server) pendingLocked(kind timerKind) int {
	n := 0
	for _, k := range s.timers {
		if k == kind {
			n++
		}
	}
	return n
}

// stopTimersLocked cancels the pending retries. s.cbMu is held.
func (s *Server) stopTimersLocked() {
	for t := range s.timers {
		if t.Stop() {
			s.wg.Done() // its function will never run
		}
		delete(s.timers, t)
	}
}

// Callbacks returns every end callback attempt so far, in order.
func (s *Server) Callbacks() []Callback {
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	return append([]Callback(nil), s.callbacks...)
}

// WaitCallbacks blocks until at least n callback attempts were made (and
// the retry after each failed one is scheduled), then returns them all. It
// returns ctx's error if ctx ends first.
func (s *Server) WaitCallbacks(ctx context.Context, n int) ([]Callback, error) {
	err := s.events.WaitUntil(ctx, func() bool {
		s.cbMu.Lock()
		defer s.cbMu.Unlock()
		return len(s.callbacks) >= n
	})
	return s.Callbacks(), err
}

// PendingCallbackRetries returns how many failed end callbacks wait on the
// clock for their next attempt.
func (s *Server) PendingCallbackRetries() int {
	s.cbMu.Lock()
	defer s.cbMu.Unlock()
	return s.pendingLocked(timerCallbackRetry)
}
