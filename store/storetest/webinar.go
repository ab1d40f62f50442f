package storetest

import (
	"context"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// RunWebinar runs the conformance suite of webinar.Store against stores
// made by newStore, which must return a new, empty store on each call;
// every subtest gets its own and runs in parallel with the others. Its
// groups are named Webinar…, so that an adapter may run it next to
// RunGateway in one test function without clashing names.
//
// Beyond the documentation of webinar.Store, the suite requires what a
// host relies on and the documentation leaves open:
//
//   - CreateWebinar ignores the Version it is given and stores 1; it
//     stores CreatedAt and UpdatedAt as given (the caller sets them);
//   - every field comes back as stored: instants equal (time.Equal) to
//     the nanosecond whatever their location, the bot secret (compared
//     with Reveal), an empty CoOwners as nil or empty alike, the meeting
//     parameters (Meeting) deeply equal, a *bool set to false staying
//     false and not becoming nil, nil staying nil;
//   - what a method returns is a copy: changing the CoOwners or the
//     Meeting (its maps, slices and *bool values) of a returned webinar,
//     or of one given to CreateWebinar or UpdateWebinar after the call,
//     changes nothing stored;
//   - a refused CreateWebinar, UpdateWebinar or DeleteWebinar (ErrExists,
//     ErrConflict, ErrNotFound) changes nothing, the version included;
//   - a MeetingID is unique among stored webinars: UpdateWebinar to a
//     taken one is ErrExists, and a MeetingID left by an update or a
//     deletion is free again, as is the ID of a deleted webinar;
//   - Webinars returns an empty list, not nil, when nothing matches; its
//     Window is half-open like every slot: a webinar ending at the
//     window's start, or starting at its end, is outside, and an empty
//     window matches nothing; webinars starting at the same instant are
//     ordered by ID;
//   - of 16 goroutines updating from the same version exactly one wins;
//     read-modify-write loops retrying on ErrConflict lose no update;
//   - a lease is held while now.Before(until), until being the now of
//     the last acquisition plus its ttl: at until exactly it is expired
//     and anyone may take it; a renewal by its holder extends it from
//     the renewal's now; leases are independent of webinars and of each
//     other's keys; releasing a lease one does not hold, or an unknown
//     key, is no error and changes nothing;
//   - with a cancelled context every method returns an error matching
//     context.Canceled and changes nothing.
func RunWebinar(t *testing.T, newStore func(t *testing.T) webinar.Store) {
	t.Helper()
	groups := []struct {
		name  string
		tests []webinarTest
	}{
		{"WebinarCreate", webinarCreateTests},
		{"WebinarQuery", webinarQueryTests},
		{"WebinarUpdate", webinarUpdateTests},
		{"WebinarDelete", webinarDeleteTests},
		{"WebinarConcurrent", webinarConcurrentTests},
		{"WebinarLease", leaseTests},
		{"WebinarContext", webinarContextTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(newWebinarHarness(t, newStore))
				})
			}
		})
	}
}

type webinarTest struct {
	name string
	run  func(x *webinarHarness)
}

// webinarHarness is one subtest's webinar store with the helpers the
// tests share.
type webinarHarness struct {
	t     *testing.T
	store webinar.Store
	ctx   context.Context
	made  int // webinars built, for unique meeting IDs
}

func newWebinarHarness(t *testing.T, newStore func(*testing.T) webinar.Store) *webinarHarness {
	t.Helper()
	s := newStore(t)
	require.NotNil(t, s, "the store factory returned nil")
	return &webinarHarness{t: t, store: s, ctx: context.Background()}
}

// newWebinar builds a scheduled webinar id owned by owner during
// [base+from, base+to), with a unique meeting ID, not stored yet.
func (x *webinarHarness) newWebinar(id, owner string, from, to time.Duration) webinar.Webinar {
	x.made++
	return webinar.Webinar{
		ID:        id,
		Owner:     owner,
		Title:     "Webinar " + id,
		Pool:      "p",
		Slot:      slot(from, to),
		MeetingID: fmt.Sprintf("meeting-%s-%d", id, x.made),
		BotRoom:   "room-" + id,
		BotSecret: gateway.NewSecret("bot-secret-" + id),
		State:     webinar.Scheduled,
		CreatedAt: base.Add(-24 * h),
		UpdatedAt: base.Add(-24 * h),
	}
}

