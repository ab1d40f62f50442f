package classroom_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	classroom "github.com/bbbcast/bbbcast/examples/hosttest"
)

var course = classroom.Course{ID: "42", Title: "Distributed systems"}

// fixture is the host application wired to a fake BBB of its own: each
// test gets one, so tests run in parallel.
type fixture struct {
	srv      *bbbtest.Server
	room     *classroom.Classroom
	endedURL string

	mu     sync.Mutex
	refuse int      // how many end callbacks the host fails (its database is down)
	ended  []string // the courses the host was told ended
}

func newFixture(t *testing.T, opts ...bbbtest.Option) *fixture {
	t.Helper()
	srv := bbbtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	signer, err := bbb.NewCallbackSigner([]byte("a test key of at least 32 bytes, not a real one"))
	require.NoError(t, err)

	// The host's web server, for BBB's end callback.
	mux := http.NewServeMux()
	host := httptest.NewServer(mux)
	t.Cleanup(host.Close)

	f := &fixture{srv: srv, endedURL: host.URL + "/classroom/ended"}
	// Reads are retried on 5xx answers: retry at once in tests.
	client := srv.Client(bbb.WithRetryWait(time.Millisecond, time.Millisecond))
	f.room = classroom.New(client, signer, f.endedURL)
	mux.Handle("GET /classroom/ended", f.room.EndedHandler(func(_ context.Context, courseID string) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.refuse > 0 {
			f.refuse--
			return errors.New("database down")
		}
		f.ended = append(f.ended, courseID)
		return nil
	}))
	return f
}

func (f *fixture) endedCourses() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ended...)
}

// newMock returns a mock clock set to a real date: BBB's createTime
// comes from it, and 0 (the mock's start, 1970) would mean "no
// createTime" to join.
func newMock() *clock.Mock {
	mock := clock.NewMock()
	mock.Set(time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC))
	return mock
}

// A class's whole life, on every BBB release the host supports (join
// roles need 2.6).
func TestClassLifecycle(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"2.6.18", "2.7.3", "3.0.0"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			f := newFixture(t, bbbtest.WithVersion(version))

			class, err := f.room.Open(ctx, course)
			require.NoError(t, err)
			m, ok := f.srv.Meeting(class.MeetingID)
			require.True(t, ok, "the meeting exists in BBB")
			assert.Equal(t, "Distributed systems", m.Name)
			assert.Equal(t, "42", m.Metadata["course"])
			assert.False(t, m.Record)
			assert.Equal(t, m.CreateTimeMillis, class.CreateTime)
			assert.True(t, strings.HasPrefix(m.EndCallbackURL, f.endedURL+"?"), "signed callback to the host")

			in, err := f.room.InSession(ctx, course.ID)
			require.NoError(t, err)
			assert.False(t, in, "nobody came yet")

			// Open the links as the browsers of a teacher and a student do.
			for _, p := range []struct {
				name    string
				teacher bool
				role    string
			}{{"Ada Lovelace", true, "MODERATOR"}, {"Alan Turing", false, "VIEWER"}} {
				link, err := f.room.JoinURL(class, p.name, p.teacher)
				require.NoError(t, err)
				who, err := f.srv.OpenJoinURL(ctx, link)
				require.NoError(t, err)
				assert.Equal(t, p.name, who.FullName)
				assert.Equal(t, p.role, who.Role)
			}
			in, err = f.room.InSession(ctx, course.ID)
			require.NoError(t, err)
			assert.True(t, in)
			m, _ = f.srv.Meeting(class.MeetingID)
			assert.Len(t, m.Attendees, 2)

			// Opening again returns the same run of the same meeting.
			again, err := f.room.Open(ctx, course)
			require.NoError(t, err)
			assert.Equal(t, class, again)
			creates := f.srv.RequestsFor("create")
			require.Len(t, creates, 2)
			assert.Equal(t, "duplicateWarning", creates[1].MessageKey)
			q, err := url.ParseQuery(creates[0].Query)
			require.NoError(t, err)
			assert.Equal(t, "course-42", q.Get("meetingID"))
			assert.Equal(t, "false", q.Get("record"), "an explicit false")
			assert.Equal(t, bbbtest.Redacted, q.Get("checksum"), "the log never shows a checksum")

			require.NoError(t, f.room.Close(ctx, course.ID))
			m, _ = f.srv.Meeting(class.MeetingID)
			assert.True(t, m.Ended)
			calls, err := f.srv.WaitCallbacks(ctx, 1)
			require.NoError(t, err)
			assert.True(t, calls[0].OK())
			assert.Equal(t, []string{"42"}, f.endedCourses())
			require.NoError(t, f.room.Close(ctx, course.ID), "closing a closed class is fine")
		})
	}
}

