package main

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/webinar"
)

func TestCreateWebinar(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")

	res := ada.get("/webinars/new")
	if res.status != http.StatusOK {
		t.Fatalf("new webinar page: %d", res.status)
	}
	wantContains(t, "new webinar page", res.body, `action="/webinars/new"`, `name="title"`, `name="date"`,
		`name="time"`, `name="minutes"`, `value="60"`, `id="chat" name="chat" type="checkbox" checked`,
		`id="chat_shown" name="chat_shown" type="checkbox" checked`)

	start := time.Date(2031, 3, 4, 14, 30, 0, 0, time.UTC)
	id := d.createWebinar(t, ada, webinarValues("  Intro to <b>engines</b>  ", start, 90, true, false))
	w := d.wantState(t, id, webinar.Scheduled)
	if w.Title != "Intro to <b>engines</b>" || !w.Slot.Start.Equal(start) || !w.Slot.End.Equal(start.Add(90*time.Minute)) ||
		!w.ChatEnabled || w.ChatShown || w.Owner != "ada" {
		t.Errorf("stored %+v", w)
	}
	if g1 := d.gatewayNamed(t, "Fake gateway 1"); w.GatewayID != g1.ID {
		t.Errorf("booked gateway %d, want Fake gateway 1 (%d)", w.GatewayID, g1.ID)
	}

	page := ada.get("/webinars/" + id + "?done=created")
	if page.status != http.StatusOK {
		t.Fatalf("webinar page: %d", page.status)
	}
	wantContains(t, "webinar page", page.body,
		"<h1>Intro to &lt;b&gt;engines&lt;/b&gt;</h1>",
		"Webinar created: a gateway is booked for its slot.",
		`<span id="webinar-state" class="badge scheduled">scheduled</span>`,
		"Tue 4 Mar 2031, 14:30–16:00 UTC",
		"open to the audience, hidden in the stream",
		`<a href="/live/`+id+`">`,
		"<code>"+d.URL+"/hls/gw1/index.m3u8</code>",
		`action="/webinars/`+id+`/do/start"`, "Start the webinar",
		`action="/webinars/`+id+`/do/show-chat"`,
		`action="/webinars/`+id+`/do/delete"`,
		`href="/webinars/`+id+`/edit"`,
		`href="/webinars/`+id+`/join"`)
	wantAbsent(t, "webinar page", page.body, "<b>engines</b>", "do/stop-live", "In the meeting", `http-equiv="refresh"`)

	list := ada.get("/webinars")
	wantContains(t, "my webinars", list.body, `<a href="/webinars/`+id+`">Intro to &lt;b&gt;engines&lt;/b&gt;</a>`,
		`href="/webinars/new"`, "scheduled")

	// The second webinar at the same time takes the second gateway.
	id2 := d.createWebinar(t, ada, webinarValues("Second", start.Add(30*time.Minute), 30, false, false))
	if g2 := d.gatewayNamed(t, "Fake gateway 2"); d.webinar(t, id2).GatewayID != g2.ID {
		t.Errorf("second webinar not on Fake gateway 2")
	}
	wantContains(t, "second webinar", ada.get("/webinars/"+id2).body, d.URL+"/hls/gw2/index.m3u8", "<dd>off</dd>")

	// A third one overlapping both finds no gateway.
	before := len(d.webinars(t))
	res = ada.post("/webinars/new", webinarValues("Third", start.Add(45*time.Minute), 30, true, true))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("third webinar: %d, want 422", res.status)
	}
	wantContains(t, "third webinar", res.body, "No gateway is free from",
		"all 2 gateways of the pool are booked (gateway 1 until", `value="Third"`)
	if n := len(d.webinars(t)); n != before {
		t.Errorf("%d webinars after a refused one, want %d", n, before)
	}
	// Back to back is no overlap.
	d.createWebinar(t, ada, webinarValues("After", start.Add(90*time.Minute), 30, true, true))
}