// create stores w, requiring success, and returns what the store
// returned.
func (x *webinarHarness) create(w webinar.Webinar) webinar.Webinar {
	x.t.Helper()
	got, err := x.store.CreateWebinar(x.ctx, w)
	require.NoError(x.t, err, "create %s", w.ID)
	w.Version = 1
	assertWebinar(x.t, w, got, "CreateWebinar returns the webinar at version 1")
	return got
}

// add stores a new webinar built by newWebinar.
func (x *webinarHarness) add(id, owner string, from, to time.Duration) webinar.Webinar {
	x.t.Helper()
	return x.create(x.newWebinar(id, owner, from, to))
}

// get reads id, requiring success.
func (x *webinarHarness) get(id string) webinar.Webinar {
	x.t.Helper()
	w, err := x.store.Webinar(x.ctx, id)
	require.NoError(x.t, err, "webinar %s", id)
	return w
}

// update stores w, requiring success and the version incremented, and
// returns what the store returned.
func (x *webinarHarness) update(w webinar.Webinar) webinar.Webinar {
	x.t.Helper()
	got, err := x.store.UpdateWebinar(x.ctx, w)
	require.NoError(x.t, err, "update %s at version %d", w.ID, w.Version)
	w.Version++
	assertWebinar(x.t, w, got, "UpdateWebinar returns the webinar with its version incremented")
	return got
}

// list runs Webinars, requiring success and a non-nil list.
func (x *webinarHarness) list(q webinar.Query) []webinar.Webinar {
	x.t.Helper()
	list, err := x.store.Webinars(x.ctx, q)
	require.NoError(x.t, err)
	require.NotNil(x.t, list, "Webinars returns an empty list, not nil")
	return list
}

// all lists every webinar.
func (x *webinarHarness) all() []webinar.Webinar {
	x.t.Helper()
	return x.list(webinar.Query{})
}

// normWebinar returns w with its instants in UTC and without monotonic
// readings, its secret rebuilt from its text and an empty CoOwners nil,
// so that webinars stored alike compare equal with assert.Equal.
func normWebinar(w webinar.Webinar) webinar.Webinar {
	w.Slot = normSlot(w.Slot)
	w.CreatedAt, w.UpdatedAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC()
	w.BotSecret = gateway.NewSecret(w.BotSecret.Reveal())
	if len(w.CoOwners) == 0 {
		w.CoOwners = nil
	}
	return w
}

// assertWebinar compares two webinars field by field, instants with
// time.Equal and the secret by its text.
func assertWebinar(t *testing.T, want, got webinar.Webinar, msgAndArgs ...any) bool {
	t.Helper()
	return assert.Equal(t, normWebinar(want), normWebinar(got), msgAndArgs...)
}

// fullMeeting is meeting parameters with a value of every kind: strings,
// numbers, *bool true and false, lists, metadata and extra parameters.
func fullMeeting() *bbb.CreateParams {
	return &bbb.CreateParams{
		Welcome:                       "Bienvenue à « l'amphi » ✓\n<b>%%CONFNAME%%</b>",
		MaxParticipants:               42,
		Record:                        bbb.Bool(false),
		AutoStartRecording:            bbb.Bool(true),
		Duration:                      90,
		ModeratorOnlyMessage:          "Presenters only",
		BannerText:                    "Live",
		BannerColor:                   "#FF0000",
		LockSettingsDisableCam:        bbb.Bool(true),
		LockSettingsDisablePublicChat: bbb.Bool(false),
		MeetingLayout:                 "PRESENTATION_FOCUS",
		Logo:                          "https://portal.example.org/logo.png",
		DisabledFeatures:              []string{"polls", "sharedNotes"},
		Meta:                          bbb.Metadata{"bbb-context": "Amphi Est", "bbb-context-name": "L1"},
		Extra:                         url.Values{"allowOverrideClientSettingsOnCreateCall": {"true"}},
	}
}

// webinarIDs lists the IDs of webinars.
func webinarIDs(list []webinar.Webinar) []string {
	out := make([]string, len(list))
	for i, w := range list {
		out[i] = w.ID
	}
	return out
}

// ---- Create and read ----

