package webinar_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/webinar"
)

// fixture is a Service on the memory store with gateways and a recording
// notifier.
type fixture struct {
	svc      *webinar.Service
	store    *memory.Store
	gateways *gateway.Service
	clock    *clock.Mock
	mu       sync.Mutex
	events   []webinar.Event
	hook     func(webinar.Event) // called after each event is recorded, outside mu
}

var (
	teacher = webinar.User{ID: "ada", Name: "Ada L.", Affiliations: []string{"faculty"}}
	student = webinar.User{ID: "bob", Name: "Bob", Affiliations: []string{"student"}}
	admin   = webinar.User{ID: "root", Superuser: true}
	t0      = time.Date(2031, 3, 3, 9, 0, 0, 0, time.UTC)
)

func newFixture(t *testing.T, nGateways int) *fixture {
	t.Helper()
	f := &fixture{store: memory.New(), clock: clock.NewMock()}
	f.clock.Set(t0.Add(-24 * time.Hour))
	f.gateways = gateway.NewService(gateway.Config{Store: f.store, Clock: f.clock})
	for i := range nGateways {
		_, err := f.gateways.CreateGateway(context.Background(), gateway.Gateway{
			Name:    "gw",
			RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/key"),
			HLSURL:  "https://live.example.org/hls/" + string(rune('a'+i)) + ".m3u8",
			Server:  gateway.Server{URL: "https://gw" + string(rune('a'+i)) + ".example.org", Token: gateway.NewSecret("0123456789abcdef"), Protocol: sipmediagw.Legacy},
			Enabled: true,
		})
		require.NoError(t, err)
	}
	svc, err := webinar.NewService(webinar.Config{Store: f.store, Gateways: f.gateways, Clock: f.clock,
		Notifier: webinar.NotifierFunc(func(_ context.Context, e webinar.Event) {
			f.mu.Lock()
			f.events = append(f.events, e)
			hook := f.hook
			f.mu.Unlock()
			if hook != nil {
				hook(e)
			}
		})})
	require.NoError(t, err)
	f.svc = svc
	return f
}

// waited runs a lifecycle call (Start, StopLive, RestartLive, End) and
// waits for its background part, as a script would.
func (f *fixture) waited(op func(context.Context, webinar.User, string) (webinar.Webinar, error), u webinar.User, id string) (webinar.Webinar, error) {
	ctx := context.Background()
	if w, err := op(ctx, u, id); err != nil {
		return w, err
	}
	return f.svc.Wait(ctx, id)
}

func (f *fixture) kinds() []webinar.EventKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []webinar.EventKind
	for _, e := range f.events {
		out = append(out, e.Kind)
	}
	return out
}

func (f *fixture) last() webinar.Event {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.events[len(f.events)-1]
}

func slot(fromHour, toHour int) gateway.Slot {
	return gateway.Slot{Start: t0.Add(time.Duration(fromHour) * time.Hour), End: t0.Add(time.Duration(toHour) * time.Hour)}
}

func draft(s gateway.Slot) webinar.Draft {
	return webinar.Draft{Title: "Distributed systems", Slot: s, ChatEnabled: true}
}

func TestNewServiceNeedsStoreAndGateways(t *testing.T) {
	t.Parallel()
	_, err := webinar.NewService(webinar.Config{})
	require.Error(t, err)
}

func TestCreate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, 1)
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	assert.Equal(t, webinar.Scheduled, w.State)
	assert.Equal(t, "ada", w.Owner)
	assert.NotZero(t, w.GatewayID)
	assert.Regexp(t, `^bbbcast-[0-9a-f]{24}$`, w.MeetingID, "never derived from the title")
	assert.Regexp(t, `^b[0-9a-f]{10}$`, w.BotRoom, "a Docker Compose project name")
	assert.Len(t, w.BotSecret.Reveal(), 48)
	assert.Equal(t, int64(2), w.Version, "created, then its gateway recorded")
	assert.Equal(t, f.clock.Now(), w.CreatedAt)

	b, err := f.gateways.Booking(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, w.GatewayID, b.GatewayID)
	assert.True(t, b.Slot.Start.Equal(w.Slot.Start))

	require.Equal(t, []webinar.EventKind{webinar.LiveEventCreated}, f.kinds())
	ev := f.last().LiveEvent
	require.NotNil(t, ev)
	assert.Equal(t, webinar.LiveEvent{WebinarID: w.ID, Title: "Distributed systems", Start: w.Slot.Start, End: w.Slot.End,
		HLSURL: "https://live.example.org/hls/a.m3u8", ChatEnabled: true, State: webinar.Scheduled}, *ev)

	other, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.ErrorIs(t, err, gateway.ErrNoGatewayFree, "one gateway, overlapping slots")
	assert.Zero(t, other)
	list, err := f.svc.List(ctx, webinar.Query{})
	require.NoError(t, err)
	assert.Len(t, list, 1, "nothing kept of the refused webinar")
	e := f.last()
	require.Equal(t, webinar.CapacityExceeded, e.Kind)
	require.NotNil(t, e.Capacity)
	require.Len(t, e.Capacity.Conflicts, 1)
	assert.Equal(t, w.ID, e.Capacity.Conflicts[0].Owner)

	_, err = f.svc.Create(ctx, teacher, draft(slot(2, 3)))
	require.NoError(t, err, "back to back shares the gateway")
}

func TestCreateRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		user webinar.User
		d    webinar.Draft
		want error
	}{
		{"student", student, draft(slot(0, 1)), webinar.ErrForbidden},
		{"anonymous", webinar.User{}, draft(slot(0, 1)), webinar.ErrForbidden},
		{"blank title", teacher, webinar.Draft{Title: "  ", Slot: slot(0, 1)}, nil},
		{"long title", teacher, webinar.Draft{Title: string(make([]rune, 251)), Slot: slot(0, 1)}, nil},
		{"inverted slot", teacher, draft(slot(2, 1)), gateway.ErrInvalidSlot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, 1)
			_, err := f.svc.Create(context.Background(), tt.user, tt.d)
			require.Error(t, err)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
			} else {
				var ie *webinar.InputError
				require.ErrorAs(t, err, &ie)
				assert.Equal(t, "title", ie.Field)
			}
			assert.Empty(t, f.kinds())
		})
	}
}

func TestUpdateSlotKeepsMovesOrRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, 2)
	a, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	b, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	require.NotEqual(t, a.GatewayID, b.GatewayID)

	later := slot(3, 4)
	a2, err := f.svc.Update(ctx, teacher, a.ID, webinar.Changes{Slot: &later})
	require.NoError(t, err)
	assert.Equal(t, a.GatewayID, a2.GatewayID, "kept: free for the new slot")
	assert.True(t, a2.Slot.Start.Equal(later.Start))

	// c takes the other gateway at 3–4: then both are held there.
	c, err := f.svc.Create(ctx, teacher, draft(slot(3, 4)))
	require.NoError(t, err)
	assert.NotEqual(t, a2.GatewayID, c.GatewayID)

	_, err = f.svc.Update(ctx, teacher, b.ID, webinar.Changes{Slot: &later})
	require.ErrorIs(t, err, gateway.ErrNoGatewayFree, "both gateways are held at 3–4")
	still, err := f.svc.Get(ctx, b.ID)
	require.NoError(t, err)
	assert.True(t, still.Slot.Start.Equal(slot(0, 2).Start), "refused edits change nothing")
	booking, err := f.gateways.Booking(ctx, b.ID)
	require.NoError(t, err)
	assert.True(t, booking.Slot.Start.Equal(slot(0, 2).Start))
	assert.Equal(t, webinar.CapacityExceeded, f.last().Kind)

	// d takes a's gateway at 5–6: a, edited to 5–6, must move to the
	// other one, free then.
	d, err := f.svc.Create(ctx, teacher, draft(slot(5, 6)))
	require.NoError(t, err)
	require.Equal(t, a2.GatewayID, d.GatewayID)
	evening := slot(5, 6)
	a3, err := f.svc.Update(ctx, teacher, a.ID, webinar.Changes{Slot: &evening})
	require.NoError(t, err)
	assert.Equal(t, c.GatewayID, a3.GatewayID, "moved to the free gateway")
	moved, err := f.gateways.Booking(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, c.GatewayID, moved.GatewayID)

	title := "Renamed"
	b2, err := f.svc.Update(ctx, teacher, b.ID, webinar.Changes{Title: &title})
	require.NoError(t, err)
	assert.Equal(t, "Renamed", b2.Title)
	assert.Equal(t, b.MeetingID, b2.MeetingID, "renaming keeps the meeting ID")
	assert.Equal(t, webinar.LiveEventUpdated, f.last().Kind)
}

func TestUpdateAndDeleteRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, 1)
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	for _, short := range []string{"x", " é "} {
		_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Title: &short})
		var short *webinar.InputError
		require.ErrorAs(t, err, &short, "BBB refuses a meeting name under 2 characters")
	}
	title := "xy"
	_, err = f.svc.Update(ctx, student, w.ID, webinar.Changes{Title: &title})
	require.ErrorIs(t, err, webinar.ErrForbidden)
	_, err = f.svc.Update(ctx, admin, w.ID, webinar.Changes{Title: &title})
	require.NoError(t, err, "superusers manage every webinar")
	empty := ""
	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Title: &empty})
	var ie *webinar.InputError
	require.ErrorAs(t, err, &ie)
	_, err = f.svc.Update(ctx, teacher, "missing", webinar.Changes{Title: &title})
	require.ErrorIs(t, err, webinar.ErrNotFound)

	// A webinar in progress cannot be deleted.
	cur, err := f.store.Webinar(ctx, w.ID)
	require.NoError(t, err)
	cur.State = webinar.Live
	_, err = f.store.UpdateWebinar(ctx, cur)
	require.NoError(t, err)
	require.ErrorIs(t, f.svc.Delete(ctx, teacher, w.ID), webinar.ErrInvalidState)
	require.ErrorIs(t, f.svc.Delete(ctx, student, w.ID), webinar.ErrForbidden)

	cur, err = f.store.Webinar(ctx, w.ID)
	require.NoError(t, err)
	cur.State = webinar.Ended
	_, err = f.store.UpdateWebinar(ctx, cur)
	require.NoError(t, err)
	_, err = f.svc.Update(ctx, teacher, w.ID, webinar.Changes{Title: &title})
	require.ErrorIs(t, err, webinar.ErrInvalidState, "an ended webinar is not edited")

	require.NoError(t, f.svc.Delete(ctx, teacher, w.ID))
	_, err = f.svc.Get(ctx, w.ID)
	require.ErrorIs(t, err, webinar.ErrNotFound)
	_, err = f.gateways.Booking(ctx, w.ID)
	require.ErrorIs(t, err, gateway.ErrNotFound, "the booking is released")
	assert.Equal(t, webinar.LiveEventDeleted, f.last().Kind)
	require.ErrorIs(t, f.svc.Delete(ctx, teacher, w.ID), webinar.ErrNotFound)
}

func TestConcurrentUpdatesAllLand(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, 1)
	w, err := f.svc.Create(ctx, teacher, draft(slot(0, 2)))
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for i := range 4 {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			on := i%2 == 0
			_, err := f.svc.Update(ctx, teacher, w.ID, webinar.Changes{ChatShown: &on})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err, "conflicts are retried")
	}
	got, err := f.svc.Get(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, w.Version+4, got.Version)
}

func TestPodPolicy(t *testing.T) {
	t.Parallel()
	w := &webinar.Webinar{Owner: "ada", CoOwners: []string{"eve"}}
	tests := []struct {
		name          string
		p             webinar.PodPolicy
		u             webinar.User
		create, manag bool
	}{
		{"faculty", webinar.PodPolicy{}, webinar.User{ID: "x", Affiliations: []string{"faculty"}}, true, false},
		{"staff", webinar.PodPolicy{}, webinar.User{ID: "x", Affiliations: []string{"member", "staff"}}, true, false},
		{"student", webinar.PodPolicy{}, webinar.User{ID: "x", Affiliations: []string{"student"}}, false, false},
		{"admin group", webinar.PodPolicy{AdminGroup: "webinar-admins"}, webinar.User{ID: "x", Groups: []string{"webinar-admins"}}, true, false},
		{"custom affiliations", webinar.PodPolicy{Affiliations: []string{"researcher"}}, webinar.User{ID: "x", Affiliations: []string{"faculty"}}, false, false},
		{"superuser", webinar.PodPolicy{}, webinar.User{ID: "x", Superuser: true}, true, true},
		{"owner", webinar.PodPolicy{}, webinar.User{ID: "ada"}, false, true},
		{"co-owner", webinar.PodPolicy{}, webinar.User{ID: "eve"}, false, true},
		{"anonymous superuser", webinar.PodPolicy{}, webinar.User{Superuser: true}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.create, tt.p.CanCreate(tt.u), "create")
			assert.Equal(t, tt.manag, tt.p.CanManage(tt.u, w), "manage")
			assert.Equal(t, tt.u.ID != "", tt.p.CanChat(tt.u, w), "chat")
		})
	}
}

func TestLiveEventOfUnknownWebinar(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	_, err := f.svc.LiveEvent(context.Background(), "nope")
	require.True(t, errors.Is(err, webinar.ErrNotFound))
}
