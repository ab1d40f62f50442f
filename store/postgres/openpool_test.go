package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/store/postgres"
)

// hostPool opens a pool on a new, empty schema, as a host would have
// one, closed with t.
func hostPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), schemaDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// openOnHostPool opens a store on a host's pool (see hostPool), both
// closed with t.
func openOnHostPool(t *testing.T) (*postgres.Store, *pgxpool.Pool) {
	t.Helper()
	pool := hostPool(t)
	s, err := postgres.OpenPool(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, pool
}

func launcherGateway() gateway.Gateway {
	return gateway.Gateway{Name: "A", Pool: "p", RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/key"),
		HLSURL: "https://live.example.org/hls/a.m3u8", Enabled: true,
		Server: gateway.Server{URL: "http://gw.example.org:8100", Protocol: sipmediagw.V18Launcher, Insecure: true, LauncherID: "gw0"}}
}

// OpenPool migrates the host's database, shares its pool and leaves it
// open on Close.
func TestOpenPool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := hostPool(t)
	s, err := postgres.OpenPool(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.CreateGateway(ctx, launcherGateway())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := pool.Ping(ctx); err != nil {
		t.Fatalf("the host's pool after Store.Close: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT COUNT(*) FROM gateways`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("gateways in the host's schema: %d, %v", n, err)
	}

	// A second store over the same pool finds the schema migrated.
	again, err := postgres.OpenPool(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(again.Close)
	got, err := again.Gateway(ctx, g.ID)
	if err != nil || got.Name != "A" || got.Server.Protocol != sipmediagw.V18Launcher {
		t.Fatalf("gateway through a second OpenPool: %+v, %v", got, err)
	}
}

func TestOpenPoolRefuses(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		pool func(t *testing.T) *pgxpool.Pool
		want error
	}{
		{"nil pool", context.Background(), func(*testing.T) *pgxpool.Pool { return nil }, postgres.ErrNilPool},
		{"cancelled context", cancelled, hostPool, context.Canceled},
		{"schema too new", context.Background(), func(t *testing.T) *pgxpool.Pool {
			pool := hostPool(t)
			s, err := postgres.OpenPool(context.Background(), pool)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			if _, err := pool.Exec(context.Background(), `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
				t.Fatal(err)
			}
			return pool
		}, postgres.ErrSchemaTooNew},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pool := tt.pool(t)
			s, err := postgres.OpenPool(tt.ctx, pool)
			if !errors.Is(err, tt.want) {
				if s != nil {
					s.Close()
				}
				t.Fatalf("OpenPool: %v, want %v", err, tt.want)
			}
			if pool != nil {
				if err := pool.Ping(context.Background()); err != nil {
					t.Errorf("the host's pool after a refusal: %v", err)
				}
			}
		})
	}
}

// The protocol column holds the protocol's name, as it always has: rows
// written by earlier releases load, and new rows read the same to them.
func TestProtocolText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		want sipmediagw.Protocol
	}{
		{"legacy", sipmediagw.Legacy},
		{"v1.8", sipmediagw.V18},
		{"v1.8-launcher", sipmediagw.V18Launcher},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, pool := openOnHostPool(t)
			g := launcherGateway()
			if tt.want != sipmediagw.V18Launcher {
				g.Server.LauncherID, g.Server.Token = "", gateway.NewSecret("a-long-token")
			}
			g.Server.Protocol = tt.want
			g, err := s.CreateGateway(ctx, g)
			if err != nil {
				t.Fatal(err)
			}
			var text string
			if err := pool.QueryRow(ctx, `SELECT protocol FROM gateways WHERE id = $1`, g.ID).Scan(&text); err != nil || text != tt.text {
				t.Fatalf("stored protocol %q, %v; want %q", text, err, tt.text)
			}
			// As an earlier release wrote it.
			if _, err := pool.Exec(ctx, `UPDATE gateways SET protocol = $1 WHERE id = $2`, tt.text, g.ID); err != nil {
				t.Fatal(err)
			}
			got, err := s.Gateway(ctx, g.ID)
			if err != nil || got.Server.Protocol != tt.want {
				t.Fatalf("loaded protocol %v, %v; want %v", got.Server.Protocol, err, tt.want)
			}
		})
	}
}

// A row whose protocol is no name is reported, not loaded as another
// protocol.
func TestProtocolTextUnknown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, pool := openOnHostPool(t)
	g, err := s.CreateGateway(ctx, launcherGateway())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE gateways SET protocol = 'v2' WHERE id = $1`, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Gateway(ctx, g.ID); err == nil {
		t.Fatal("a gateway with protocol v2 loaded")
	}
}