var webinarCreateTests = []webinarTest{
	{"VersionOne", func(x *webinarHarness) {
		in := x.newWebinar("w1", "alice", 9*h, 10*h)
		in.Version = 42 // ignored
		got, err := x.store.CreateWebinar(x.ctx, in)
		require.NoError(x.t, err)
		assert.Equal(x.t, int64(1), got.Version)
		assert.Equal(x.t, int64(1), x.get("w1").Version)
		in.Version = 1
		assertWebinar(x.t, in, got)
	}},
	{"ReadBackEveryField", func(x *webinarHarness) {
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			paris = time.FixedZone("CET", 3600)
		}
		in := webinar.Webinar{
			ID:          "w-every-field",
			Owner:       "alice@example.org",
			CoOwners:    []string{"bob@example.org", "carol@example.org"},
			Title:       "Amphi Est — « live » ✓",
			Pool:        "site-b",
			Slot:        gateway.Slot{Start: base.Add(9*h + 123456789*ns).In(paris), End: base.Add(10*h + 987654321*ns)},
			ChatEnabled: true,
			ChatShown:   true,
			ChatVisible: false,
			GatewayID:   7,
			MeetingID:   "0123456789abcdef-meeting",
			CreateTime:  1_900_000_000_123,
			BotRoom:     "bot-room-42",
			BotSecret:   gateway.NewSecret("s3cr3t-bot-token-0123456789"),
			Session:     "session-handle-9",
			State:       webinar.Failed,
			FailReason:  "gateway unreachable",
			LastError:   "dial tcp: connection refused",
			CreatedAt:   base.Add(-48*h + 1*ns).In(paris),
			UpdatedAt:   base.Add(-h + 999*ns),
		}
		got := x.create(in)
		in.Version = 1
		for what, w := range map[string]webinar.Webinar{"CreateWebinar": got, "Webinar": x.get(in.ID)} {
			assertWebinar(x.t, in, w, what)
			assert.Equal(x.t, "s3cr3t-bot-token-0123456789", w.BotSecret.Reveal(), "%s: the bot secret comes back as stored", what)
			assert.True(x.t, in.Slot.Start.Equal(w.Slot.Start) && in.Slot.End.Equal(w.Slot.End), "%s: slot %s", what, w.Slot)
			assert.True(x.t, in.CreatedAt.Equal(w.CreatedAt), "%s: CreatedAt %s", what, w.CreatedAt)
			assert.True(x.t, in.UpdatedAt.Equal(w.UpdatedAt), "%s: UpdatedAt %s", what, w.UpdatedAt)
		}
		list := x.all()
		require.Len(x.t, list, 1)
		assertWebinar(x.t, in, list[0], "Webinars")
		assert.Equal(x.t, in.BotSecret.Reveal(), list[0].BotSecret.Reveal())

		// And the zero values of every field.
		zero := webinar.Webinar{ID: "w-zero", MeetingID: "m-zero"}
		x.create(zero)
		zero.Version = 1
		assertWebinar(x.t, zero, x.get("w-zero"))
		assert.Empty(x.t, x.get("w-zero").BotSecret.Reveal())
	}},
	{"ReturnsCopies", func(x *webinarHarness) {
		in := x.newWebinar("w1", "alice", 9*h, 10*h)
		in.CoOwners = []string{"bob", "carol"}
		got, err := x.store.CreateWebinar(x.ctx, in)
		require.NoError(x.t, err)
		in.CoOwners[0] = "mallory" // the caller's slice
		got.CoOwners[1] = "eve"    // the returned slice
		got.CoOwners = append(got.CoOwners, "trudy")
		read := x.get("w1")
		assert.Equal(x.t, []string{"bob", "carol"}, read.CoOwners, "CreateWebinar keeps its own copy")
		read.CoOwners[0] = "oscar" // Webinar's result
		list := x.all()
		require.Len(x.t, list, 1)
		assert.Equal(x.t, []string{"bob", "carol"}, list[0].CoOwners, "Webinar returns a copy")
		list[0].CoOwners[0] = "oscar" // Webinars' result
		assert.Equal(x.t, []string{"bob", "carol"}, x.get("w1").CoOwners, "Webinars returns a copy")
		stored := x.get("w1")
		assert.False(x.t, stored.IsOwner("mallory"))
		assert.Len(x.t, x.list(webinar.Query{User: "eve"}), 0)
	}},
	{"MeetingRoundTrip", func(x *webinarHarness) {
		in := x.newWebinar("w-meeting", "alice", 9*h, 10*h)
		in.Meeting = fullMeeting()
		got := x.create(in)
		in.Version = 1
		assert.Equal(x.t, fullMeeting(), got.Meeting, "CreateWebinar")
		assert.Equal(x.t, fullMeeting(), x.get(in.ID).Meeting, "Webinar")
		list := x.all()
		require.Len(x.t, list, 1)
		assert.Equal(x.t, fullMeeting(), list[0].Meeting, "Webinars")
		read := x.get(in.ID)
		require.NotNil(x.t, read.Meeting.Record)
		assert.False(x.t, *read.Meeting.Record, "a *bool false stays false")
		assert.Nil(x.t, read.Meeting.MuteOnStart, "a nil *bool stays nil")

		// What the caller gave, and what came back, are copies.
		in.Meeting.Meta["bbb-context"] = "changed"
		*in.Meeting.LockSettingsDisableCam = false
		read.Meeting.DisabledFeatures[0] = "changed"
		read.Meeting.Extra["allowOverrideClientSettingsOnCreateCall"][0] = "changed"
		*read.Meeting.Record = true
		assert.Equal(x.t, fullMeeting(), x.get(in.ID).Meeting, "the stored parameters are the store's own")

		// Changed, then removed by an update.
		w := x.get(in.ID)
		w.Meeting = &bbb.CreateParams{Welcome: "Bienvenue", MaxParticipants: 0, Meta: bbb.Metadata{}}
		updated := x.update(w)
		assert.Equal(x.t, &bbb.CreateParams{Welcome: "Bienvenue", Meta: bbb.Metadata{}}, x.get(in.ID).Meeting)
		updated.Meeting = nil
		x.update(updated)
		assert.Nil(x.t, x.get(in.ID).Meeting, "nil comes back nil")

		// A webinar without parameters has none.
		x.add("w-none", "alice", 9*h, 10*h)
		assert.Nil(x.t, x.get("w-none").Meeting)
	}},
	{"DuplicateID", func(x *webinarHarness) {
		first := x.add("w1", "alice", 9*h, 10*h)
		dup := x.newWebinar("w1", "bob", 11*h, 12*h)
		_, err := x.store.CreateWebinar(x.ctx, dup)
		assert.ErrorIs(x.t, err, webinar.ErrExists)
		assertWebinar(x.t, first, x.get("w1"), "the first one is kept")
		// The refused webinar's meeting ID was not taken.
		other := x.newWebinar("w2", "bob", 11*h, 12*h)
		other.MeetingID = dup.MeetingID
		x.create(other)
	}},
	{"DuplicateMeetingID", func(x *webinarHarness) {
		first := x.add("w1", "alice", 9*h, 10*h)
		dup := x.newWebinar("w2", "bob", 11*h, 12*h)
		dup.MeetingID = first.MeetingID
		_, err := x.store.CreateWebinar(x.ctx, dup)
		assert.ErrorIs(x.t, err, webinar.ErrExists)
		_, err = x.store.Webinar(x.ctx, "w2")
		assert.ErrorIs(x.t, err, webinar.ErrNotFound, "the refused webinar was not stored")
		assert.Equal(x.t, []string{"w1"}, webinarIDs(x.all()))
		assertWebinar(x.t, first, x.get("w1"))
		// The ID is free: with another meeting ID it goes.
		dup.MeetingID = "another-meeting"
		x.create(dup)
	}},
	{"NotFound", func(x *webinarHarness) {
		_, err := x.store.Webinar(x.ctx, "nope")
		assert.ErrorIs(x.t, err, webinar.ErrNotFound, "empty store")
		x.add("w1", "alice", 9*h, 10*h)
		for _, id := range []string{"nope", "", "W1", "w1 ", "w"} {
			_, err = x.store.Webinar(x.ctx, id)
			assert.ErrorIs(x.t, err, webinar.ErrNotFound, "%q", id)
		}
	}},
}

