// Package smgwfixture reads the exchanges recorded against the real
// SIPMediaGW releases (sipmediagw/testdata/real), which the client's and
// the fakes' tests replay: the client must read each recorded answer right,
// and the fake must give the same answer to the same request.
package smgwfixture

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Scenario is one recorded session with a real server: a sequence of
// requests, the events between them and the server's answers.
type Scenario struct {
	// Release is the SIPMediaGW tag or commit that ran, such as "v1.7.0".
	Release string `json:"release"`
	// Fake is the sipmediagwtest.Version that must answer as Release does.
	Fake string `json:"fake"`
	// Server says what ran and how (the real scripts, what was stubbed).
	Server string `json:"server"`
	// About says what the scenario shows.
	About string `json:"about"`
	// Exchanges are in the order they were made.
	Exchanges []Exchange `json:"exchanges"`
}

// Exchange is one request and the real server's answer.
type Exchange struct {
	// Name identifies the exchange in tests.
	Name string `json:"name"`
	// Before are the events that happened on the server's host just
	// before the request (the fake is driven to the same state).
	Before []Event `json:"before,omitempty"`
	// Request is what was sent.
	Request Request `json:"request"`
	// Response is what the real server answered (empty in a script).
	Response Response `json:"response"`
	// Effects are the commands the server ran on its host while it
	// answered (as the stubbed docker saw them, one per line), which
	// show what reached the bot.
	Effects []string `json:"effects,omitempty"`
}

// Event is something that happened outside the HTTP API between two
// requests. Name is what the fake replays; Shell is what the recording
// ran (against the stubbed docker, for instance); Sleep is how long the
// recording waited (the v1.8 proxy's 30 s poll).
type Event struct {
	Name string `json:"name"`
	// Target is the room or gw_id the event concerns, if any.
	Target string `json:"target,omitempty"`
	Shell  string `json:"shell,omitempty"`
	Sleep  string `json:"sleep,omitempty"`
}

// The events the fakes replay.
const (
	// EventPoll is a pass of the v1.8 proxy's gateway monitor.
	EventPoll = "poll"
	// EventContainerExited is the stream's container stopping on its own.
	EventContainerExited = "container-exited"
	// EventDockerDown is the Docker daemon becoming unreachable.
	EventDockerDown = "docker-down"
	// EventDockerUp is the Docker daemon back.
	EventDockerUp = "docker-up"
	// EventNoCapacity is the host running out of free slots.
	EventNoCapacity = "no-capacity"
	// EventLaunchFails is the next container failing to come up.
	EventLaunchFails = "launch-fails"
)

// Request is a recorded request.
type Request struct {
	Method string            `json:"method"`
	Path   string            `json:"path"`
	Query  string            `json:"query,omitempty"`
	Header map[string]string `json:"header,omitempty"`
	Body   string            `json:"body,omitempty"`
}

// Response is a recorded answer, headers as received but Date.
type Response struct {
	Status int                 `json:"status"`
	Header map[string][]string `json:"header,omitempty"`
	Body   string              `json:"body"`
}

// HTTPHeader returns the recorded headers.
func (r Response) HTTPHeader() http.Header {
	h := make(http.Header, len(r.Header))
	for k, v := range r.Header {
		h[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	return h
}

// URL returns the request's path and query.
func (r Request) URL() string {
	if r.Query == "" {
		return r.Path
	}
	return r.Path + "?" + r.Query
}

// Exchange returns the exchange named name; it panics when there is
// none, which is a mistake in a test.
func (s Scenario) Exchange(name string) Exchange {
	for _, e := range s.Exchanges {
		if e.Name == name {
			return e
		}
	}
	panic(fmt.Sprintf("smgwfixture: %s has no exchange %q", s.Release, name))
}

// Load reads one scenario file.
func Load(path string) (Scenario, error) {
	var s Scenario
	b, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// LoadDir reads every scenario under dir (*.json, recursively), keyed by
// their path relative to dir without the extension, such as
// "v1.8.4/proxy-freed".
func LoadDir(dir string) (map[string]Scenario, error) {
	out := map[string]Scenario{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		s, err := Load(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(strings.TrimSuffix(rel, ".json"))] = s
		return nil
	})
	return out, err
}

// Names returns the keys of m, sorted.
func Names(m map[string]Scenario) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