func TestCreateWebinarInvalid(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	start := slotStart(time.Now().Add(time.Hour))
	good := webinarValues("Good", start, 60, true, true)
	with := func(k, v string) url.Values {
		f := url.Values{}
		for key, vals := range good {
			f[key] = append([]string(nil), vals...)
		}
		f.Set(k, v)
		return f
	}
	cases := []struct {
		name  string
		form  url.Values
		field string // the input marked invalid
		msg   string
	}{
		{"empty title", with("title", ""), "title", "Give the webinar a title."},
		{"blank title", with("title", "   "), "title", "Give the webinar a title."},
		{"long title", with("title", strings.Repeat("é", 251)), "title", "The title is too long: 251 characters, at most 250."},
		{"short title", with("title", " é "), "title", "The title is too short: at least 2 characters."},
		{"title with a tab", with("title", "Engines\tand mills"), "title", "Keep the title on one line, without tabs."},
		{"title with a line break", with("title", "Engines\nand mills"), "title", "Keep the title on one line, without tabs."},
		{"year 2300", with("date", "2300-01-01"), "date", "This time slot cannot be booked: choose a date between 1970 and 2200, and a duration."},
		{"in the past", with("date", "2001-01-01"), "date", "This time slot is over: choose one that ends in the future."},
		{"bad date", with("date", "31/12/2030"), "date", "Give a date and a start time."},
		{"no such day", with("date", "2030-02-30"), "date", "Give a date and a start time."},
		{"empty date", with("date", ""), "date", "Give a date and a start time."},
		{"bad time", with("time", "25:00"), "date", "Give a date and a start time."},
		{"minutes 0", with("minutes", "0"), "minutes", "Between 5 minutes and 24 hours."},
		{"minutes 4", with("minutes", "4"), "minutes", "Between 5 minutes and 24 hours."},
		{"minutes 2000", with("minutes", "2000"), "minutes", "Between 5 minutes and 24 hours."},
		{"minutes not a number", with("minutes", "an hour"), "minutes", "Between 5 minutes and 24 hours."},
		{"negative minutes", with("minutes", "-60"), "minutes", "Between 5 minutes and 24 hours."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ada := ada.in(t)
			res := ada.post("/webinars/new", c.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("%d, want 422", res.status)
			}
			wantContains(t, c.name, res.body, c.msg,
				`id="`+c.field+`" name="`+c.field+`"`, `aria-invalid="true" aria-describedby="`+c.field+`-error"`,
				`id="`+c.field+`-error">`)
			if n := strings.Count(res.body, `aria-invalid="true"`); n != 1 {
				t.Errorf("%d fields marked invalid, want 1", n)
			}
			// The form keeps what was typed.
			if c.field != "title" {
				wantContains(t, c.name, res.body, `value="Good"`)
			}
			wantAbsent(t, c.name, res.body, libraryWording...)
		})
	}
	t.Run("every field wrong", func(t *testing.T) {
		t.Parallel()
		ada := ada.in(t)
		res := ada.post("/webinars/new", url.Values{"title": {""}, "date": {"x"}, "minutes": {"0"}})
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d, want 422", res.status)
		}
		wantContains(t, "all wrong", res.body, "Give the webinar a title.", "Give a date and a start time.",
			"Between 5 minutes and 24 hours.")
		if n := strings.Count(res.body, `aria-invalid="true"`); n != 3 {
			t.Errorf("%d fields marked invalid, want 3", n)
		}
	})
	t.Run("nothing created", func(t *testing.T) {
		t.Parallel()
		ada := ada.in(t)
		res := ada.post("/webinars/new", with("title", ""))
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d", res.status)
		}
		for _, w := range d.webinars(t) {
			if w.Title != "Good" {
				t.Errorf("created %q", w.Title)
			}
		}
	})
}