// A link is bound to one run of the class: reopened, the class refuses
// the old one. The mock clock makes the second run a minute later.
func TestOldLinkDoesNotEnterReopenedClass(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	mock := newMock()
	f := newFixture(t, bbbtest.WithClock(mock))

	class, err := f.room.Open(ctx, course)
	require.NoError(t, err)
	old, err := f.room.JoinURL(class, "Alan Turing", false)
	require.NoError(t, err)
	require.NoError(t, f.room.Close(ctx, course.ID))

	mock.Add(time.Minute)
	reopened, err := f.room.Open(ctx, course)
	require.NoError(t, err)
	require.NotEqual(t, class.CreateTime, reopened.CreateTime)

	_, err = f.srv.OpenJoinURL(ctx, old)
	var refused *bbbtest.JoinError
	require.ErrorAs(t, err, &refused)
	assert.Equal(t, bbb.ErrMismatchCreateTime.Key, refused.Key)

	fresh, err := f.room.JoinURL(reopened, "Alan Turing", false)
	require.NoError(t, err)
	_, err = f.srv.OpenJoinURL(ctx, fresh)
	require.NoError(t, err)
}

// BBB retries an end callback the host failed, on its clock: the test
// advances the mock clock by the announced delay instead of sleeping.
func TestEndCallbackIsRetried(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	mock := newMock()
	f := newFixture(t, bbbtest.WithClock(mock))
	f.mu.Lock()
	f.refuse = 1 // the host's database is down for the first callback
	f.mu.Unlock()

	class, err := f.room.Open(ctx, course)
	require.NoError(t, err)
	_, err = f.srv.UserJoins(class.MeetingID, "Ada Lovelace", "MODERATOR")
	require.NoError(t, err)
	require.NoError(t, f.srv.EndMeeting(class.MeetingID)) // Ada clicks "End meeting" in BBB

	calls, err := f.srv.WaitCallbacks(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, calls[0].StatusCode)
	assert.Equal(t, bbbtest.CallbackRetrySchedule()[0], calls[0].NextRetry)
	assert.Empty(t, f.endedCourses())

	mock.Add(calls[0].NextRetry)
	calls, err = f.srv.WaitCallbacks(ctx, 2)
	require.NoError(t, err)
	assert.True(t, calls[1].OK())
	assert.Equal(t, []string{"42"}, f.endedCourses())
	assert.Zero(t, f.srv.PendingCallbackRetries())
}

// Only BBB, with the URL the host signed, can report the end of a class.
func TestEndedHandlerRefusesForgedCallbacks(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFixture(t)
	class, err := f.room.Open(ctx, course)
	require.NoError(t, err)
	m, _ := f.srv.Meeting(class.MeetingID)
	signed, err := url.Parse(m.EndCallbackURL)
	require.NoError(t, err)

	for _, tc := range []struct {
		name  string
		query func(url.Values)
		want  int
	}{
		{"as BBB calls it", func(q url.Values) { q.Set("meetingID", class.MeetingID) }, http.StatusNoContent},
		{"unsigned", func(q url.Values) { q.Set("meetingID", class.MeetingID); q.Del(bbb.CallbackTokenParam) },
			http.StatusForbidden},
		{"another meeting", func(q url.Values) { q.Set("meetingID", "course-43") }, http.StatusForbidden},
		{"no meeting", func(url.Values) {}, http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			u := *signed
			q := u.Query()
			tc.query(q)
			u.RawQuery = q.Encode()
			resp, err := http.Get(u.String())
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, tc.want, resp.StatusCode)
		})
	}
}

