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
	Why        string // why it failed, in words: a failed webinar, or an ended one that had failed
	WhyLabel   string // what introduces Why
	Note       string // what the last operation reported, in words, when it did not fail it
	Details    string // the reason as the library stored it, behind Why or Note
	Ended      string // when an ended webinar ended, and that there is no replay
	EndedWhy   string // why it ended, when no failure says it
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
	v := webinarView{Webinar: w, State: stateLabel(w.State), StateClass: stateClass(w.State)}
	s := w.State
	v.Running = s.Transient()
	switch {
	case s == webinar.Failed || s == webinar.Ended && w.FailReason != "":
		reason := w.FailReason
		if reason == "" {
			reason = w.LastError
		}
		if reason != "" {
			v.Why, v.Details, v.WhyLabel = reasonInWords(reason), reason, "Why it failed:"
		}
		if s == webinar.Ended {
			v.WhyLabel = "It had failed before it ended:"
		}
	case w.LastError != "":
		v.Note, v.Details = reasonInWords(w.LastError), w.LastError
	}
	if s == webinar.Ended {
		v.Ended, v.EndedWhy = a.endedNote(w)
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

// endedNote says when an ended webinar ended and, when no failure says
// it, why, as far as the portal knows: the library stores no reason for
// an end that nothing went wrong with.
func (a *app) endedNote(w webinar.Webinar) (when, why string) {
	when = "This webinar ended on " + w.UpdatedAt.In(a.loc).Format("Mon 2 Jan 2006 at 15:04 MST") + ". " + noReplay
	if w.FailReason != "" {
		return when, ""
	}
	why = "No reason was recorded: a presenter ended it, or its meeting ended in BigBlueButton."
	if a.fakes != nil {
		why += " The demo's BigBlueButton is simulated and starts empty: a webinar that was live when the demo stopped ends this way when it runs again."
	}
	return when, why
}

// noReplay says that an ended webinar has no replay: the library creates
// the meetings with recording off.
const noReplay = "It was not recorded, so there is no replay."

// hasAttendee reports whether someone of that name is in the meeting.
func (v *webinarView) hasAttendee(name string) bool {
	for _, at := range v.Attendees {
		if at.Name == name {
			return true
		}
	}
	return false
}
