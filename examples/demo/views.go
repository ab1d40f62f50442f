package main

import (
	"context"
	"time"

	"github.com/bbbcast/bbbcast/webinar"
)

// webinarView is a webinar as the pages show it.
type webinarView struct {
	webinar.Webinar
	State      string // the state as people read it
	StateClass string // live, busy, failed, over, scheduled
	Running    bool   // an operation is in flight (a step of the webinar's life)
	Note       string // what the last operation reported, when it did not fail it
	Actions    []actionView
	CanJoin    bool // the presenter may join the meeting
	CanEdit    bool
	HLSURL     string
	Attendees  []attendeeView // from BBB's getMeetingInfo, when the meeting runs
}

type actionView struct {
	Name, Label string
	Danger      bool
}

type attendeeView struct{ Name, Role string }

func stateClass(s webinar.State) string {
	switch {
	case s == webinar.Live:
		return "live"
	case s == webinar.Failed:
		return "failed"
	case s.Over():
		return "over"
	case s.Transient():
		return "busy"
	}
	return "scheduled"
}

// viewOf builds the view of w; detail adds what only the webinar's own
// page shows: its stream's URL, and who is in the meeting (asked of BBB).
func (a *app) viewOf(ctx context.Context, w webinar.Webinar, detail bool) webinarView {
	v := webinarView{Webinar: w, State: stateLabel(w.State, w.FailReason), StateClass: stateClass(w.State)}
	s := w.State
	v.Running = s.Transient()
	if s != webinar.Failed && w.LastError != "" {
		v.Note = w.LastError
	}
	v.CanEdit = !s.Over() && !s.Transient()
	v.CanJoin = !s.Over() && s != webinar.Ending
	add := func(name, label string, danger bool) {
		v.Actions = append(v.Actions, actionView{Name: name, Label: label, Danger: danger})
	}
	if !v.Running {
		switch {
		case s == webinar.Scheduled:
			add("start", "Start the webinar", false)
		case s == webinar.LiveStopped || s == webinar.Failed:
			add("start", "Start the live again", false)
		}
		if s == webinar.Live {
			add("stop-live", "Stop the live", false)
			add("restart-live", "Restart the live", false)
		}
		if !s.Over() && !s.Transient() {
			if w.ChatShown {
				add("hide-chat", "Hide the chat in the stream", false)
			} else {
				add("show-chat", "Show the chat in the stream", false)
			}
		}
		if s.CanGo(webinar.Ending) && !s.Transient() {
			add("end", "End the webinar", true)
		}
		if s == webinar.Scheduled || s.Over() {
			add("delete", "Delete", true)
		}
	}
	if !detail {
		return v
	}
	if ev, err := a.svc.LiveEvent(ctx, w.ID); err == nil {
		v.HLSURL = ev.HLSURL
	}
	if w.MeetingID != "" && !s.Over() && s != webinar.Scheduled {
		ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		if m, err := a.bbb.GetMeetingInfo(ctx, w.MeetingID); err == nil {
			for _, at := range m.Attendees {
				v.Attendees = append(v.Attendees, attendeeView{Name: at.FullName, Role: string(at.Role)})
			}
		}
	}
	return v
}

// hasAttendee reports whether someone of that name is in the meeting.
func (v *webinarView) hasAttendee(name string) bool {
	for _, at := range v.Attendees {
		if at.Name == name {
			return true
		}
	}
	return false
}
