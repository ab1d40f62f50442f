package webinar_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// Bad input gets a clear error, no panic, and nothing is stored.
func TestBadInputRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW)
	ok := draft(slot(0, 2))
	with := func(change func(*webinar.Draft)) webinar.Draft {
		d := ok
		change(&d)
		return d
	}
	for _, tc := range []struct {
		name  string
		user  webinar.User
		draft webinar.Draft
		field string
	}{
		{"NUL in the title", teacher, with(func(d *webinar.Draft) { d.Title = "Web\x00inar" }), "title"},
		{"a line break in the title", teacher, with(func(d *webinar.Draft) { d.Title = "Web\ninar" }), "title"},
		{"invalid UTF-8 in the title", teacher, with(func(d *webinar.Draft) { d.Title = "Web\xffinar" }), "title"},
		{"NUL in the user ID", webinar.User{ID: "ada\x00", Affiliations: []string{"faculty"}}, ok, "user"},
		{"invalid UTF-8 in the user ID", webinar.User{ID: "ad\xe9", Affiliations: []string{"faculty"}}, ok, "user"},
		{"NUL in the pool", teacher, with(func(d *webinar.Draft) { d.Pool = "main\x00" }), "pool"},
		{"a control character in a co-owner", teacher, with(func(d *webinar.Draft) { d.CoOwners = []string{"bob\x1b[31m"} }), "coOwners"},
		{"in the past", teacher, with(func(d *webinar.Draft) { d.Slot = slot(-3, -2) }), "slot"},
		{"ending now", teacher, with(func(d *webinar.Draft) { d.Slot = gateway.Slot{Start: t0.Add(-time.Hour), End: f.clock.Now()} }), "slot"},
	} {
		_, err := f.svc.Create(ctx, tc.user, tc.draft)
		var ie *webinar.InputError
		if assert.ErrorAs(t, err, &ie, tc.name) {
			assert.Equal(t, tc.field, ie.Field, tc.name)
		}
	}
	list, err := f.svc.List(ctx, webinar.Query{})
	require.NoError(t, err)
	assert.Empty(t, list, "nothing stored")

	w, err := f.svc.Create(ctx, teacher, ok)
	require.NoError(t, err)
	bad := "Title\x00"
	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Title: &bad})
	var ie *webinar.InputError
	require.ErrorAs(t, err, &ie)
	past := slot(-3, -2)
	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Slot: &past})
	require.ErrorAs(t, err, &ie)
	assert.Equal(t, "slot", ie.Field)

	// An empty meeting ID names no webinar (it used to match them all).
	_, err = f.svc.MeetingEnded(ctx, "")
	require.ErrorIs(t, err, webinar.ErrNotFound)
	got, err := f.svc.Get(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, w.Version, got.Version)
}

// A nil context is refused with ErrNilContext, by every call, without a
// panic and without a change.
func TestNilContext(t *testing.T) {
	t.Parallel()
	f := newLiveFixture(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW)
	w, err := f.svc.Create(context.Background(), teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	var none context.Context
	title := "Renamed"
	for name, call := range map[string]func() error{
		"Create": func() error { _, err := f.svc.Create(none, teacher, draft(slot(0, 2))); return err },
		"Update": func() error { _, err := f.svc.Update(none, teacher, w.ID, webinar.Changes{Title: &title}); return err },
		"Delete": func() error { return f.svc.Delete(none, teacher, w.ID) },
		"Get":    func() error { _, err := f.svc.Get(none, w.ID); return err },
		"List":   func() error { _, err := f.svc.List(none, webinar.Query{}); return err },
		"Start":  func() error { _, err := f.svc.Start(none, teacher, w.ID); return err },
		"StopLive": func() error {
			_, err := f.svc.StopLive(none, teacher, w.ID)
			return err
		},
		"RestartLive": func() error { _, err := f.svc.RestartLive(none, teacher, w.ID); return err },
		"End":         func() error { _, err := f.svc.End(none, teacher, w.ID); return err },
		"MeetingEnded": func() error {
			_, err := f.svc.MeetingEnded(none, w.MeetingID)
			return err
		},
		"PresenterJoinURL": func() error { _, err := f.svc.PresenterJoinURL(none, teacher, w.ID); return err },
		"PresenterLink":    func() error { _, err := f.svc.PresenterLink(none, teacher, w.ID); return err },
		"PostChat":         func() error { return f.svc.PostChat(none, student, w.ID, "hi") },
		"SetChatShown":     func() error { _, err := f.svc.SetChatShown(none, teacher, w.ID, true); return err },
		"BotJoinURL":       func() error { _, err := f.svc.BotJoinURL(none, w.ID, "x", "y", webinar.BotForm{}); return err },
		"LiveEvent":        func() error { _, err := f.svc.LiveEvent(none, w.ID); return err },
		"Reconcile":        func() error { _, err := f.svc.Reconcile(none); return err },
		"Tick":             func() error { return f.svc.Tick(none, webinar.WatchOptions{}) },
		"Watch":            func() error { return f.svc.Watch(none, webinar.WatchOptions{}) },
		"Wait":             func() error { _, err := f.svc.Wait(none, w.ID); return err },
	} {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = errors.New("panic")
				}
			}()
			return call()
		}()
		assert.ErrorIs(t, err, webinar.ErrNilContext, name)
	}
	got, err := f.svc.Get(context.Background(), w.ID)
	require.NoError(t, err)
	assert.Equal(t, w.Version, got.Version, "nothing changed")
	assert.ErrorIs(t, f.svc.Close(none), webinar.ErrNilContext)
}