// ---- Webinars ----

// queryFixture stores five webinars, created out of order:
//
//	w-c carol (co: alice, dave) [8, 9)   ended
//	w-a alice (co: bob)         [9, 10)  scheduled
//	w-b bob                     [9, 10)  live
//	w-e erin                    [10, 11) live
//	w-d dave                    [11, 12) failed
func queryFixture(x *webinarHarness) {
	x.t.Helper()
	mk := func(id, owner string, from, to time.Duration, st webinar.State, co ...string) {
		w := x.newWebinar(id, owner, from, to)
		w.State, w.CoOwners = st, co
		x.create(w)
	}
	mk("w-d", "dave", 11*h, 12*h, webinar.Failed)
	mk("w-b", "bob", 9*h, 10*h, webinar.Live)
	mk("w-e", "erin", 10*h, 11*h, webinar.Live)
	// Same instant as w-b, in another location.
	a := x.newWebinar("w-a", "alice", 9*h, 10*h)
	a.CoOwners = []string{"bob"}
	a.Slot.Start = a.Slot.Start.In(time.FixedZone("UTC+5", 5*3600))
	x.create(a)
	mk("w-c", "carol", 8*h, 9*h, webinar.Ended, "alice", "dave")
}

// window is [base+from, base+to).
func window(from, to time.Duration) *gateway.Slot {
	s := slot(from, to)
	return &s
}