// Faults injected into BBB's answers reach the host's error handling:
// what a retry may cure is ErrUnavailable, what it cannot is not.
func TestErrors(t *testing.T) {
	t.Parallel()
	open := func(ctx context.Context, r *classroom.Classroom) error {
		_, err := r.Open(ctx, course)
		return err
	}
	inSession := func(ctx context.Context, r *classroom.Classroom) error {
		_, err := r.InSession(ctx, course.ID)
		return err
	}
	closeClass := func(ctx context.Context, r *classroom.Classroom) error { return r.Close(ctx, course.ID) }
	for _, tc := range []struct {
		name        string
		call        string
		fault       bbbtest.Fault
		do          func(context.Context, *classroom.Classroom) error
		unavailable bool   // errors.Is(err, ErrUnavailable); false with wantErr nil: no error
		wantErr     error  // errors.Is(err, wantErr)
		statuses    []int  // of the call's requests, retries included
		messageKey  string // of the first request
	}{
		{name: "proxy error page on create", call: "create", fault: bbbtest.Fault{Status: 502, Times: 1},
			do: open, unavailable: true, statuses: []int{502}},
		{name: "wrong shared secret", call: "create",
			fault: bbbtest.Fault{Key: "checksumError", Message: "Checksums do not match"},
			do:    open, wantErr: bbb.ErrChecksum, statuses: []int{200}, messageKey: "checksumError"},
		{name: "a read survives one 502", call: "isMeetingRunning", fault: bbbtest.Fault{Status: 502, Times: 1},
			do: inSession, statuses: []int{502, 200}},
		{name: "a read gives up after the retries", call: "isMeetingRunning", fault: bbbtest.Fault{Status: 503},
			do: inSession, unavailable: true, statuses: []int{503, 503, 503}},
		{name: "end is not retried", call: "end", fault: bbbtest.Fault{Status: 500},
			do: closeClass, unavailable: true, statuses: []int{500}},
		{name: "closing what is not open", call: "end", do: closeClass, statuses: []int{200},
			messageKey: "notFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			f := newFixture(t)
			if tc.fault != (bbbtest.Fault{}) {
				f.srv.Fail(tc.call, tc.fault)
			}
			err := tc.do(ctx, f.room)
			switch {
			case tc.unavailable:
				assert.ErrorIs(t, err, classroom.ErrUnavailable)
				var re *bbb.ResponseError
				require.ErrorAs(t, err, &re, "the cause stays reachable")
				assert.Equal(t, tc.statuses[len(tc.statuses)-1], re.StatusCode)
			case tc.wantErr != nil:
				assert.ErrorIs(t, err, tc.wantErr)
				assert.NotErrorIs(t, err, classroom.ErrUnavailable, "retrying would not help")
			default:
				assert.NoError(t, err)
			}
			var statuses []int
			for _, r := range f.srv.RequestsFor(tc.call) {
				statuses = append(statuses, r.StatusCode)
			}
			assert.Equal(t, tc.statuses, statuses)
			assert.Equal(t, tc.messageKey, f.srv.RequestsFor(tc.call)[0].MessageKey)
		})
	}
}

// A slow BBB: the fault's delay runs on the mock clock, WaitDelayed tells
// when the request waits, and the test either advances the clock (BBB
// answers late) or cancels (the user gave up). No sleep, no real wait.
func TestSlowServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		cancel bool
	}{{"answers late", false}, {"user gives up", true}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock := newMock()
			f := newFixture(t, bbbtest.WithClock(mock))
			f.srv.Fail("create", bbbtest.Fault{Delay: time.Minute, Times: 1})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			done := make(chan error, 1)
			go func() { _, err := f.room.Open(ctx, course); done <- err }()

			require.NoError(t, f.srv.WaitDelayed(t.Context(), 1))
			if tc.cancel {
				cancel()
				err := <-done
				assert.ErrorIs(t, err, context.Canceled)
				assert.NotErrorIs(t, err, classroom.ErrUnavailable, "the user left; BBB is fine")
				return
			}
			mock.Add(time.Minute)
			require.NoError(t, <-done)
			_, ok := f.srv.Meeting("course-42")
			assert.True(t, ok)
		})
	}
}