func TestWebinarPermissions(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	sam := d.signedIn(t, "sam")
	grace := d.signedIn(t, "grace")
	id := d.newWebinar(t, ada, "Ada's own")

	t.Run("audience cannot manage", func(t *testing.T) {
		sam := sam.in(t)
		for _, p := range []string{"/webinars/" + id, "/webinars/" + id + "/edit"} {
			res := sam.get(p)
			if res.status != http.StatusForbidden {
				t.Errorf("Sam GET %s: %d, want 403", p, res.status)
			}
			wantContains(t, p, res.body, "Only the webinar&#39;s owners and administrators manage it.")
			wantAbsent(t, p, res.body, "Ada&#39;s own", "Ada's own")
		}
		for _, a := range []string{"start", "end", "delete", "show-chat", "hide-chat", "stop-live", "nope"} {
			res := sam.post("/webinars/"+id+"/do/"+a, nil)
			if res.status != http.StatusForbidden {
				t.Errorf("Sam %s: %d, want 403", a, res.status)
			}
		}
		res := sam.post("/webinars/"+id+"/edit", webinarValues("Sam's now", time.Now(), 60, true, true))
		if res.status != http.StatusForbidden {
			t.Errorf("Sam edit: %d, want 403", res.status)
		}
		d.settle()
		if w := d.wantState(t, id, webinar.Scheduled); w.Title != "Ada's own" {
			t.Errorf("title %q", w.Title)
		}
		if list := sam.get("/webinars"); strings.Contains(list.body, id) || list.status != http.StatusOK {
			t.Errorf("Sam's list: %d, lists Ada's webinar: %v", list.status, strings.Contains(list.body, id))
		}
	})

	t.Run("audience cannot create", func(t *testing.T) {
		sam := sam.in(t)
		res := sam.get("/webinars/new")
		if res.status != http.StatusForbidden {
			t.Errorf("Sam /webinars/new: %d, want 403", res.status)
		}
		wantContains(t, "Sam's new webinar page", res.body, "Only staff and faculty create webinars")
		list := sam.get("/webinars")
		wantContains(t, "Sam's list", list.body, "Only staff and faculty create webinars.")
		wantAbsent(t, "Sam's list", list.body, `href="/webinars/new"`)

		before := len(d.webinars(t))
		res = sam.post("/webinars/new", webinarValues("Sam's", time.Now(), 60, true, true))
		if res.status != http.StatusForbidden {
			t.Fatalf("Sam's create: %d %q, want 403", res.status, res.location)
		}
		wantContains(t, "Sam's create", res.body, "Only staff and faculty create webinars")
		if n := len(d.webinars(t)); n != before {
			t.Errorf("%d webinars, want %d", n, before)
		}
	})

	t.Run("administrator manages", func(t *testing.T) {
		grace := grace.in(t)
		if res := grace.get("/webinars/" + id); res.status != http.StatusOK {
			t.Errorf("Grace: %d", res.status)
		}
		wantContains(t, "Grace's list", grace.get("/webinars").body, `href="/webinars/`+id+`"`)
	})

	t.Run("signed out", func(t *testing.T) {
		v := d.visitor(t)
		for _, p := range []string{"/webinars", "/webinars/new", "/webinars/" + id, "/webinars/" + id + "/edit"} {
			res := v.get(p)
			if res.status != http.StatusSeeOther || res.location != "/signin?next="+url.QueryEscape(p) {
				t.Errorf("GET %s: %d %q", p, res.status, res.location)
			}
		}
		res := v.post("/webinars/"+id+"/do/start", nil)
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/signin?next=") {
			t.Errorf("signed-out start: %d %q", res.status, res.location)
		}
		res = v.post("/webinars/new", webinarValues("Anon", time.Now(), 60, true, true))
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.location, "/signin?next=") {
			t.Errorf("signed-out create: %d %q", res.status, res.location)
		}
		d.settle()
		d.wantState(t, id, webinar.Scheduled)
	})

	t.Run("unknown webinar", func(t *testing.T) {
		ada := ada.in(t)
		for _, p := range []string{"/webinars/nope", "/webinars/nope/edit"} {
			if res := ada.get(p); res.status != http.StatusNotFound {
				t.Errorf("GET %s: %d", p, res.status)
			}
		}
		if res := ada.post("/webinars/nope/do/start", nil); res.status != http.StatusNotFound {
			t.Errorf("start unknown: %d", res.status)
		}
	})
}

