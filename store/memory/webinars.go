package memory

import (
	"github.com/bbbcast/bbbcast/internal/ctxguard"
	"github.com/bbbcast/bbbcast/store/storekit"

	"context"
	"slices"
	"time"

	"github.com/bbbcast/bbbcast/webinar"
)

// lease is who holds a key until when.
type lease struct {
	holder string
	until  time.Time
}

// clone copies the slices of w and its meeting parameters, so callers
// never share them with the store.
func clone(w webinar.Webinar) webinar.Webinar {
	w.CoOwners = slices.Clone(w.CoOwners)
	w.Meeting = storekit.CloneMeeting(w.Meeting)
	return w
}

// CreateWebinar implements webinar.Store.
func (s *Store) CreateWebinar(ctx context.Context, w webinar.Webinar) (webinar.Webinar, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return webinar.Webinar{}, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if _, dup := s.webinars[w.ID]; dup {
		return webinar.Webinar{}, webinar.ErrExists
	}
	if _, dup := s.meetingIDs[w.MeetingID]; dup && w.MeetingID != "" {
		return webinar.Webinar{}, webinar.ErrExists
	}
	w.Version = 1
	s.webinars[w.ID] = clone(w)
	if w.MeetingID != "" {
		s.meetingIDs[w.MeetingID] = w.ID
	}
	return clone(w), nil
}

// Webinar implements webinar.Store.
func (s *Store) Webinar(ctx context.Context, id string) (webinar.Webinar, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return webinar.Webinar{}, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	w, ok := s.webinars[id]
	if !ok {
		return webinar.Webinar{}, webinar.ErrNotFound
	}
	return clone(w), nil
}

// Webinars implements webinar.Store.
func (s *Store) Webinars(ctx context.Context, q webinar.Query) ([]webinar.Webinar, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return nil, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	out := []webinar.Webinar{}
	for _, w := range s.webinars {
		if storekit.Matches(&q, &w) {
			out = append(out, clone(w))
		}
	}
	storekit.SortWebinars(out)
	return out, nil
}

// UpdateWebinar implements webinar.Store: a compare-and-set on Version.
func (s *Store) UpdateWebinar(ctx context.Context, w webinar.Webinar) (webinar.Webinar, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return webinar.Webinar{}, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	cur, ok := s.webinars[w.ID]
	if !ok {
		return webinar.Webinar{}, webinar.ErrNotFound
	}
	if cur.Version != w.Version {
		return webinar.Webinar{}, webinar.ErrConflict
	}
	if w.MeetingID != cur.MeetingID {
		if id, dup := s.meetingIDs[w.MeetingID]; dup && id != w.ID && w.MeetingID != "" {
			return webinar.Webinar{}, webinar.ErrExists
		}
		delete(s.meetingIDs, cur.MeetingID)
		if w.MeetingID != "" {
			s.meetingIDs[w.MeetingID] = w.ID
		}
	}
	w.Version++
	s.webinars[w.ID] = clone(w)
	return clone(w), nil
}

// DeleteWebinar implements webinar.Store.
func (s *Store) DeleteWebinar(ctx context.Context, id string, version int64) error {
	if err := ctxguard.Err(ctx); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	cur, ok := s.webinars[id]
	if !ok {
		return webinar.ErrNotFound
	}
	if cur.Version != version {
		return webinar.ErrConflict
	}
	delete(s.webinars, id)
	delete(s.meetingIDs, cur.MeetingID)
	return nil
}

// AcquireLease implements webinar.Store.
func (s *Store) AcquireLease(ctx context.Context, key, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return false, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if l, ok := s.leases[key]; ok && l.holder != holder && now.Before(l.until) {
		return false, nil
	}
	s.leases[key] = lease{holder: holder, until: now.Add(ttl)}
	return true, nil
}

// ReleaseLease implements webinar.Store.
func (s *Store) ReleaseLease(ctx context.Context, key, holder string) error {
	if err := ctxguard.Err(ctx); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if l, ok := s.leases[key]; ok && l.holder == holder {
		delete(s.leases, key)
	}
	return nil
}

var _ webinar.Store = (*Store)(nil)
