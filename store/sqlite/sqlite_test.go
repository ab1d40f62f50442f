package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/sqlite"
	"github.com/bbbcast/bbbcast/store/storetest"
	"github.com/bbbcast/bbbcast/webinar"
)

// template is the file of an empty database, migrated once for the
// tests' stores: creating and migrating one took 40 ms under -race, a
// copy 10 ms, and the suites open hundreds. The tests of Open itself
// (migrations, WAL, durability) start from no file.
var template struct {
	once sync.Once
	data []byte
	err  error
}

// templateData returns the bytes of the template database.
func templateData() ([]byte, error) {
	template.once.Do(func() {
		dir, err := os.MkdirTemp("", "bbbcast-sqlite-template-")
		if err != nil {
			template.err = err
			return
		}
		defer os.RemoveAll(dir)
		path := filepath.Join(dir, "bbbcast.db")
		s, err := sqlite.Open(context.Background(), path)
		if err == nil {
			err = s.Close() // checkpoints the WAL into the file
		}
		if err == nil {
			template.data, err = os.ReadFile(path)
		}
		template.err = err
	})
	return template.data, template.err
}

// openAt opens a new, empty database in t's temporary directory, closed
// with t, and returns it with the path of its file.
func openAt(t *testing.T) (*sqlite.Store, string) {
	t.Helper()
	data, err := templateData()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "bbbcast.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, path
}

// open is openAt without the path.
func open(t *testing.T) *sqlite.Store {
	t.Helper()
	s, _ := openAt(t)
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.RunGateway(t, func(t *testing.T) gateway.Store { return open(t) })
	storetest.RunWebinar(t, func(t *testing.T) webinar.Store { return open(t) })
}

func TestMigrationsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	for i := range 3 {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	files, _ := filepath.Glob("migrations/*.sql")
	if n := countMigrations(t, path); n != len(files) {
		t.Fatalf("schema_migrations holds %d rows after 3 opens, want %d", n, len(files))
	}
}

func TestSchemaTooNew(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	execRaw(t, path, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`)
	s, err = sqlite.Open(ctx, path)
	if !errors.Is(err, sqlite.ErrSchemaTooNew) {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("open of a newer schema: %v, want ErrSchemaTooNew", err)
	}
}

func TestDurable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "db")
	s, err := sqlite.Open(ctx, path)
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
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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

func TestWAL(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var mode string
	if err := raw(t, path).QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Fatalf("journal_mode %q, want wal", mode)
	}
}

func TestOpenCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "db"))
	if !errors.Is(err, context.Canceled) {
		if s != nil {
			_ = s.Close()
		}
		t.Fatalf("Open with a cancelled context: %v", err)
	}
}

// An empty name is refused: the driver would create a file named after
// its parameters in the working directory.
func TestOpenWithoutName(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, dsn := range []string{"", "  "} {
		if _, err := sqlite.Open(context.Background(), dsn); !errors.Is(err, sqlite.ErrNoDatabase) {
			t.Errorf("Open(%q): %v", dsn, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files made: %v", entries)
	}
}
