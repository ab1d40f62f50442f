package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
)

// gatewayColumns are the columns scanGateway reads, in its order.
const gatewayColumns = `g.id, g.name, g.pool, g.ord, g.rtmp_url, g.hls_url, g.server_url, g.token, g.protocol, g.insecure, g.enabled, g.launcher_id`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// secret wraps a stored secret; "" gives the zero Secret.
func secret(v string) gateway.Secret {
	if v == "" {
		return gateway.Secret{}
	}
	return gateway.NewSecret(v)
}

// scanGateway reads the gatewayColumns of r, then the columns after
// them into extra.
func scanGateway(r scanner, extra ...any) (gateway.Gateway, error) {
	var (
		g                 gateway.Gateway
		rtmp, token, prot string
		insecure, enabled int64
	)
	dest := append([]any{&g.ID, &g.Name, &g.Pool, &g.Order, &rtmp, &g.HLSURL, &g.Server.URL, &token, &prot, &insecure, &enabled, &g.Server.LauncherID}, extra...)
	if err := r.Scan(dest...); err != nil {
		return gateway.Gateway{}, err
	}
	if err := g.Server.Protocol.UnmarshalText([]byte(prot)); err != nil {
		return gateway.Gateway{}, fmt.Errorf("sqlite: gateway %d: %w", g.ID, err)
	}
	g.RTMPURL, g.Server.Token = secret(rtmp), secret(token)
	g.Server.Insecure, g.Enabled = insecure != 0, enabled != 0
	return g, nil
}

// serverTaken reports whether a gateway other than id has key.
func serverTaken(ctx context.Context, tx *txn, key string, id int64) (bool, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM gateways WHERE server_key = ? AND id <> ?`, key, id).Scan(&n)
	return n > 0, err
}

// CreateGateway implements gateway.Store.
func (s *Store) CreateGateway(ctx context.Context, g gateway.Gateway) (gateway.Gateway, error) {
	err := s.inTx(ctx, func(tx *txn) error {
		key := g.Server.Key()
		prot, err := g.Server.Protocol.MarshalText()
		if err != nil {
			return err
		}
		if taken, err := serverTaken(ctx, tx, key, 0); err != nil {
			return err
		} else if taken {
			return gateway.ErrDuplicateServer
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO gateways
			(name, pool, ord, rtmp_url, hls_url, server_url, server_key, token, protocol, insecure, enabled, launcher_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			g.Name, g.Pool, g.Order, g.RTMPURL.Reveal(), g.HLSURL, g.Server.URL, key, g.Server.Token.Reveal(),
			string(prot), boolInt(g.Server.Insecure), boolInt(g.Enabled), g.Server.LauncherID)
		if err != nil {
			return err
		}
		g.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return gateway.Gateway{}, err
	}
	return g, nil
}

// UpdateGateway implements gateway.Store.
func (s *Store) UpdateGateway(ctx context.Context, g gateway.Gateway) error {
	return s.inTx(ctx, func(tx *txn) error {
		// ErrNotFound comes before ErrDuplicateServer, as in store/memory.
		if err := gatewayExists(ctx, tx, g.ID); err != nil {
			return err
		}
		key := g.Server.Key()
		prot, err := g.Server.Protocol.MarshalText()
		if err != nil {
			return err
		}
		if taken, err := serverTaken(ctx, tx, key, g.ID); err != nil {
			return err
		} else if taken {
			return gateway.ErrDuplicateServer
		}
		res, err := tx.ExecContext(ctx, `UPDATE gateways SET
			name = ?, pool = ?, ord = ?, rtmp_url = ?, hls_url = ?, server_url = ?, server_key = ?,
			token = ?, protocol = ?, insecure = ?, enabled = ?, launcher_id = ?
			WHERE id = ?`,
			g.Name, g.Pool, g.Order, g.RTMPURL.Reveal(), g.HLSURL, g.Server.URL, key, g.Server.Token.Reveal(),
			string(prot), boolInt(g.Server.Insecure), boolInt(g.Enabled), g.Server.LauncherID, g.ID)
		if err != nil {
			return err
		}
		return mustAffect(res, gateway.ErrNotFound)
	})
}

// gatewayExists returns gateway.ErrNotFound when there is no gateway id.
func gatewayExists(ctx context.Context, tx *txn, id int64) error {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM gateways WHERE id = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return gateway.ErrNotFound
	}
	return nil
}

// mustAffect returns notFound when res changed no row.
func mustAffect(res sql.Result, notFound error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// DeleteGateway implements gateway.Store: the gateway's past bookings
// go with it.
func (s *Store) DeleteGateway(ctx context.Context, id int64, now time.Time) error {
	return s.inTx(ctx, func(tx *txn) error {
		if err := gatewayExists(ctx, tx, id); err != nil {
			return err
		}
		var busy int64
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM bookings WHERE gateway_id = ? AND end_ns > ?)`,
			id, now.UnixNano()).Scan(&busy); err != nil {
			return err
		}
		if busy != 0 {
			return gateway.ErrInUse
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM bookings WHERE gateway_id = ?`, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM gateways WHERE id = ?`, id)
		return err
	})
}

// Gateway implements gateway.Store.
func (s *Store) Gateway(ctx context.Context, id int64) (gateway.Gateway, error) {
	var g gateway.Gateway
	err := s.read(ctx, func(tx *txn) error {
		var err error
		g, err = scanGateway(tx.QueryRowContext(ctx, `SELECT `+gatewayColumns+` FROM gateways g WHERE g.id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return gateway.ErrNotFound
		}
		return err
	})
	if err != nil {
		return gateway.Gateway{}, err
	}
	return g, nil
}

// Gateways implements gateway.Store.
func (s *Store) Gateways(ctx context.Context) ([]gateway.Gateway, error) {
	var out []gateway.Gateway
	err := s.read(ctx, func(tx *txn) error {
		var err error
		out, err = queryGateways(ctx, tx, `SELECT `+gatewayColumns+` FROM gateways g ORDER BY g.ord, g.id`)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func queryGateways(ctx context.Context, tx *txn, query string, args ...any) ([]gateway.Gateway, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []gateway.Gateway{}
	for rows.Next() {
		g, err := scanGateway(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

var _ gateway.Store = (*Store)(nil)