func TestEditWebinar(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	start := time.Date(2032, 5, 6, 9, 0, 0, 0, time.UTC)
	id := d.createWebinar(t, ada, webinarValues("Draft title", start, 60, true, true))
	other := d.createWebinar(t, ada, webinarValues("Other", start.Add(3*time.Hour), 60, true, true))

	res := ada.get("/webinars/" + id + "/edit")
	if res.status != http.StatusOK {
		t.Fatalf("edit page: %d", res.status)
	}
	wantContains(t, "edit page", res.body, `action="/webinars/`+id+`/edit"`, `value="Draft title"`,
		`value="2032-05-06"`, `value="09:00"`, `value="60"`, `href="/webinars/`+id+`">Cancel</a>`, ">Save<")

	// Title, slot and chat.
	newStart := start.Add(24 * time.Hour)
	res = ada.post("/webinars/"+id+"/edit", webinarValues("Final title", newStart, 45, false, false))
	if res.status != http.StatusSeeOther || res.location != "/webinars/"+id+"?done=saved" {
		t.Fatalf("save: %d %q\n%s", res.status, res.location, pageError(res.body))
	}
	w := d.webinar(t, id)
	if w.Title != "Final title" || !w.Slot.Start.Equal(newStart) || !w.Slot.End.Equal(newStart.Add(45*time.Minute)) ||
		w.ChatEnabled || w.ChatShown {
		t.Errorf("saved %+v", w)
	}
	wantContains(t, "saved page", ada.get(res.location).body, "Changes saved.", "<h1>Final title</h1>",
		"Fri 7 May 2032, 09:00–09:45 UTC")

	// Invalid changes keep the stored webinar.
	res = ada.post("/webinars/"+id+"/edit", webinarValues("", newStart, 2000, false, false))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid edit: %d", res.status)
	}
	wantContains(t, "invalid edit", res.body, "Give the webinar a title.", "Between 5 minutes and 24 hours.",
		`action="/webinars/`+id+`/edit"`)
	if w := d.webinar(t, id); w.Title != "Final title" {
		t.Errorf("title %q after an invalid edit", w.Title)
	}

	// Moving onto a full slot is refused, nothing changes. Fill the other
	// gateway at the other webinar's time first.
	d.createWebinar(t, ada, webinarValues("Filler", start.Add(3*time.Hour), 60, true, true))
	res = ada.post("/webinars/"+id+"/edit", webinarValues("Final title", start.Add(3*time.Hour), 60, false, false))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("edit onto a full slot: %d", res.status)
	}
	wantContains(t, "full slot", res.body, "No gateway is free from")
	if w := d.webinar(t, id); !w.Slot.Start.Equal(newStart) {
		t.Errorf("slot moved to %v", w.Slot)
	}
	_ = other
}

