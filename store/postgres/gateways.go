package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bbbcast/bbbcast/gateway"
)

// gatewayColumns are the columns scanGateway reads, in its order.
const gatewayColumns = `g.id, g.name, g.pool, g.ord, g.rtmp_url, g.hls_url, g.server_url, g.token, g.protocol, g.insecure, g.enabled, g.launcher_id`

// secret wraps a stored secret; "" gives the zero Secret.
func secret(v string) gateway.Secret {
	if v == "" {
		return gateway.Secret{}
	}
	return gateway.NewSecret(v)
}

func scanGateway(r pgx.Row) (gateway.Gateway, error) {
	var (
		g                 gateway.Gateway
		rtmp, token, prot string
	)
	err := r.Scan(&g.ID, &g.Name, &g.Pool, &g.Order, &rtmp, &g.HLSURL, &g.Server.URL, &token, &prot,
		&g.Server.Insecure, &g.Enabled, &g.Server.LauncherID)
	if err != nil {
		return gateway.Gateway{}, err
	}
	if err := g.Server.Protocol.UnmarshalText([]byte(prot)); err != nil {
		return gateway.Gateway{}, fmt.Errorf("postgres: gateway %d: %w", g.ID, err)
	}
	g.RTMPURL, g.Server.Token = secret(rtmp), secret(token)
	return g, nil
}

// serverTaken reports whether a gateway other than id has key.
func serverTaken(ctx context.Context, tx pgx.Tx, key string, id int64) (bool, error) {
	var taken bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM gateways WHERE server_key = $1 AND id <> $2)`, key, id).Scan(&taken)
	return taken, err
}

// duplicateServer maps the violation of the unique server key, which a
// concurrent writer may cause after serverTaken said no, to
// gateway.ErrDuplicateServer.
func duplicateServer(err error) error {
	if sqlState(err) == codeUniqueViolation {
		return gateway.ErrDuplicateServer
	}
	return err
}

// CreateGateway implements gateway.Store.
func (s *Store) CreateGateway(ctx context.Context, g gateway.Gateway) (gateway.Gateway, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
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
		err = tx.QueryRow(ctx, `INSERT INTO gateways
			(name, pool, ord, rtmp_url, hls_url, server_url, server_key, token, protocol, insecure, enabled, launcher_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			g.Name, g.Pool, g.Order, g.RTMPURL.Reveal(), g.HLSURL, g.Server.URL, key, g.Server.Token.Reveal(),
			string(prot), g.Server.Insecure, g.Enabled, g.Server.LauncherID).Scan(&g.ID)
		return duplicateServer(err)
	})
	if err != nil {
		return gateway.Gateway{}, err
	}
	return g, nil
}

// UpdateGateway implements gateway.Store.
func (s *Store) UpdateGateway(ctx context.Context, g gateway.Gateway) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		// ErrNotFound comes before ErrDuplicateServer, as in store/memory.
		if err := gatewayExists(ctx, tx, g.ID, false); err != nil {
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
		tag, err := tx.Exec(ctx, `UPDATE gateways SET
			name = $1, pool = $2, ord = $3, rtmp_url = $4, hls_url = $5, server_url = $6, server_key = $7,
			token = $8, protocol = $9, insecure = $10, enabled = $11, launcher_id = $12
			WHERE id = $13`,
			g.Name, g.Pool, g.Order, g.RTMPURL.Reveal(), g.HLSURL, g.Server.URL, key, g.Server.Token.Reveal(),
			string(prot), g.Server.Insecure, g.Enabled, g.Server.LauncherID, g.ID)
		if err != nil {
			return duplicateServer(err)
		}
		if tag.RowsAffected() == 0 {
			return gateway.ErrNotFound
		}
		return nil
	})
}

// gatewayExists returns gateway.ErrNotFound when there is no gateway id;
// lock locks its row until the end of the transaction.
func gatewayExists(ctx context.Context, tx pgx.Tx, id int64, lock bool) error {
	query := `SELECT id FROM gateways WHERE id = $1`
	if lock {
		query += ` FOR UPDATE`
	}
	var got int64
	err := tx.QueryRow(ctx, query, id).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return gateway.ErrNotFound
	}
	return err
}

// DeleteGateway implements gateway.Store: the gateway's past bookings
// go with it. Its row is locked first, so that no allocation books it
// between the check and the deletion.
func (s *Store) DeleteGateway(ctx context.Context, id int64, now time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		if err := gatewayExists(ctx, tx, id, true); err != nil {
			return err
		}
		var busy bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bookings WHERE gateway_id = $1 AND end_ns > $2)`,
			id, now.UnixNano()).Scan(&busy); err != nil {
			return err
		}
		if busy {
			return gateway.ErrInUse
		}
		if _, err := tx.Exec(ctx, `DELETE FROM bookings WHERE gateway_id = $1`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM gateways WHERE id = $1`, id)
		return err
	})
}

// Gateway implements gateway.Store.
func (s *Store) Gateway(ctx context.Context, id int64) (gateway.Gateway, error) {
	var g gateway.Gateway
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		g, err = scanGateway(tx.QueryRow(ctx, `SELECT `+gatewayColumns+` FROM gateways g WHERE g.id = $1`, id))
		if errors.Is(err, pgx.ErrNoRows) {
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
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = queryGateways(ctx, tx, `SELECT `+gatewayColumns+` FROM gateways g ORDER BY g.ord, g.id`)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func queryGateways(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]gateway.Gateway, error) {
	rows, err := tx.Query(ctx, query, args...)
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