var webinarQueryTests = []webinarTest{
	{"EmptyStore", func(x *webinarHarness) {
		assert.Empty(x.t, x.all())
		assert.Empty(x.t, x.list(webinar.Query{States: []webinar.State{webinar.Live}, User: "a", Window: window(0, h)}))
	}},
	{"Order", func(x *webinarHarness) {
		queryFixture(x)
		assert.Equal(x.t, []string{"w-c", "w-a", "w-b", "w-e", "w-d"}, webinarIDs(x.all()),
			"by slot start, then ID")
		assert.Equal(x.t, []string{"w-c", "w-a", "w-b", "w-e", "w-d"}, webinarIDs(x.list(webinar.Query{States: []webinar.State{}})),
			"an empty States matches every state")
		// Moving a slot reorders.
		d := x.get("w-d")
		d.Slot = slot(7*h, 8*h)
		x.update(d)
		assert.Equal(x.t, []string{"w-d", "w-c", "w-a", "w-b", "w-e"}, webinarIDs(x.all()))
	}},
	{"States", func(x *webinarHarness) {
		queryFixture(x)
		for _, tc := range []struct {
			states []webinar.State
			want   []string
		}{
			{[]webinar.State{webinar.Live}, []string{"w-b", "w-e"}},
			{[]webinar.State{webinar.Ended, webinar.Live}, []string{"w-c", "w-b", "w-e"}},
			{[]webinar.State{webinar.Failed, webinar.Scheduled, webinar.Scheduled}, []string{"w-a", "w-d"}},
			{[]webinar.State{webinar.Starting}, []string{}},
			{[]webinar.State{"bogus"}, []string{}},
			{webinar.States, []string{"w-c", "w-a", "w-b", "w-e", "w-d"}},
		} {
			assert.Equal(x.t, tc.want, webinarIDs(x.list(webinar.Query{States: tc.states})), "states %v", tc.states)
		}
		// A state change moves a webinar between answers.
		e := x.get("w-e")
		e.State = webinar.StoppingLive
		x.update(e)
		assert.Equal(x.t, []string{"w-b"}, webinarIDs(x.list(webinar.Query{States: []webinar.State{webinar.Live}})))
	}},
	{"User", func(x *webinarHarness) {
		queryFixture(x)
		for user, want := range map[string][]string{
			"alice": {"w-c", "w-a"},                      // co-owner, owner
			"bob":   {"w-a", "w-b"},                      // co-owner, owner
			"dave":  {"w-c", "w-d"},                      // co-owner, owner
			"erin":  {"w-e"},                             // owner
			"zed":   {},                                  // stranger
			"Alice": {},                                  // case matters
			"al":    {},                                  // no prefix match
			"":      {"w-c", "w-a", "w-b", "w-e", "w-d"}, // everyone
		} {
			assert.Equal(x.t, want, webinarIDs(x.list(webinar.Query{User: user})), "user %q", user)
		}
		// Removing a co-owner removes the webinar from their list.
		c := x.get("w-c")
		c.CoOwners = []string{"dave"}
		x.update(c)
		assert.Equal(x.t, []string{"w-a"}, webinarIDs(x.list(webinar.Query{User: "alice"})))
	}},
	{"Window", func(x *webinarHarness) {
		queryFixture(x)
		for _, tc := range []struct {
			name string
			w    *gateway.Slot
			want []string
		}{
			{"exactly [9, 10)", window(9*h, 10*h), []string{"w-a", "w-b"}},
			{"one ns across 10", window(10*h-ns, 10*h+ns), []string{"w-a", "w-b", "w-e"}},
			{"[10, 10+1ns)", window(10*h, 10*h+ns), []string{"w-e"}},
			{"[9-1ns, 9)", window(9*h-ns, 9*h), []string{"w-c"}},
			{"ends at the first start", window(0, 8*h), []string{}},
			{"starts at the last end", window(12*h, 13*h), []string{}},
			{"inside one", window(11*h+30*time.Minute, 11*h+31*time.Minute), []string{"w-d"}},
			{"covers all", window(-h, 24*h), []string{"w-c", "w-a", "w-b", "w-e", "w-d"}},
			{"everything", &everything, []string{"w-c", "w-a", "w-b", "w-e", "w-d"}},
			{"empty at 9:30", window(9*h+30*time.Minute, 9*h+30*time.Minute), []string{}},
			{"inverted", window(12*h, 8*h), []string{}},
		} {
			assert.Equal(x.t, tc.want, webinarIDs(x.list(webinar.Query{Window: tc.w})), tc.name)
		}
		// A window in another location is the same instants.
		far := time.FixedZone("UTC-7", -7*3600)
		w := gateway.Slot{Start: base.Add(9 * h).In(far), End: base.Add(10 * h).In(far)}
		assert.Equal(x.t, []string{"w-a", "w-b"}, webinarIDs(x.list(webinar.Query{Window: &w})))
	}},
	{"Gateway", func(x *webinarHarness) {
		queryFixture(x)
		for id, gw := range map[string]int64{"w-a": 7, "w-b": 8, "w-d": 7} {
			w := x.get(id)
			w.GatewayID = gw
			x.update(w)
		}
		assert.Equal(x.t, []string{"w-a", "w-d"}, webinarIDs(x.list(webinar.Query{GatewayID: 7})))
		assert.Equal(x.t, []string{"w-b"}, webinarIDs(x.list(webinar.Query{GatewayID: 8})))
		assert.Equal(x.t, []string{}, webinarIDs(x.list(webinar.Query{GatewayID: 9})))
		assert.Equal(x.t, []string{"w-d"}, webinarIDs(x.list(webinar.Query{GatewayID: 7,
			States: []webinar.State{webinar.Ended, webinar.Failed}})), "with states")
		assert.Len(x.t, x.list(webinar.Query{}), 5, "0 matches every gateway")
	}},
	{"Combined", func(x *webinarHarness) {
		queryFixture(x)
		live := []webinar.State{webinar.Live}
		for _, tc := range []struct {
			q    webinar.Query
			want []string
		}{
			{webinar.Query{States: live, User: "bob"}, []string{"w-b"}},
			{webinar.Query{States: live, User: "bob", Window: window(9*h, 10*h)}, []string{"w-b"}},
			{webinar.Query{States: live, User: "bob", Window: window(10*h, 11*h)}, []string{}},
			{webinar.Query{User: "alice", Window: window(8*h, 12*h)}, []string{"w-c", "w-a"}},
			{webinar.Query{User: "alice", Window: window(9*h, 12*h)}, []string{"w-a"}},
			{webinar.Query{States: []webinar.State{webinar.Ended, webinar.Failed}, Window: window(8*h, 12*h)}, []string{"w-c", "w-d"}},
			{webinar.Query{States: []webinar.State{webinar.Scheduled}, User: "erin"}, []string{}},
		} {
			assert.Equal(x.t, tc.want, webinarIDs(x.list(tc.q)), "%+v", tc.q)
		}
	}},
}

