package bbbtest

import "time"

// The endWhenNoModerator rule of akka-apps' MeetingActor
// (checkIfNeedToEndMeetingWhenNoModerators): a meeting created with
// endWhenNoModerator=true (enforced from 2.3.2) ends once a moderator has
// joined and then none has been in it for endWhenNoModeratorDelayInMinutes
// (from 2.3.3; 1 by default), counted from when the last moderator left.
// Breakout rooms are exempt. BBB checks every 10 seconds, so it ends up to
// 10 s after the delay; the fake ends it exactly at the delay. The end is
// an expiry: the meeting is gone at once, its end callbacks fire.

func (m *meeting) hasModerator() bool {
	for _, a := range m.attendees {
		if a.role == roleModerator {
			return true
		}
	}
	return false
}

// noModeratorDeadline is when the rule ends m, if it will.
func (m *meeting) noModeratorDeadline() (time.Time, bool) {
	if !m.endWhenNoModerator || m.isBreakout || !m.moderatorHasJoined || m.lastModeratorLeft.IsZero() {
		return time.Time{}, false
	}
	return m.lastModeratorLeft.Add(m.noModeratorDelay), true
}
