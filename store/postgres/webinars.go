package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/storekit"
	"github.com/bbbcast/bbbcast/webinar"
)

// webinarColumns are the columns scanWebinar reads, in its order.
const webinarColumns = `id, owner, co_owners, title, server, pool, start_ns, end_ns, chat_enabled, chat_shown,
	chat_visible, gateway_id, meeting_id, create_time, bot_room, bot_secret, session, state, fail_reason,
	last_error, version, created_ns, updated_ns, meeting`

func scanWebinar(r pgx.Row) (webinar.Webinar, error) {
	var (
		w                            webinar.Webinar
		botSecret, state             string
		start, end, created, updated *int64
		meeting                      []byte
	)
	err := r.Scan(&w.ID, &w.Owner, &w.CoOwners, &w.Title, &w.Server, &w.Pool, &start, &end, &w.ChatEnabled,
		&w.ChatShown, &w.ChatVisible, &w.GatewayID, &w.MeetingID, &w.CreateTime, &w.BotRoom, &botSecret, &w.Session,
		&state, &w.FailReason, &w.LastError, &w.Version, &created, &updated, &meeting)
	if err != nil {
		return webinar.Webinar{}, err
	}
	if w.Meeting, err = storekit.UnmarshalMeeting(meeting); err != nil {
		return webinar.Webinar{}, err
	}
	w.Slot = gateway.Slot{Start: fromNull(start), End: fromNull(end)}
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
	m, err := storekit.MarshalMeeting(w.Meeting)
	if err != nil {
		return nil, err
	}
	var meeting any // NULL without parameters
	if m != nil {
		meeting = json.RawMessage(m)
	}
	return []any{w.ID, w.Owner, co, w.Title, w.Server, w.Pool, nsOrNull(w.Slot.Start), nsOrNull(w.Slot.End),
		w.ChatEnabled, w.ChatShown, w.ChatVisible, w.GatewayID, w.MeetingID, w.CreateTime,
		w.BotRoom, w.BotSecret.Reveal(), w.Session, string(w.State), w.FailReason, w.LastError, w.Version,
		nsOrNull(w.CreatedAt), nsOrNull(w.UpdatedAt), meeting}, nil
}

// meetingTaken reports whether a webinar other than id has meeting ID m
// (never for "").
func meetingTaken(ctx context.Context, tx pgx.Tx, m, id string) (bool, error) {
	if m == "" {
		return false, nil
	}
	var taken bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webinars WHERE meeting_id = $1 AND id <> $2)`, m, id).Scan(&taken)
	return taken, err
}

// exists maps a unique violation, which a concurrent writer may cause
// after the checks said the ID and meeting ID were free, to
// webinar.ErrExists.
func exists(err error) error {
	if sqlState(err) == codeUniqueViolation {
		return webinar.ErrExists
	}
	return err
}

// placeholders is "$1, $2, …, $n".
func placeholders(n int) string {
	marks := make([]string, n)
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	return strings.Join(marks, ", ")
}

// CreateWebinar implements webinar.Store.
func (s *Store) CreateWebinar(ctx context.Context, w webinar.Webinar) (webinar.Webinar, error) {
	w.Version = 1
	w.CoOwners = slices.Clone(w.CoOwners)
	w.Meeting = storekit.CloneMeeting(w.Meeting)
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var found bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM webinars WHERE id = $1)`, w.ID).Scan(&found); err != nil {
			return err
		}
		if found {
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
		_, err = tx.Exec(ctx, `INSERT INTO webinars (`+webinarColumns+`) VALUES (`+placeholders(len(args))+`)`, args...)
		return exists(err)
	})
	if err != nil {
		return webinar.Webinar{}, err
	}
	return w, nil
}