// ---- Update ----

var webinarUpdateTests = []webinarTest{
	{"IncrementsVersion", func(x *webinarHarness) {
		w := x.add("w1", "alice", 9*h, 10*h)
		for v := int64(1); v <= 5; v++ {
			require.Equal(x.t, v, w.Version)
			w.Title = fmt.Sprintf("title %d", v)
			w = x.update(w)
			assert.Equal(x.t, v+1, w.Version)
			assertWebinar(x.t, w, x.get("w1"), "the update is stored")
		}
	}},
	{"EveryFieldChanges", func(x *webinarHarness) {
		w := x.add("w1", "alice", 9*h, 10*h)
		w.Owner, w.CoOwners, w.Title, w.Pool = "bob", []string{"carol"}, "new title", "q"
		w.Slot = gateway.Slot{Start: base.Add(13*h + 7*ns), End: base.Add(15*h + 9*ns).In(time.FixedZone("X", 1234))}
		w.ChatEnabled, w.ChatShown, w.ChatVisible = true, true, true
		w.GatewayID, w.MeetingID, w.CreateTime = 99, "new-meeting", 1_700_000_000_000
		w.BotRoom, w.BotSecret, w.Session = "room-2", gateway.NewSecret("another-secret"), "sess-2"
		w.State, w.FailReason, w.LastError = webinar.Failed, "reason", "last error"
		w.UpdatedAt = base.Add(5 * ns)
		w = x.update(w)
		got := x.get("w1")
		assertWebinar(x.t, w, got)
		assert.Equal(x.t, "another-secret", got.BotSecret.Reveal())
		// And back to zero values.
		w.CoOwners, w.BotSecret, w.Session, w.GatewayID, w.ChatEnabled = nil, gateway.Secret{}, "", 0, false
		w = x.update(w)
		assertWebinar(x.t, w, x.get("w1"))
		assert.Empty(x.t, x.get("w1").BotSecret.Reveal())
	}},
	{"StaleVersion", func(x *webinarHarness) {
		w := x.add("w1", "alice", 9*h, 10*h)
		stale := w
		w.Title = "first"
		w = x.update(w) // version 2
		for _, v := range []int64{0, 1, 3, 100, -1} {
			try := stale
			try.Title, try.Version, try.State = "lost", v, webinar.Live
			_, err := x.store.UpdateWebinar(x.ctx, try)
			assert.ErrorIs(x.t, err, webinar.ErrConflict, "version %d", v)
			assertWebinar(x.t, w, x.get("w1"), "a conflicting update (version %d) changes nothing", v)
		}
		// Read again and retry: it goes.
		again := x.get("w1")
		again.Title = "second"
		x.update(again)
	}},
	{"CopiesInput", func(x *webinarHarness) {
		w := x.add("w1", "alice", 9*h, 10*h)
		w.CoOwners = []string{"bob"}
		got := x.update(w)
		w.CoOwners[0] = "mallory"
		got.CoOwners[0] = "eve"
		assert.Equal(x.t, []string{"bob"}, x.get("w1").CoOwners)
	}},
	{"NotFound", func(x *webinarHarness) {
		w := x.newWebinar("w1", "alice", 9*h, 10*h)
		w.Version = 1
		_, err := x.store.UpdateWebinar(x.ctx, w)
		assert.ErrorIs(x.t, err, webinar.ErrNotFound)
		_, err = x.store.Webinar(x.ctx, "w1")
		assert.ErrorIs(x.t, err, webinar.ErrNotFound, "an update creates nothing")
		assert.Empty(x.t, x.all())
		// Its meeting ID was not taken.
		x.create(w)
	}},
	{"MeetingID", func(x *webinarHarness) {
		a := x.add("w-a", "alice", 9*h, 10*h)
		b := x.add("w-b", "bob", 9*h, 10*h)
		// Taking another's meeting ID is refused and changes nothing.
		try := b
		try.MeetingID, try.Title = a.MeetingID, "refused"
		_, err := x.store.UpdateWebinar(x.ctx, try)
		assert.ErrorIs(x.t, err, webinar.ErrExists)
		assertWebinar(x.t, b, x.get("w-b"), "a refused update changes nothing")
		assertWebinar(x.t, a, x.get("w-a"))
		// Keeping one's own meeting ID is fine (every other update does).
		b.Title = "kept"
		b = x.update(b)
		// Changing to a new one frees the old one.
		old := b.MeetingID
		b.MeetingID = "m-new"
		b = x.update(b)
		dup := x.newWebinar("w-c", "carol", 9*h, 10*h)
		dup.MeetingID = "m-new"
		_, err = x.store.CreateWebinar(x.ctx, dup)
		assert.ErrorIs(x.t, err, webinar.ErrExists, "the new meeting ID is taken")
		try = a
		try.MeetingID = "m-new"
		_, err = x.store.UpdateWebinar(x.ctx, try)
		assert.ErrorIs(x.t, err, webinar.ErrExists, "by update too")
		dup.MeetingID = old
		x.create(dup) // the old one is free
		// Swapping through a free name.
		a.MeetingID = "m-tmp"
		a = x.update(a)
		b.MeetingID = "m-a"
		x.update(b)
		a.MeetingID = "m-new"
		x.update(a)
		assert.Equal(x.t, "m-new", x.get("w-a").MeetingID)
		assert.Equal(x.t, "m-a", x.get("w-b").MeetingID)
	}},
}