// TestWebinarLifecycle runs a webinar on the fakes: start, stop the live,
// start again, restart, chat panel, end, delete.
func TestWebinarLifecycle(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	id := d.newWebinar(t, ada, "Analytical engines")
	gw := d.app.fakes.gws[0]
	hls := d.visitor(t)

	if res := hls.get("/hls/gw1/index.m3u8"); res.status != http.StatusNotFound {
		t.Errorf("HLS before the start: %d, want 404", res.status)
	}

	// Start.
	d.act(t, ada, id, "start")
	w := d.wantState(t, id, webinar.Live)
	m, ok := d.app.fakes.bbb.Meeting(w.MeetingID)
	if !ok || !m.Running || m.Ended {
		t.Fatalf("BBB meeting %s: found %v, %+v", w.MeetingID, ok, m)
	}
	if !gw.IsRunning(w.Session) || len(gw.Running()) != 1 {
		t.Fatalf("gateway 1 not streaming %q: %+v", w.Session, gw.Running())
	}
	if len(d.app.fakes.gws[1].Running()) != 0 {
		t.Error("gateway 2 streams")
	}
	if !hasAttendee(m, webinar.BotName) {
		t.Errorf("the bot is not in the meeting: %+v", m.Attendees)
	}
	if !gw.ChatPanelVisible(w.Session) {
		t.Error("chat panel hidden, want shown")
	}
	page := ada.get("/webinars/" + id)
	wantContains(t, "live page", page.body, `class="badge live">live</span>`, "In the meeting",
		"<li>streaming <span", `do/stop-live`, `do/restart-live`, `do/hide-chat`, `do/end`, `href="/webinars/`+id+`/edit"`)
	wantAbsent(t, "live page", page.body, `do/start"`, `do/delete`)
	res := hls.get("/hls/gw1/index.m3u8")
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "#EXTM3U") {
		t.Errorf("HLS while live: %d %q", res.status, res.body)
	}
	if res := hls.get("/hls/gw2/index.m3u8"); res.status != http.StatusNotFound {
		t.Errorf("HLS of the idle gateway: %d", res.status)
	}

	// Chat panel.
	d.act(t, ada, id, "hide-chat")
	if gw.ChatPanelVisible(w.Session) {
		t.Error("chat panel still shown after hide-chat")
	}
	if w := d.webinar(t, id); w.ChatShown || w.ChatVisible {
		t.Errorf("after hide-chat: shown %v visible %v", w.ChatShown, w.ChatVisible)
	}
	wantContains(t, "after hide-chat", ada.get("/webinars/"+id+"?done=hide-chat").body,
		"The chat will be hidden from the stream.", "hidden in the stream", "do/show-chat")
	d.act(t, ada, id, "show-chat")
	if !gw.ChatPanelVisible(w.Session) {
		t.Error("chat panel hidden after show-chat")
	}

	// Stop the live: the meeting goes on.
	d.act(t, ada, id, "stop-live")
	d.wantState(t, id, webinar.LiveStopped)
	if len(gw.Running()) != 0 {
		t.Errorf("gateway streams after stop-live: %+v", gw.Running())
	}
	m, _ = d.app.fakes.bbb.Meeting(w.MeetingID)
	if m.Ended || hasAttendee(m, webinar.BotName) {
		t.Errorf("after stop-live: meeting ended %v, bot %v", m.Ended, hasAttendee(m, webinar.BotName))
	}
	if res := hls.get("/hls/gw1/index.m3u8"); res.status != http.StatusNotFound {
		t.Errorf("HLS after stop-live: %d", res.status)
	}
	wantContains(t, "stopped page", ada.get("/webinars/"+id).body, "live stopped", "Start the live again", "do/end")

	// Start again.
	d.act(t, ada, id, "start")
	w = d.wantState(t, id, webinar.Live)
	if !gw.IsRunning(w.Session) {
		t.Error("not streaming after the new start")
	}
	if m, _ := d.app.fakes.bbb.Meeting(w.MeetingID); !hasAttendee(m, webinar.BotName) {
		t.Error("the bot did not join again")
	}

	// Restart.
	starts := gw.StartCount()
	d.act(t, ada, id, "restart-live")
	w = d.wantState(t, id, webinar.Live)
	if gw.StartCount() != starts+1 || !gw.IsRunning(w.Session) || len(gw.Running()) != 1 {
		t.Errorf("restart: %d starts (was %d), running %+v", gw.StartCount(), starts, gw.Running())
	}

	// End.
	w = d.endWebinar(t, ada, id)
	if m, ok := d.app.fakes.bbb.Meeting(w.MeetingID); ok && !m.Ended {
		t.Errorf("BBB meeting not ended: %+v", m)
	}
	if len(gw.Running()) != 0 {
		t.Error("gateway streams after the end")
	}
	if w.GatewayID != 0 {
		t.Errorf("gateway %d still booked", w.GatewayID)
	}
	page = ada.get("/webinars/" + id)
	wantContains(t, "ended page", page.body, `class="badge over">ended</span>`, "do/delete")
	wantAbsent(t, "ended page", page.body, "do/start", "do/end", "Join as presenter", "In the meeting", "/edit")

	// Delete.
	res = ada.post("/webinars/"+id+"/do/delete", nil)
	if res.status != http.StatusSeeOther || res.location != "/webinars?done=deleted" {
		t.Fatalf("delete: %d %q", res.status, res.location)
	}
	if _, err := d.app.svc.Get(context.Background(), id); !errors.Is(err, webinar.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	wantContains(t, "list after delete", ada.get("/webinars?done=deleted").body, "Webinar deleted.", "No webinar yet.")
	if res := ada.get("/webinars/" + id); res.status != http.StatusNotFound {
		t.Errorf("deleted webinar page: %d", res.status)
	}
}