// Webinar implements webinar.Store.
func (s *Store) Webinar(ctx context.Context, id string) (webinar.Webinar, error) {
	var w webinar.Webinar
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		w, err = scanWebinar(tx.QueryRow(ctx, `SELECT `+webinarColumns+` FROM webinars WHERE id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
			return webinar.ErrNotFound
		}
		return err
	})
	if err != nil {
		return webinar.Webinar{}, err
	}
	return w, nil
}

// Webinars implements webinar.Store. The meeting ID and states are
// selected in SQL; the owner and window are checked in Go, with the
// very rules of store/memory.
func (s *Store) Webinars(ctx context.Context, q webinar.Query) ([]webinar.Webinar, error) {
	out := []webinar.Webinar{}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var (
			where []string
			args  []any
		)
		if q.MeetingID != "" {
			args = append(args, q.MeetingID)
			where = append(where, `meeting_id = $`+strconv.Itoa(len(args)))
		}
		if q.GatewayID != 0 {
			args = append(args, q.GatewayID)
			where = append(where, `gateway_id = $`+strconv.Itoa(len(args)))
		}
		if len(q.States) > 0 {
			states := make([]string, len(q.States))
			for i, st := range q.States {
				states[i] = string(st)
			}
			args = append(args, states)
			where = append(where, `state = ANY ($`+strconv.Itoa(len(args))+`)`)
		}
		query := `SELECT ` + webinarColumns + ` FROM webinars`
		if len(where) > 0 {
			query += ` WHERE ` + strings.Join(where, " AND ")
		}
		rows, err := tx.Query(ctx, query, args...)
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
	err := s.inTx(ctx, func(tx pgx.Tx) error {
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
		tag, err := tx.Exec(ctx, `UPDATE webinars SET
			owner = $1, co_owners = $2, title = $3, server = $4, pool = $5, start_ns = $6, end_ns = $7,
			chat_enabled = $8, chat_shown = $9, chat_visible = $10, gateway_id = $11, meeting_id = $12,
			create_time = $13, bot_room = $14, bot_secret = $15, session = $16, state = $17, fail_reason = $18,
			last_error = $19, created_ns = $20, updated_ns = $21, meeting = $22, version = version + 1
			WHERE id = $23 AND version = $24`, args...)
		if err != nil {
			if sqlState(err) == codeUniqueViolation {
				return webinar.ErrExists
			}
			return err
		}
		return casResult(ctx, tx, tag.RowsAffected(), w.ID, w.Version)
	})
	if err != nil {
		return webinar.Webinar{}, err
	}
	w.Version++
	return w, nil
}

// casResult reads the outcome of a statement guarded by "id = $ AND
// version = $" that touched n rows: none means the webinar is gone
// (ErrNotFound) or changed (ErrConflict).
func casResult(ctx context.Context, tx pgx.Tx, n int64, id string, version int64) error {
	if n > 0 {
		return nil
	}
	if err := checkVersion(ctx, tx, id, version); err != nil {
		return err
	}
	// The row changed between the statement and the check (READ
	// COMMITTED sees commits made in between): a conflict all the same.
	return webinar.ErrConflict
}

// checkVersion returns ErrNotFound when webinar id is gone, ErrConflict
// when its version is not version, nil otherwise.
func checkVersion(ctx context.Context, tx pgx.Tx, id string, version int64) error {
	var cur int64
	err := tx.QueryRow(ctx, `SELECT version FROM webinars WHERE id = $1`, id).Scan(&cur)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
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
	return s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM webinars WHERE id = $1 AND version = $2`, id, version)
		if err != nil {
			return err
		}
		return casResult(ctx, tx, tag.RowsAffected(), id, version)
	})
}

// AcquireLease implements webinar.Store: an upsert that takes effect
// when the lease is free, expired or already holder's; holder has the
// lease when it returns a row.
func (s *Store) AcquireLease(ctx context.Context, key, holder string, ttl time.Duration, now time.Time) (bool, error) {
	var got bool
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var h string
		err := tx.QueryRow(ctx, `INSERT INTO leases (key, holder, until_ns) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, until_ns = EXCLUDED.until_ns
			WHERE leases.holder = EXCLUDED.holder OR leases.until_ns <= $4
			RETURNING holder`,
			key, holder, now.Add(ttl).UnixNano(), now.UnixNano()).Scan(&h)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		got = h == holder
		return nil
	})
	if err != nil {
		return false, err
	}
	return got, nil
}

// ReleaseLease implements webinar.Store.
func (s *Store) ReleaseLease(ctx context.Context, key, holder string) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM leases WHERE key = $1 AND holder = $2`, key, holder)
		return err
	})
}

var _ webinar.Store = (*Store)(nil)