// ---- Delete ----

var webinarDeleteTests = []webinarTest{
	{"Version", func(x *webinarHarness) {
		w := x.add("w1", "alice", 9*h, 10*h)
		other := x.add("w2", "bob", 9*h, 10*h)
		w.Title = "changed"
		w = x.update(w) // version 2
		for _, v := range []int64{0, 1, 3, -1} {
			assert.ErrorIs(x.t, x.store.DeleteWebinar(x.ctx, "w1", v), webinar.ErrConflict, "version %d", v)
			assertWebinar(x.t, w, x.get("w1"), "a conflicting delete changes nothing")
		}
		assert.ErrorIs(x.t, x.store.DeleteWebinar(x.ctx, "nope", 1), webinar.ErrNotFound)
		require.NoError(x.t, x.store.DeleteWebinar(x.ctx, "w1", w.Version))
		_, err := x.store.Webinar(x.ctx, "w1")
		assert.ErrorIs(x.t, err, webinar.ErrNotFound)
		assert.ErrorIs(x.t, x.store.DeleteWebinar(x.ctx, "w1", w.Version), webinar.ErrNotFound, "deleted twice")
		_, err = x.store.UpdateWebinar(x.ctx, w)
		assert.ErrorIs(x.t, err, webinar.ErrNotFound, "update of a deleted webinar")
		assert.Equal(x.t, []string{"w2"}, webinarIDs(x.all()))
		assertWebinar(x.t, other, x.get("w2"), "the other webinar is untouched")
	}},
	{"FreesIDAndMeetingID", func(x *webinarHarness) {
		w := x.add("w1", "alice", 9*h, 10*h)
		require.NoError(x.t, x.store.DeleteWebinar(x.ctx, "w1", 1))
		again := x.newWebinar("w2", "bob", 11*h, 12*h)
		again.MeetingID = w.MeetingID
		x.create(again) // the meeting ID is free
		same := x.newWebinar("w1", "carol", 13*h, 14*h)
		got := x.create(same) // and the ID
		assert.Equal(x.t, int64(1), got.Version, "a new webinar with a deleted one's ID starts at version 1")
		// The meeting ID a deleted webinar had moved away from is free too.
		b := x.get("w2")
		old := b.MeetingID
		b.MeetingID = "m-moved"
		b = x.update(b)
		require.NoError(x.t, x.store.DeleteWebinar(x.ctx, "w2", b.Version))
		for _, m := range []string{old, "m-moved"} {
			n := x.newWebinar("w-"+m, "dave", 9*h, 10*h)
			n.MeetingID = m
			x.create(n)
		}
	}},
}

