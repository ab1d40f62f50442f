package postgres_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/postgres"
)

// The environment of a child process: its role, and what it works on.
const (
	mpRoleEnv  = "BBBCAST_MP_ROLE" // "alloc" or "lease"; unset: not a child
	mpDSNEnv   = "BBBCAST_MP_DSN"  // the schema's DSN
	mpSeedEnv  = "BBBCAST_MP_SEED"
	mpIndexEnv = "BBBCAST_MP_INDEX"
	mpNowEnv   = "BBBCAST_MP_NOW" // Unix nanoseconds

	mpRoleAlloc = "alloc"
	mpRoleLease = "lease"

	mpChildren       = 4
	mpAllocsPerChild = 500
	mpGateways       = 20
	mpPool           = "p"
	mpChildTimeout   = 30 * time.Second
	mpLeaseTTL       = time.Minute
)

// mpBase is the start of the days the allocation children book.
var mpBase = time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)

// mpLeaseKeys are the keys the lease child takes.
var mpLeaseKeys = []string{"webinar:w1", "webinar:w2", "webinar:w3", "webinar:w4", "webinar:w5"}

// allocCounts is what an allocation child prints, as one JSON line.
type allocCounts struct {
	Child         int      `json:"child"`
	New           int      `json:"new"`            // successes for an owner without a booking
	Realloc       int      `json:"realloc"`        // successes for an owner with one
	NoFree        int      `json:"no_free"`        // ErrNoGatewayFree for an owner without a booking
	ReallocNoFree int      `json:"realloc_nofree"` // ErrNoGatewayFree for an owner with one
	Releases      int      `json:"releases"`
	Live          []string `json:"live"` // owners holding a booking at the end
}

func (c allocCounts) successes() int { return c.New + c.Realloc }

// childCommand is the test binary run again as a child in role.
func childCommand(ctx context.Context, role string, env ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMultiProcessChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{mpRoleEnv + "=" + role}, env...)...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// TestMultiProcessChild is the body of the child processes; run
// directly, without mpRoleEnv, it does nothing.
func TestMultiProcessChild(t *testing.T) {
	role := os.Getenv(mpRoleEnv)
	if role == "" {
		return
	}
	dsn := os.Getenv(mpDSNEnv)
	ctx, cancel := context.WithTimeout(context.Background(), mpChildTimeout)
	defer cancel()
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("child open: %v", err)
	}
	defer s.Close()
	switch role {
	case mpRoleAlloc:
		allocChild(ctx, t, s)
	case mpRoleLease:
		leaseChild(ctx, t, s)
	default:
		t.Fatalf("unknown role %q", role)
	}
}

func envInt(t *testing.T, name string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(os.Getenv(name), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return n
}

// allocChild makes mpAllocsPerChild allocations of random slots, mostly
// for new owners, some moving or releasing its own, and prints its
// counts.
func allocChild(ctx context.Context, t *testing.T, s *postgres.Store) {
	seed, idx := envInt(t, mpSeedEnv), int(envInt(t, mpIndexEnv))
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(idx)))
	c := allocCounts{Child: idx}
	live := map[string]bool{}
	var liveList []string // for picking one at random
	next := 0
	for i := range mpAllocsPerChild {
		// Start on a quarter hour within 4 days, 1 to 3 hours long.
		start := mpBase.Add(time.Duration(rng.IntN(4*24*4)) * 15 * time.Minute)
		slot := gateway.Slot{Start: start, End: start.Add(time.Hour + time.Duration(rng.IntN(9))*15*time.Minute)}

		var owner string
		realloc := len(liveList) > 0 && rng.IntN(5) == 0
		if realloc {
			owner = liveList[rng.IntN(len(liveList))]
		} else {
			owner = fmt.Sprintf("c%d-o%d", idx, next)
			next++
		}
		_, err := s.Allocate(ctx, gateway.Request{Owner: owner, Pool: mpPool, Slot: slot})
		switch {
		case err == nil && realloc:
			c.Realloc++
		case err == nil:
			c.New++
			live[owner] = true
			liveList = append(liveList, owner)
		case errors.Is(err, gateway.ErrNoGatewayFree) && realloc:
			c.ReallocNoFree++
		case errors.Is(err, gateway.ErrNoGatewayFree):
			c.NoFree++
		default:
			t.Fatalf("child %d: allocate %d (%s %s): %v", idx, i, owner, slot, err)
		}

		// Now and then, release one of its owners.
		if len(liveList) > 0 && rng.IntN(20) == 0 {
			j := rng.IntN(len(liveList))
			o := liveList[j]
			b, err := s.Release(ctx, o)
			if err != nil || b.Owner != o {
				t.Fatalf("child %d: release %s: %+v, %v", idx, o, b, err)
			}
			c.Releases++
			delete(live, o)
			liveList[j] = liveList[len(liveList)-1]
			liveList = liveList[:len(liveList)-1]
		}
	}
	for o := range live {
		c.Live = append(c.Live, o)
	}
	sort.Strings(c.Live)
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("%s\n", out)
}