func hasAttendee(m bbbtest.Meeting, name string) bool {
	for _, a := range m.Attendees {
		if a.FullName == name {
			return true
		}
	}
	return false
}

// TestDeleteScheduled frees the gateway of a webinar that never ran.
func TestDeleteScheduled(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	start := slotStart(time.Now().Add(2 * time.Hour))
	a := d.createWebinar(t, ada, webinarValues("Webinar A", start, 60, true, true))
	d.createWebinar(t, ada, webinarValues("Webinar B", start, 60, true, true))
	if res := ada.post("/webinars/new", webinarValues("Webinar C", start, 60, true, true)); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("third: %d", res.status)
	}
	if res := ada.post("/webinars/"+a+"/do/delete", nil); res.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.status)
	}
	d.createWebinar(t, ada, webinarValues("Webinar C", start, 60, true, true))
}

func TestWebinarActionErrors(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	id := d.newWebinar(t, ada, "Errors")

	// Unknown action.
	res := ada.post("/webinars/"+id+"/do/explode", nil)
	if res.status != http.StatusNotFound {
		t.Errorf("unknown action: %d, want 404", res.status)
	}
	wantContains(t, "unknown action", res.body, "There is no such action.")
	if res := ada.get("/webinars/" + id + "/do/start"); res.status != http.StatusNotFound {
		t.Errorf("GET of an action: %d, want 404", res.status)
	}
	d.wantState(t, id, webinar.Scheduled)

	// Delete of a live webinar: end it first.
	d.act(t, ada, id, "start")
	res = ada.post("/webinars/"+id+"/do/delete", nil)
	if res.status != http.StatusConflict {
		t.Errorf("delete while live: %d, want 409", res.status)
	}
	wantContains(t, "delete while live", res.body, `<p class="error" role="alert">`, "End the webinar before deleting it")
	d.wantState(t, id, webinar.Live)

	// Ending twice is no error; the ended webinar refuses changes.
	d.endWebinar(t, ada, id)
	d.act(t, ada, id, "end")
	d.wantState(t, id, webinar.Ended)
	res = ada.post("/webinars/"+id+"/do/show-chat", nil)
	if res.status != http.StatusConflict {
		t.Errorf("show-chat of an ended webinar: %d, want 409", res.status)
	}
}

// TestActionWhileAnotherRuns: a slow start keeps the webinar busy: a
// second start changes nothing, any other action is refused with 409
// until it is done.
func TestActionWhileAnotherRuns(t *testing.T) {
	t.Parallel()
	d := startDemo(t, func(o *options) { o.FakeStartDelay = 1500 * time.Millisecond })
	ada := d.signedIn(t, "ada")
	id := d.newWebinar(t, ada, "Slow")

	res := ada.post("/webinars/"+id+"/do/start", nil)
	if res.status != http.StatusSeeOther || res.location != "/webinars/"+id+"?done=start" {
		t.Fatalf("start: %d %q", res.status, res.location)
	}
	res = ada.post("/webinars/"+id+"/do/start", nil)
	if res.status != http.StatusSeeOther {
		t.Errorf("start while starting: %d, want 303", res.status)
	}
	for _, a := range []string{"end", "stop-live", "restart-live"} {
		res := ada.post("/webinars/"+id+"/do/"+a, nil)
		if res.status != http.StatusConflict {
			t.Errorf("%s while starting: %d, want 409", a, res.status)
		}
		wantContains(t, a+" while starting", res.body, "The webinar is busy with another action: try again in a moment.")
	}
	page := ada.get("/webinars/" + id + "?done=start")
	wantContains(t, "busy page", page.body, "Starting the webinar: creating the meeting, then starting the stream…",
		"(working…)", `class="badge busy"`, `<meta http-equiv="refresh" content="2; url=/webinars/`+id+`">`)
	wantAbsent(t, "busy page", page.body, `/do/`)

	d.settle()
	d.wantState(t, id, webinar.Live)
	page = ada.get("/webinars/" + id)
	wantAbsent(t, "live page", page.body, "(working…)", `http-equiv="refresh"`)
	d.endWebinar(t, ada, id)
}

