package postgres

// Retries returns how many transactions s ran again after a deadlock, an
// exclusion violation or a serialization failure.
func (s *Store) Retries() (deadlocks, exclusions, serialization int64) {
	return s.retried.deadlocks.Load(), s.retried.exclusions.Load(), s.retried.serialization.Load()
}

// Waits returns how many FirstFree allocations of s started over to wait
// for a gateway another allocator held.
func (s *Store) Waits() int64 { return s.retried.waits.Load() }