// ---- Context ----

var webinarContextTests = []webinarTest{
	{"CancelledChangesNothing", func(x *webinarHarness) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		refusedWebinarContext(x, ctx, context.Canceled)
	}},
	{"NilChangesNothing", func(x *webinarHarness) {
		var none context.Context
		refusedWebinarContext(x, none, webinar.ErrNilContext)
	}},
}

// refusedWebinarContext requires every method given ctx to fail with
// want and change nothing.
func refusedWebinarContext(x *webinarHarness, ctx context.Context, want error) {
	w := x.add("w1", "alice", 9*h, 10*h)
	ok, err := x.store.AcquireLease(x.ctx, "held", "alice", h, base)
	require.NoError(x.t, err)
	require.True(x.t, ok)
	before := x.all()
	check := func(what string, err error) {
		x.t.Helper()
		assert.ErrorIs(x.t, err, want, what)
	}
	_, err = x.store.CreateWebinar(ctx, x.newWebinar("w2", "bob", 9*h, 10*h))
	check("CreateWebinar", err)
	_, err = x.store.Webinar(ctx, "w1")
	check("Webinar", err)
	_, err = x.store.Webinar(ctx, "nope")
	check("Webinar (unknown)", err)
	_, err = x.store.Webinars(ctx, webinar.Query{})
	check("Webinars", err)
	changed := w
	changed.Title = "changed"
	_, err = x.store.UpdateWebinar(ctx, changed)
	check("UpdateWebinar", err)
	check("DeleteWebinar", x.store.DeleteWebinar(ctx, "w1", w.Version))
	_, err = x.store.AcquireLease(ctx, "free", "bob", h, base)
	check("AcquireLease", err)
	_, err = x.store.AcquireLease(ctx, "held", "alice", 10*h, base)
	check("AcquireLease (renewal)", err)
	check("ReleaseLease", x.store.ReleaseLease(ctx, "held", "alice"))

	assert.Equal(x.t, before, x.all(), "nothing changed")
	assertWebinar(x.t, w, x.get("w1"))
	ok, err = x.store.AcquireLease(x.ctx, "free", "carol", h, base)
	require.NoError(x.t, err)
	assert.True(x.t, ok, "the cancelled acquisition took nothing")
	ok, err = x.store.AcquireLease(x.ctx, "held", "carol", h, base.Add(h-ns))
	require.NoError(x.t, err)
	assert.False(x.t, ok, "the cancelled release freed nothing")
	ok, err = x.store.AcquireLease(x.ctx, "held", "carol", h, base.Add(h))
	require.NoError(x.t, err)
	assert.True(x.t, ok, "the cancelled renewal extended nothing")
}