// TestActionFailureShown: a start that fails shows why on the page.
func TestActionFailureShown(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	id := d.newWebinar(t, ada, "Doomed")
	d.app.fakes.bbb.Fail("create", bbbtest.Fault{Status: http.StatusInternalServerError})

	res := ada.post("/webinars/"+id+"/do/start", nil)
	if res.status != http.StatusSeeOther {
		t.Fatalf("start: %d", res.status)
	}
	d.settle()
	if w := d.wantState(t, id, webinar.Failed); !strings.HasPrefix(w.FailReason, "BBB create") {
		t.Fatalf("fail reason %q", w.FailReason)
	}
	page := ada.get("/webinars/" + id)
	wantContains(t, "failed page", page.body, `class="badge failed">failed</span>`, "Start the live again",
		`<strong>Why it failed:</strong> BigBlueButton did not create the meeting.`,
		"<summary>Details for the administrator</summary><p><code>BBB create: ")
	if len(d.app.fakes.gws[0].Running()) != 0 {
		t.Error("a stream runs after a failed start")
	}

	d.app.fakes.bbb.ClearFaults()
	d.act(t, ada, id, "start")
	d.wantState(t, id, webinar.Live)
	wantAbsent(t, "page after the retry", ada.get("/webinars/"+id).body, "The last action failed:")
	d.endWebinar(t, ada, id)
}