// leaseChild takes every key of mpLeaseKeys for "child" at the parent's
// now, prints "ready", and waits to be killed (or for its stdin to
// close, or its time to run out).
func leaseChild(ctx context.Context, t *testing.T, s *postgres.Store) {
	now := time.Unix(0, envInt(t, mpNowEnv)).UTC()
	for _, k := range mpLeaseKeys {
		ok, err := s.AcquireLease(ctx, k, "child", mpLeaseTTL, now)
		if err != nil || !ok {
			t.Fatalf("child: acquire %s: %v, %v", k, ok, err)
		}
	}
	fmt.Println("ready")
	stdin := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdin)
	}()
	select {
	case <-stdin:
		t.Fatal("child: stdin closed before the parent killed it")
	case <-ctx.Done():
		t.Fatal("child: not killed in time")
	}
}

// connect opens one connection to a schema's DSN.
func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestMultiProcessAllocation(t *testing.T) {
	dsn := schemaDSN(t)
	s := openDSN(t, dsn)
	ctx := context.Background()
	gws := map[int64]bool{}
	for i := range mpGateways {
		g, err := s.CreateGateway(ctx, gateway.Gateway{Name: fmt.Sprintf("gw%d", i), Pool: mpPool,
			Server: gateway.Server{URL: fmt.Sprintf("https://gw%d.example.org", i)}, Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		gws[g.ID] = true
	}

	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	began := time.Now()
	results := make([]allocCounts, mpChildren)
	errs := make([]error, mpChildren)
	var wg sync.WaitGroup
	for i := range mpChildren {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, mpChildTimeout+10*time.Second)
			defer cancel()
			cmd := childCommand(cctx, mpRoleAlloc,
				mpDSNEnv+"="+dsn, mpSeedEnv+"="+strconv.FormatInt(seed, 10), mpIndexEnv+"="+strconv.Itoa(i))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			if err := cmd.Run(); err != nil {
				errs[i] = fmt.Errorf("child %d: %v\nstdout:\n%s\nstderr:\n%s", i, err, stdout.String(), stderr.String())
				return
			}
			took := time.Since(start)
			for line := range strings.SplitSeq(stdout.String(), "\n") {
				if strings.HasPrefix(line, "{") {
					if err := json.Unmarshal([]byte(line), &results[i]); err != nil {
						errs[i] = fmt.Errorf("child %d: %v in %q", i, err, line)
					}
					t.Logf("child %d (%v): %s", i, took.Round(time.Millisecond), line[:min(len(line), 120)])
					return
				}
			}
			errs[i] = fmt.Errorf("child %d: no JSON line in stdout:\n%s", i, stdout.String())
		})
	}
	wg.Wait()
	t.Logf("%d children done in %v", mpChildren, time.Since(began).Round(time.Millisecond))
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	var successes, news, releases, noFree, attempts int
	wantLive := map[string]bool{}
	for _, c := range results {
		successes += c.successes()
		news += c.New
		releases += c.Releases
		noFree += c.NoFree + c.ReallocNoFree
		attempts += c.New + c.Realloc + c.NoFree + c.ReallocNoFree
		for _, o := range c.Live {
			wantLive[o] = true
		}
	}
	t.Logf("%d allocations: %d successes (%d new owners, %d reallocations), %d ErrNoGatewayFree, %d releases",
		attempts, successes, news, successes-news, noFree, releases)
	if attempts != mpChildren*mpAllocsPerChild {
		t.Errorf("%d allocations counted, want %d", attempts, mpChildren*mpAllocsPerChild)
	}
	if noFree == 0 || successes == 0 {
		t.Errorf("want both successes and ErrNoGatewayFree, got %d and %d: the test does not contend", successes, noFree)
	}

	// No two bookings of one gateway overlap: checked by SQL...
	conn := connect(t, dsn)
	var overlaps int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM bookings a JOIN bookings b
		ON a.gateway_id = b.gateway_id AND a.owner < b.owner
		AND a.start_ns < b.end_ns AND b.start_ns < a.end_ns`).Scan(&overlaps); err != nil {
		t.Fatal(err)
	}
	if overlaps != 0 {
		t.Errorf("%d pairs of overlapping bookings", overlaps)
	}
	var stored int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM bookings`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	// A reallocation moves or resizes a booking, adding none: the stored
	// bookings are the new owners' successes minus the releases.
	if want := news - releases; stored != want {
		t.Errorf("%d bookings stored, want %d (%d successes - %d reallocations - %d releases)",
			stored, want, successes, successes-news, releases)
	}

	// ... and through a Store, which also gives the owners.
	all, err := s.Bookings(ctx, gateway.BookingQuery{Pool: mpPool,
		Window: gateway.Slot{Start: mpBase.Add(-24 * time.Hour), End: mpBase.Add(7 * 24 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != stored {
		t.Errorf("Bookings lists %d, the table holds %d", len(all), stored)
	}
	byGateway := map[int64][]gateway.Booking{}
	gotLive := map[string]bool{}
	for _, b := range all {
		if !gws[b.GatewayID] {
			t.Errorf("booking %+v on an unknown gateway", b)
		}
		if d := b.Slot.Duration(); d < time.Hour || d > 3*time.Hour {
			t.Errorf("booking %+v lasts %v", b, d)
		}
		byGateway[b.GatewayID] = append(byGateway[b.GatewayID], b)
		gotLive[b.Owner] = true
	}
	for id, bs := range byGateway {
		sort.Slice(bs, func(i, j int) bool { return bs[i].Slot.Start.Before(bs[j].Slot.Start) })
		for i := 1; i < len(bs); i++ {
			if bs[i].Slot.Overlaps(bs[i-1].Slot) {
				t.Errorf("gateway %d: %s %s overlaps %s %s", id, bs[i-1].Owner, bs[i-1].Slot, bs[i].Owner, bs[i].Slot)
			}
		}
	}
	for o := range wantLive {
		if !gotLive[o] {
			t.Errorf("owner %s should hold a booking, has none", o)
		}
	}
	for o := range gotLive {
		if !wantLive[o] {
			t.Errorf("owner %s holds a booking it should not", o)
		}
	}
}

func TestMultiProcessLeaseTakeover(t *testing.T) {
	dsn := schemaDSN(t)
	s := openDSN(t, dsn)
	ctx := context.Background()
	now := time.Date(2031, 3, 3, 9, 0, 0, 123456789, time.UTC)

	cctx, cancel := context.WithTimeout(ctx, mpChildTimeout+10*time.Second)
	defer cancel()
	cmd := childCommand(cctx, mpRoleLease, mpDSNEnv+"="+dsn, mpNowEnv+"="+strconv.FormatInt(now.UnixNano(), 10))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	began := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()

	// Wait for "ready"; keep what came before it for the report.
	var before []string
	ready := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if sc.Text() == "ready" {
			ready = true
			break
		}
		before = append(before, sc.Text())
	}
	if !ready {
		_ = cmd.Wait()
		t.Fatalf("child never ready (%v):\nstdout:\n%s\nstderr:\n%s", sc.Err(), strings.Join(before, "\n"), stderr.String())
	}
	t.Logf("child ready in %v", time.Since(began).Round(time.Millisecond))

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	err = cmd.Wait()
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != -1 {
		t.Fatalf("child after SIGKILL: %v, want killed by a signal", err)
	}
	t.Logf("child killed: %v", err)

	// The dead child's leases still run until now+ttl.
	for _, k := range mpLeaseKeys {
		if ok, err := s.AcquireLease(ctx, k, "parent", mpLeaseTTL, now); err != nil || ok {
			t.Errorf("acquire %s at now: %v, %v; want refused", k, ok, err)
		}
		if ok, err := s.AcquireLease(ctx, k, "parent", mpLeaseTTL, now.Add(mpLeaseTTL-time.Nanosecond)); err != nil || ok {
			t.Errorf("acquire %s 1 ns before expiry: %v, %v; want refused", k, ok, err)
		}
	}
	// At until exactly they have expired.
	later := now.Add(mpLeaseTTL)
	for _, k := range mpLeaseKeys {
		if ok, err := s.AcquireLease(ctx, k, "parent", mpLeaseTTL, later); err != nil || !ok {
			t.Errorf("acquire %s at now+ttl: %v, %v; want granted", k, ok, err)
		}
	}
	conn := connect(t, dsn)
	var held int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM leases WHERE holder = 'parent' AND until_ns = $1`,
		later.Add(mpLeaseTTL).UnixNano()).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held != len(mpLeaseKeys) {
		t.Errorf("%d leases held by parent until now+2ttl, want %d", held, len(mpLeaseKeys))
	}
	// The child, were it alive, would now be refused.
	if ok, err := s.AcquireLease(ctx, mpLeaseKeys[0], "child", mpLeaseTTL, later); err != nil || ok {
		t.Errorf("child re-acquiring after takeover: %v, %v; want refused", ok, err)
	}
}
