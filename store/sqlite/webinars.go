package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/storekit"
	"github.com/bbbcast/bbbcast/webinar"
)

// webinarColumns are the columns scanWebinar reads, in its order.
const webinarColumns = `id, owner, co_owners, title, server, pool, start_ns, end_ns, chat_enabled, chat_shown,
	chat_visible, gateway_id, meeting_id, create_time, bot_room, bot_secret, session, state, fail_reason,
	last_error, version, created_ns, updated_ns, meeting`

func scanWebinar(r scanner) (webinar.Webinar, error) {
	var (
		w                               webinar.Webinar
		coOwners, botSecret, state      string
		start, end, created, updated    sql.NullInt64
		chatEnabled, chatShown, chatVis int64
		meeting                         sql.NullString
	)
	err := r.Scan(&w.ID, &w.Owner, &coOwners, &w.Title, &w.Server, &w.Pool, &start, &end, &chatEnabled, &chatShown,
		&chatVis, &w.GatewayID, &w.MeetingID, &w.CreateTime, &w.BotRoom, &botSecret, &w.Session, &state, &w.FailReason,
		&w.LastError, &w.Version, &created, &updated, &meeting)
	if err != nil {
		return webinar.Webinar{}, err
	}
	if err := json.Unmarshal([]byte(coOwners), &w.CoOwners); err != nil {
		return webinar.Webinar{}, err
	}
	if w.Meeting, err = storekit.UnmarshalMeeting([]byte(meeting.String)); err != nil {
		return webinar.Webinar{}, err
	}
	w.Slot = gateway.Slot{Start: fromNull(start), End: fromNull(end)}
	w.ChatEnabled, w.ChatShown, w.ChatVisible = chatEnabled != 0, chatShown != 0, chatVis != 0
	w.BotSecret, w.State = secret(botSecret), webinar.State(state)
	w.CreatedAt, w.UpdatedAt = fromNull(created), fromNull(updated)
	return w, nil
}

// webinarArgs are w's values for the columns of webinarColumns.
func webinarArgs(w *webinar.Webinar) ([]any, error) {
	co := w.CoOwners
	if co == nil {
		co = []string{}
	}
	coJSON, err := json.Marshal(co)
	if err != nil {
		return nil, err
	}
	m, err := storekit.MarshalMeeting(w.Meeting)
	if err != nil {
		return nil, err
	}
	var meeting any // NULL without parameters
	if m != nil {
		meeting = string(m)
	}
	return []any{w.ID, w.Owner, string(coJSON), w.Title, w.Server, w.Pool, nsOrNull(w.Slot.Start), nsOrNull(w.Slot.End),
		boolInt(w.ChatEnabled), boolInt(w.ChatShown), boolInt(w.ChatVisible), w.GatewayID, w.MeetingID, w.CreateTime,
		w.BotRoom, w.BotSecret.Reveal(), w.Session, string(w.State), w.FailReason, w.LastError, w.Version,
		nsOrNull(w.CreatedAt), nsOrNull(w.UpdatedAt), meeting}, nil
}

// meetingTaken reports whether a webinar other than id has meeting ID m
// (never for "").
func meetingTaken(ctx context.Context, tx *txn, m, id string) (bool, error) {
	if m == "" {
		return false, nil
	}
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webinars WHERE meeting_id = ? AND id <> ?`, m, id).Scan(&n)
	return n > 0, err
}

// CreateWebinar implements webinar.Store.
func (s *Store) CreateWebinar(ctx context.Context, w webinar.Webinar) (webinar.Webinar, error) {
	w.Version = 1
	w.CoOwners = slices.Clone(w.CoOwners)
	w.Meeting = storekit.CloneMeeting(w.Meeting)
	err := s.inTx(ctx, func(tx *txn) error {
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webinars WHERE id = ?`, w.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return webinar.ErrExists
		}
		if taken, err := meetingTaken(ctx, tx, w.MeetingID, w.ID); err != nil {
			return err
		} else if taken {
			return webinar.ErrExists
		}
		args, err := webinarArgs(&w)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO webinars (`+webinarColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		return err
	})
	if err != nil {
		return webinar.Webinar{}, err
	}
	return w, nil
}

// Webinar implements webinar.Store.
func (s *Store) Webinar(ctx context.Context, id string) (webinar.Webinar, error) {
	var w webinar.Webinar
	err := s.read(ctx, func(tx *txn) error {
		var err error
		w, err = webinarOf(ctx, tx, id)
		return err
	})
	if err != nil {
		return webinar.Webinar{}, err
	}
	return w, nil
}

func webinarOf(ctx context.Context, tx *txn, id string) (webinar.Webinar, error) {
	w, err := scanWebinar(tx.QueryRowContext(ctx, `SELECT `+webinarColumns+` FROM webinars WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return webinar.Webinar{}, webinar.ErrNotFound
	}
	return w, err
}