// TestWebinarMeetingForm: the form's welcome message and recording
// choice become the webinar's meeting parameters, show again in the edit
// form, reach BBB when the meeting is created, and cannot change while it
// runs (the other fields still can).
func TestWebinarMeetingForm(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	wantContains(t, "new webinar page", ada.get("/webinars/new").body,
		`<textarea id="welcome" name="welcome"`, `id="record" name="record" type="checkbox">`)

	start := slotStart(time.Now().Add(time.Hour))
	cases := []struct {
		name    string
		welcome string
		record  bool
		want    *bbb.CreateParams
	}{
		{"neither", "", false, nil},
		{"welcome only", "  Bienvenue <b>à tous</b>\r\nline two ", false, &bbb.CreateParams{Welcome: "Bienvenue <b>à tous</b>\nline two"}},
		{"recorded", "", true, &bbb.CreateParams{Record: bbb.Bool(true), AutoStartRecording: bbb.Bool(true)}},
		{"both", "Hello", true, &bbb.CreateParams{Welcome: "Hello", Record: bbb.Bool(true), AutoStartRecording: bbb.Bool(true)}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ada := ada.in(t)
			form := webinarValues("Meeting "+c.name, start.Add(time.Duration(i)*24*time.Hour), 60, true, true)
			form.Set("welcome", c.welcome)
			if c.record {
				form.Set("record", "on")
			}
			id := d.createWebinar(t, ada, form)
			if got := d.webinar(t, id).Meeting; !reflect.DeepEqual(got, c.want) {
				t.Errorf("stored meeting parameters %+v, want %+v", got, c.want)
			}
			edit := ada.get("/webinars/" + id + "/edit").body
			if c.want != nil {
				wantContains(t, "edit page", edit, ">"+template.HTMLEscapeString(c.want.Welcome)+"</textarea>")
			}
			if c.record {
				wantContains(t, "edit page", edit, `id="record" name="record" type="checkbox" checked`)
			} else {
				wantContains(t, "edit page", edit, `id="record" name="record" type="checkbox">`)
			}
		})
	}

	t.Run("edit, start, then locked", func(t *testing.T) {
		t.Parallel()
		ada := ada.in(t)
		id := d.createWebinar(t, ada, webinarValues("Lifecycle", start.Add(10*24*time.Hour), 60, true, true))
		form := webinarValues("Lifecycle", start.Add(10*24*time.Hour), 60, true, true)
		form.Set("welcome", "Welcome, all")
		form.Set("record", "on")
		if res := ada.post("/webinars/"+id+"/edit", form); res.status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", res.status, pageError(res.body))
		}
		want := &bbb.CreateParams{Welcome: "Welcome, all", Record: bbb.Bool(true), AutoStartRecording: bbb.Bool(true)}
		if got := d.webinar(t, id).Meeting; !reflect.DeepEqual(got, want) {
			t.Fatalf("stored %+v", got)
		}
		// Unchecked and emptied: the parameters go.
		form.Del("record")
		form.Set("welcome", "")
		if res := ada.post("/webinars/"+id+"/edit", form); res.status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", res.status, pageError(res.body))
		}
		if got := d.webinar(t, id).Meeting; got != nil {
			t.Fatalf("stored %+v, want none", got)
		}
		form.Set("welcome", "Welcome, all")
		form.Set("record", "on")
		if res := ada.post("/webinars/"+id+"/edit", form); res.status != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", res.status, pageError(res.body))
		}
	})

	t.Run("too long", func(t *testing.T) {
		t.Parallel()
		ada := ada.in(t)
		form := webinarValues("Long welcome", start, 60, true, true)
		form.Set("welcome", strings.Repeat("é", 1001))
		res := ada.post("/webinars/new", form)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("%d, want 422", res.status)
		}
		wantContains(t, "too long", res.body, "The welcome message is too long: 1001 characters, at most 1000.",
			`aria-invalid="true" aria-describedby="welcome-error"`)
	})
}

// TestWebinarMeetingReachesBBB: a recorded webinar's meeting is created
// with its welcome message and recording on; while it runs, its meeting
// parameters cannot change, its title still can.
func TestWebinarMeetingReachesBBB(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	start := slotStart(time.Now())
	form := webinarValues("Recorded", start, 60, true, true)
	form.Set("welcome", "Welcome, all")
	form.Set("record", "on")
	id := d.createWebinar(t, ada, form)
	d.act(t, ada, id, "start")
	w := d.wantState(t, id, webinar.Live)
	m, ok := d.app.fakes.bbb.Meeting(w.MeetingID)
	if !ok {
		t.Fatal("no BBB meeting")
	}
	if m.Params.Get("welcome") != "Welcome, all" || !m.Record || m.Metadata["bbb-recording-ready-url"] == "" {
		t.Errorf("BBB meeting: welcome %q, record %v, recording-ready URL set %v", m.Params.Get("welcome"), m.Record,
			m.Metadata["bbb-recording-ready-url"] != "")
	}

	form.Set("title", "Recorded, renamed")
	if res := ada.post("/webinars/"+id+"/edit", form); res.status != http.StatusSeeOther {
		t.Fatalf("renaming while live: %d\n%s", res.status, pageError(res.body))
	}
	form.Set("welcome", "Changed")
	res := ada.post("/webinars/"+id+"/edit", form)
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("changing the welcome while live: %d", res.status)
	}
	wantContains(t, "locked", res.body, "The meeting&#39;s parameters cannot change while the webinar is live")
	if got := d.webinar(t, id); got.Meeting.Welcome != "Welcome, all" || got.Title != "Recorded, renamed" {
		t.Errorf("stored %q, %+v", got.Title, got.Meeting)
	}
}
