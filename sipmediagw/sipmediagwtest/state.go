package sipmediagwtest

import (
	"regexp"
	"sort"
	"strconv"
	"time"
)

// Stream is a streaming container a server runs, as Running reports it.
type Stream struct {
	// Handle is the stream's sipmediagw.Session handle:
	// "legacy:<room>", "v1.8:<gw_id>" or "v1.8-launcher:<gw_id>".
	Handle string
	// Room is the room the start request named, as given.
	Room string
	// GatewayID is the v1.8 gw_id ("" for the legacy launcher).
	GatewayID string
	// Project is the docker compose project: the room for the legacy
	// launcher ("gw<N>" for an empty room), the gw_id for v1.8.
	Project string
	// Container is the container's name, "gw" and its slot number.
	Container string
	// Domain is the legacy start's domain, as given: the bot opens
	// https://{Domain}/{Room}.
	Domain string
	// RTMPURL is rtmpDst (legacy) or rtmp_dst (v1.8), as given, stream
	// key included.
	RTMPURL string
	// MainApp is v1.8's main_app.
	MainApp string
	// Browsing is the v1.8 proxy's browsing field, BrowsingName the
	// launcher's browsing_name.
	Browsing     string
	BrowsingName string
	// Started is when the container came up, on the server's clock.
	Started time.Time
	// Failed marks a container left behind by a launch that failed (the
	// LaunchFailure fault): the start answered an error, yet a stop finds
	// it, as on a real server.
	Failed bool
}

// container is a compose project on a host: running, or exited and still
// listed by "docker compose ls -a".
type container struct {
	Stream
	running     bool
	created     bool // created by a launch that failed, never up
	slot        int  // the slot lock it holds, -1 for none
	panelHidden bool
}

// host is one machine running containers: the legacy server, a v1.8
// launcher alone, or one of the launchers behind the proxy. Its slots are
// SIPMediaGW.sh's lock files.
type host struct {
	locked   []bool
	projects map[string]*container
}

func newHost(slots int) *host {
	return &host{locked: make([]bool, slots), projects: make(map[string]*container)}
}

// lockSlot takes the lowest free slot, as lockGw does, or returns -1.
func (h *host) lockSlot() int {
	for i, l := range h.locked {
		if !l {
			h.locked[i] = true
			return i
		}
	}
	return -1
}

func (h *host) unlockSlot(i int) {
	if i >= 0 && i < len(h.locked) {
		h.locked[i] = false
	}
}

// createProject records a v1.8 gw_id created in advance: a compose project
// whose container gw<n> exists, exited.
func (h *host) createProject(id string, n int) {
	h.projects[id] = &container{Stream: Stream{Project: id, GatewayID: id, Container: containerName(n)}, slot: -1}
}

// running returns the running container of project, or nil.
func (h *host) running(project string) *container {
	if c := h.projects[project]; c != nil && c.running {
		return c
	}
	return nil
}

// exit stops a container and releases its slot; remove also deletes the
// project (compose down).
func (h *host) exit(c *container, remove bool) {
	c.running = false
	h.unlockSlot(c.slot)
	c.slot = -1
	if remove {
		delete(h.projects, c.Project)
	}
}

// composeProject matches a valid docker compose project name.
var composeProject = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// validProject reports whether compose accepts name with -p.
func validProject(name string) bool { return composeProject.MatchString(name) }

func containerName(slot int) string { return "gw" + strconv.Itoa(slot) }

// gateway is a v1.8 proxy's Redis mapping for one launcher, with the
// fields of its pipe-separated value.
type gateway struct {
	id            string
	addr          string // gw_ip, host:port of its launcher
	host          *host
	state         string // started (free), working, stopped
	gwType        string
	room          string // "None" when unset
	browsing      string // HEAD only
	startTime     string
	mediaDuration string
	transcript    string
}

func (g *gateway) ip() string { return g.addr }

// Gateway states of the v1.8 proxy.
const (
	gwFree    = "started"
	gwWorking = "working"
	gwStopped = "stopped"
)

// sortStreams orders streams by start time, then handle.
func sortStreams(list []Stream) {
	sort.Slice(list, func(i, j int) bool {
		if !list[i].Started.Equal(list[j].Started) {
			return list[i].Started.Before(list[j].Started)
		}
		return list[i].Handle < list[j].Handle
	})
}