// Webinars implements webinar.Store. The meeting ID and states are
// selected in SQL; the owner and window are checked in Go, with the
// very rules of store/memory.
func (s *Store) Webinars(ctx context.Context, q webinar.Query) ([]webinar.Webinar, error) {
	out := []webinar.Webinar{}
	err := s.read(ctx, func(tx *txn) error {
		var (
			where []string
			args  []any
		)
		if q.MeetingID != "" {
			where, args = append(where, `meeting_id = ?`), append(args, q.MeetingID)
		}
		if q.GatewayID != 0 {
			where, args = append(where, `gateway_id = ?`), append(args, q.GatewayID)
		}
		if len(q.States) > 0 {
			marks := make([]string, len(q.States))
			for i, st := range q.States {
				marks[i] = "?"
				args = append(args, string(st))
			}
			where = append(where, `state IN (`+strings.Join(marks, ", ")+`)`)
		}
		query := `SELECT ` + webinarColumns + ` FROM webinars`
		if len(where) > 0 {
			query += ` WHERE ` + strings.Join(where, " AND ")
		}
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			w, err := scanWebinar(rows)
			if err != nil {
				return err
			}
			if storekit.Matches(&q, &w) {
				out = append(out, w)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	storekit.SortWebinars(out)
	return out, nil
}

// UpdateWebinar implements webinar.Store: a compare-and-set on Version.
func (s *Store) UpdateWebinar(ctx context.Context, w webinar.Webinar) (webinar.Webinar, error) {
	w.CoOwners = slices.Clone(w.CoOwners)
	w.Meeting = storekit.CloneMeeting(w.Meeting)
	err := s.inTx(ctx, func(tx *txn) error {
		if taken, err := meetingTaken(ctx, tx, w.MeetingID, w.ID); err != nil {
			return err
		} else if taken {
			// ErrNotFound and ErrConflict come first, as in store/memory.
			if err := checkVersion(ctx, tx, w.ID, w.Version); err != nil {
				return err
			}
			return webinar.ErrExists
		}
		args, err := webinarArgs(&w)
		if err != nil {
			return err
		}
		// Every column but id and version, then id and version.
		args = append(args[1:20], args[21:]...)
		args = append(args, w.ID, w.Version)
		res, err := tx.ExecContext(ctx, `UPDATE webinars SET
			owner = ?, co_owners = ?, title = ?, server = ?, pool = ?, start_ns = ?, end_ns = ?, chat_enabled = ?,
			chat_shown = ?, chat_visible = ?, gateway_id = ?, meeting_id = ?, create_time = ?, bot_room = ?,
			bot_secret = ?, session = ?, state = ?, fail_reason = ?, last_error = ?, created_ns = ?, updated_ns = ?,
			meeting = ?, version = version + 1
			WHERE id = ? AND version = ?`, args...)
		return casResult(ctx, tx, res, err, w.ID, w.Version)
	})
	if err != nil {
		return webinar.Webinar{}, err
	}
	w.Version++
	return w, nil
}

// casResult reads the outcome of a statement guarded by "id = ? AND
// version = ?": no row touched means the webinar is gone (ErrNotFound) or
// changed (ErrConflict).
func casResult(ctx context.Context, tx *txn, res sql.Result, err error, id string, version int64) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if err := checkVersion(ctx, tx, id, version); err != nil {
		return err
	}
	return webinar.ErrConflict // the row changed between the statement and the check: cannot happen in one transaction
}

// checkVersion returns ErrNotFound when webinar id is gone, ErrConflict
// when its version is not version, nil otherwise.
func checkVersion(ctx context.Context, tx *txn, id string, version int64) error {
	var cur int64
	err := tx.QueryRowContext(ctx, `SELECT version FROM webinars WHERE id = ?`, id).Scan(&cur)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return webinar.ErrNotFound
	case err != nil:
		return err
	case cur != version:
		return webinar.ErrConflict
	}
	return nil
}

// DeleteWebinar implements webinar.Store.
func (s *Store) DeleteWebinar(ctx context.Context, id string, version int64) error {
	return s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webinars WHERE id = ? AND version = ?`, id, version)
		return casResult(ctx, tx, res, err, id, version)
	})
}

// AcquireLease implements webinar.Store: an upsert that takes effect
// when the lease is free, expired or already holder's.
func (s *Store) AcquireLease(ctx context.Context, key, holder string, ttl time.Duration, now time.Time) (bool, error) {
	var got bool
	err := s.inTx(ctx, func(tx *txn) error {
		n := now.UnixNano()
		res, err := tx.ExecContext(ctx, `INSERT INTO leases (key, holder, until_ns) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, until_ns = excluded.until_ns
			WHERE leases.holder = excluded.holder OR leases.until_ns <= ?`,
			key, holder, now.Add(ttl).UnixNano(), n)
		if err != nil {
			return err
		}
		c, err := res.RowsAffected()
		got = c > 0
		return err
	})
	if err != nil {
		return false, err
	}
	return got, nil
}

// ReleaseLease implements webinar.Store.
func (s *Store) ReleaseLease(ctx context.Context, key, holder string) error {
	return s.inTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM leases WHERE key = ? AND holder = ?`, key, holder)
		return err
	})
}

var _ webinar.Store = (*Store)(nil)
