package sipmediagwtest

import "time"

// launchOutcome is how SIPMediaGW.sh ended.
type launchOutcome uint8

const (
	launchOK      launchOutcome = iota
	launchBusy                  // no slot lock free: "No free resources found"
	launchFailed                // the bot did not come up: "The gateway failed to launch"
	launchAborted               // the server closed during the start delay
)

// launch plays SIPMediaGW.sh on h: take the lowest free slot lock (or
// answer busy at once), bring the compose project up, which takes the
// start delay, and fail when the project name is invalid or a
// LaunchFailure fault says so (the container is then left behind). A
// project already up is recreated on the new slot, freeing the old one.
// project names the compose project once the slot is known.
func (s *Server) launch(e *exchange, h *host, st Stream, project func(slot int) string) (launchOutcome, *container) {
	s.lockAt(e.now)
	slot := -1
	if e.forced != Busy {
		slot = h.lockSlot()
	}
	s.mu.Unlock()
	if slot < 0 {
		return launchBusy, nil
	}
	if !s.wait(s.cfg.startDelay) {
		s.mu.Lock()
		h.unlockSlot(slot)
		s.mu.Unlock()
		return launchAborted, nil
	}
	now := s.clock.Now()
	s.lockAt(now)
	defer s.events.Broadcast()
	defer s.mu.Unlock()
	st.Project = project(slot)
	st.Container = containerName(slot)
	st.Started = now
	if !validProject(st.Project) {
		// compose refuses the name; the script then waits 10 s for a
		// bot that never connects.
		h.unlockSlot(slot)
		return launchFailed, nil
	}
	if old := h.projects[st.Project]; old != nil {
		h.exit(old, false) // --force-recreate
	}
	c := &container{Stream: st, running: true, slot: slot}
	if e.forced == LaunchFailure {
		h.unlockSlot(slot)
		c.slot = -1
		c.Failed = true
		h.projects[st.Project] = c
		s.notePeakLocked()
		return launchFailed, c
	}
	h.projects[st.Project] = c
	s.notePeakLocked()
	return launchOK, c
}

// notePeakLocked records the number of running containers when it is the
// most the server has run at once.
func (s *Server) notePeakLocked() {
	n := 0
	for _, h := range s.hostsLocked() {
		for _, c := range h.projects {
			if c.running {
				n++
			}
		}
	}
	s.peak = max(s.peak, n)
}

// halt stops project's container on h after the stop delay: "compose
// stop gw" keeps the project (exited), "compose down" (remove) deletes it.
// It returns the compose output lines, or found false when the project
// does not exist (or is not running, when running is required).
func (s *Server) halt(now time.Time, h *host, project string, remove, requireRunning bool) (lines []string, found bool) {
	s.lockAt(now)
	c := h.projects[project]
	if c == nil || (requireRunning && !c.running) {
		s.mu.Unlock()
		return nil, false
	}
	name, wasRunning := c.Container, c.running
	s.mu.Unlock()
	if wasRunning {
		s.wait(s.cfg.stopDelay)
	}
	s.lockAt(s.clock.Now())
	if h.projects[project] == c {
		h.exit(c, remove)
	}
	s.mu.Unlock()
	s.events.Broadcast()
	if name == "" {
		name = "gw0"
	}
	if wasRunning {
		lines = append(lines, " Container "+name+"  Stopping", " Container "+name+"  Stopped")
	}
	if remove {
		lines = append(lines, " Container "+name+"  Removing", " Container "+name+"  Removed")
	}
	return lines, true
}
