package sipmediagwtest

import "time"

// launchOutcome is how SIPMediaGW.sh ended.
type launchOutcome uint8

const (
	launchOK      launchOutcome = iota
	launchBusy                  // no slot lock free: "No free resources found"
	launchFailed                // the bot did not come up: "The gateway failed to launch"
	launchAborted               // the server closed during the start delay
	launchNoApp                 // legacy: up, but the script printed nothing
)

// legacyLaunch plays SIPMediaGW.sh after its options: take the lowest
// free slot lock (or answer busy at once); after the start delay, prune
// the exited containers (v1.6 on) and bring up the compose project, room
// or gw<slot>, with its container gw<slot>. The launch fails, the slot
// free again, when the daemon is down, the project name is invalid, or
// another project's container holds the name gw<slot> (the bot never
// connects); with a LaunchFailure fault the container is left behind. A
// project already there is recreated on the new slot, freeing the old
// one. The script then asks gw0 which app it runs: with no gw0 running it
// prints nothing (launchNoApp), the new container up all the same.
func (s *Server) legacyLaunch(e *exchange, st Stream, room string) launchOutcome {
	h := s.host
	s.lockAt(e.now)
	slot := -1
	if e.forced != Busy {
		slot = h.lockSlot()
	}
	s.mu.Unlock()
	if slot < 0 {
		return launchBusy
	}
	if !s.wait(s.cfg.startDelay) {
		s.mu.Lock()
		h.unlockSlot(slot)
		s.mu.Unlock()
		return launchAborted
	}
	now := s.clock.Now()
	s.lockAt(now)
	defer s.events.Broadcast()
	defer s.mu.Unlock()
	if s.dockerDown {
		h.unlockSlot(slot)
		return launchFailed
	}
	if s.version != V15 {
		for name, c := range h.projects {
			if !c.running {
				delete(h.projects, name)
			}
		}
	}
	st.Project = room
	if room == "" {
		st.Project = containerName(slot) // ${room:-"gw"$id}
	}
	st.Container = containerName(slot)
	st.Started = now
	conflict := false
	for _, c := range h.projects {
		conflict = conflict || c.Project != st.Project && c.Container == st.Container
	}
	if !validProject(st.Project) || conflict {
		h.unlockSlot(slot)
		return launchFailed
	}
	if old := h.projects[st.Project]; old != nil {
		h.exit(old, true) // --force-recreate
	}
	c := &container{Stream: st, running: true, slot: slot}
	h.projects[st.Project] = c
	s.notePeakLocked()
	if e.forced == LaunchFailure {
		h.unlockSlot(slot)
		c.slot = -1
		c.Failed = true
		return launchFailed
	}
	for _, c := range h.projects {
		if c.running && c.Container == containerName(0) {
			return launchOK
		}
	}
	return launchNoApp
}

// composeDown is "docker compose -p <project> down": the project's
// container stopped (after the stop delay when it runs) and removed. It
// returns compose's lines, whether the project existed, and whether the
// daemon was down instead.
func (s *Server) composeDown(e *exchange, project string) (lines []string, found, down bool) {
	h := s.host
	s.lockAt(e.now)
	c := h.projects[project]
	down = s.dockerDown
	s.mu.Unlock()
	if down || c == nil {
		return nil, false, down
	}
	if c.running {
		s.wait(s.cfg.stopDelay)
	}
	s.lockAt(s.clock.Now())
	if h.projects[project] == c {
		h.exit(c, true)
	}
	s.mu.Unlock()
	s.events.Broadcast()
	n := c.Container
	return []string{" Container " + n + "  Stopping", " Container " + n + "  Stopped", " Container " + n + "  Removing", " Container " + n + "  Removed"}, true, false
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
