package main

import (
	"context"
	"sync"
	"time"
)

// actions runs the webinar operations that may take a while (a real
// gateway starts a stream in up to a minute) in the background, one at a
// time per webinar, so that the page answers at once and shows progress.
type actions struct {
	mu      sync.Mutex
	running map[string]string // webinar ID → what runs
	failed  map[string]string // webinar ID → the last action's error
	wg      sync.WaitGroup
}

func newActions() *actions {
	return &actions{running: map[string]string{}, failed: map[string]string{}}
}

// actionTimeout bounds one action: a SIPMediaGW start may take 60 s,
// and the stop after a failed start 45 s more.
const actionTimeout = 2 * time.Minute

// start runs do for webinar id under the name what, unless an action of
// that webinar runs already (false).
func (ac *actions) start(id, what string, do func(ctx context.Context) error) bool {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	if _, busy := ac.running[id]; busy {
		return false
	}
	ac.running[id] = what
	delete(ac.failed, id)
	ac.wg.Add(1)
	go func() {
		defer ac.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), actionTimeout)
		err := do(ctx)
		cancel()
		ac.mu.Lock()
		defer ac.mu.Unlock()
		delete(ac.running, id)
		if err != nil {
			ac.failed[id] = describe(err)
		}
	}()
	return true
}

// status tells what runs for webinar id and how the last action failed.
func (ac *actions) status(id string) (running, failed string) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	return ac.running[id], ac.failed[id]
}

// wait blocks until no action runs.
func (ac *actions) wait() { ac.wg.Wait() }
