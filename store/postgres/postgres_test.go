package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/postgres"
	"github.com/bbbcast/bbbcast/store/storetest"
	"github.com/bbbcast/bbbcast/webinar"
)

// dsnEnv names the environment variable holding the DSN of the
// PostgreSQL server the tests use; they skip when it is unset, unless
// requireEnv is set (CI sets both: there, skipping is not passing).
const (
	dsnEnv     = "BBBCAST_POSTGRES_DSN"
	requireEnv = "BBBCAST_REQUIRE_POSTGRES"
)

var extensionOnce sync.Once

// serverDSN returns the DSN of the test server, skipping t without one.
// It makes sure btree_gist exists in public once, so that the stores'
// migrations, run in parallel, find it instead of racing to create it.
func serverDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		if os.Getenv(requireEnv) != "" {
			t.Fatal(dsnEnv + " is not set but " + requireEnv + " is: the PostgreSQL suite must run")
		}
		t.Skip(dsnEnv + " is not set: no PostgreSQL server to test against; start one with " +
			"export " + dsnEnv + "=$(bash .ci/postgres.sh /tmp/bbbcast-pg 55432)")
	}
	var err error
	extensionOnce.Do(func() {
		err = execAdmin(dsn, `CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public`)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// execAdmin runs query on its own connection to dsn.
func execAdmin(dsn, query string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, query)
	return err
}

// schemaDSN creates a new, empty schema, dropped with t, and returns a
// DSN whose search_path starts with it (then public, for btree_gist).
func schemaDSN(t testing.TB) string { return newSchemaDSN(t, "bbbcast_test_", 4) }

// newSchemaDSN is schemaDSN with a schema name prefix and a pool of conns
// connections (unless the server's DSN sets pool_max_conns).
func newSchemaDSN(t testing.TB, prefix string, conns int) string {
	t.Helper()
	dsn := serverDSN(t)
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	schema := prefix + hex.EncodeToString(b)
	if err := execAdmin(dsn, `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := execAdmin(dsn, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s must be a URL: %v", dsnEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	if !q.Has("pool_max_conns") {
		q.Set("pool_max_conns", fmt.Sprint(conns))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// openDSN opens dsn, closed with t.
func openDSN(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// open opens a store in a new, empty schema, both gone with t.
func open(t *testing.T) *postgres.Store {
	t.Helper()
	return openDSN(t, schemaDSN(t))
}

// openNoRetries is open, and fails t if the store ran a transaction again
// because of a deadlock or an exclusion violation: the allocation paths
// lock so that neither happens (see migration 0004).
func openNoRetries(t *testing.T) *postgres.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		deadlocks, exclusions, _ := s.Retries()
		if deadlocks != 0 || exclusions != 0 {
			t.Errorf("transactions retried after %d deadlocks and %d exclusion violations, want none", deadlocks, exclusions)
		}
	})
	return s
}

// execIn runs query on its own connection to dsn (a schema's DSN, whose
// search_path it follows).
func execIn(t *testing.T, dsn, query string, args ...any) error {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, query, args...)
	return err
}

func TestConformance(t *testing.T) {
	serverDSN(t)
	storetest.RunGateway(t, func(t *testing.T) gateway.Store { return openNoRetries(t) })
	storetest.RunWebinar(t, func(t *testing.T) webinar.Store { return open(t) })
}

func TestMigrationsIdempotent(t *testing.T) {
	dsn := schemaDSN(t)
	ctx := context.Background()
	for i := range 3 {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		s.Close()
	}
	s := openDSN(t, dsn)
	if _, err := s.CreateGateway(ctx, gateway.Gateway{Name: "A", Pool: "p",
		Server: gateway.Server{URL: "https://gw.example.org"}, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("migrations/*.sql")
	if err := execIn(t, dsn, fmt.Sprintf(`DO $$ BEGIN
		IF (SELECT COUNT(*) FROM schema_migrations) <> %d THEN RAISE EXCEPTION 'schema_migrations: %% rows', (SELECT COUNT(*) FROM schema_migrations); END IF;
	END $$`, len(files))); err != nil {
		t.Fatalf("after 4 opens: %v", err)
	}
}

func TestMigrationsConcurrent(t *testing.T) {
	dsn := schemaDSN(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			s, err := postgres.Open(context.Background(), dsn)
			if err != nil {
				errs <- err
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent open: %v", err)
	}
}

func TestSchemaTooNew(t *testing.T) {
	dsn := schemaDSN(t)
	openDSN(t, dsn).Close()
	if err := execIn(t, dsn, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`); err != nil {
		t.Fatal(err)
	}
	s, err := postgres.Open(context.Background(), dsn)
	if !errors.Is(err, postgres.ErrSchemaTooNew) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("open of a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

func TestExclusionConstraint(t *testing.T) {
	dsn := schemaDSN(t)
	s := openDSN(t, dsn)
	ctx := context.Background()
	g, err := s.CreateGateway(ctx, gateway.Gateway{Name: "A", Pool: "p",
		Server: gateway.Server{URL: "https://gw.example.org"}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2031, 3, 3, 9, 0, 0, 123456789, time.UTC)
	slot := gateway.Slot{Start: start, End: start.Add(time.Hour)}
	if _, err := s.Allocate(ctx, gateway.Request{Owner: "w1", Pool: "p", Slot: slot}); err != nil {
		t.Fatal(err)
	}
	// A buggy writer inserting an overlapping booking directly.
	err = execIn(t, dsn, `INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES ($1, $2, $3, $4)`,
		"w2", g.ID, start.Add(59*time.Minute).UnixNano(), start.Add(2*time.Hour).UnixNano())
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23P01" {
		t.Fatalf("overlapping insert: %v, want SQLSTATE 23P01", err)
	}
	// Back to back is allowed: slots are half-open.
	if err := execIn(t, dsn, `INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES ($1, $2, $3, $4)`,
		"w3", g.ID, slot.End.UnixNano(), slot.End.Add(time.Hour).UnixNano()); err != nil {
		t.Fatalf("back-to-back insert: %v", err)
	}
}

func TestDurable(t *testing.T) {
	dsn := schemaDSN(t)
	ctx := context.Background()
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	g, err := s.CreateGateway(ctx, gateway.Gateway{Name: "A", Pool: "p", RTMPURL: gateway.NewSecret("rtmp://x/live/key"),
		Server: gateway.Server{URL: "https://gw.example.org", Token: gateway.NewSecret("a-long-token")}, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2031, 3, 3, 9, 0, 0, 123456789, time.UTC)
	slot := gateway.Slot{Start: start, End: start.Add(time.Hour)}
	if _, err := s.Allocate(ctx, gateway.Request{Owner: "w1", Pool: "p", Slot: slot}); err != nil {
		t.Fatal(err)
	}
	w, err := s.CreateWebinar(ctx, webinar.Webinar{ID: "w1", Owner: "u", CoOwners: []string{"v"}, Pool: "p", Slot: slot,
		MeetingID: "m1", BotSecret: gateway.NewSecret("s"), State: webinar.Scheduled, CreatedAt: start})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := s.AcquireLease(ctx, "k", "h", time.Hour, start); err != nil || !ok {
		t.Fatal(ok, err)
	}
	s.Close()

	s = openDSN(t, dsn)
	got, err := s.Gateway(ctx, g.ID)
	if err != nil || got.Name != "A" || got.Server.Token.Reveal() != "a-long-token" {
		t.Fatalf("gateway after re-open: %+v, %v", got, err)
	}
	b, err := s.Booking(ctx, "w1")
	if err != nil || b.GatewayID != g.ID || !b.Slot.Start.Equal(slot.Start) || !b.Slot.End.Equal(slot.End) {
		t.Fatalf("booking after re-open: %+v, %v", b, err)
	}
	gw, err := s.Webinar(ctx, "w1")
	if err != nil || gw.Version != w.Version || gw.MeetingID != "m1" || len(gw.CoOwners) != 1 ||
		gw.BotSecret.Reveal() != "s" || !gw.CreatedAt.Equal(start) {
		t.Fatalf("webinar after re-open: %+v, %v", gw, err)
	}
	if ok, err := s.AcquireLease(ctx, "k", "other", time.Hour, start.Add(time.Minute)); err != nil || ok {
		t.Fatalf("lease after re-open taken by another: %v, %v", ok, err)
	}
}

func TestOpenCancelled(t *testing.T) {
	dsn := schemaDSN(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := postgres.Open(ctx, dsn)
	if !errors.Is(err, context.Canceled) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open with a cancelled context: %v", err)
	}
}
