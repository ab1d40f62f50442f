package storetest

import (
	"errors"
	"runtime"
	"strconv"
	"sync"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/webinar"
)

// Sizes of the webinar concurrency tests.
const (
	webinarWorkers    = 16
	webinarIncrements = 50  // per worker
	webinarMaxRetries = 1e5 // per worker, so a broken store fails rather than hangs
)

var webinarConcurrentTests = []webinarTest{
	// 16 goroutines update the same webinar from the version they all
	// read: exactly one wins, every other one gets ErrConflict, and the
	// stored webinar is the winner's.
	{"OneWinner", func(x *webinarHarness) {
		read := x.add("w1", "alice", 9*h, 10*h)
		errs := make([]error, webinarWorkers)
		got := make([]webinar.Webinar, webinarWorkers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				w := read
				w.CoOwners = []string{"co-" + strconv.Itoa(i)}
				w.Title, w.LastError = "winner "+strconv.Itoa(i), strconv.Itoa(i)
				<-start
				got[i], errs[i] = x.store.UpdateWebinar(x.ctx, w)
			}(i)
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				assert.Equal(x.t, -1, winner, "two winners: %d and %d", winner, i)
				winner = i
			case !errors.Is(err, webinar.ErrConflict):
				x.t.Errorf("worker %d: want ErrConflict, got %v", i, err)
			}
		}
		require.NotEqual(x.t, -1, winner, "nobody won")
		stored := x.get("w1")
		assert.Equal(x.t, int64(2), stored.Version)
		assert.Equal(x.t, "winner "+strconv.Itoa(winner), stored.Title)
		assert.Equal(x.t, []string{"co-" + strconv.Itoa(winner)}, stored.CoOwners)
		assertWebinar(x.t, got[winner], stored)
	}},
	// 16 goroutines each add 1 fifty times to a counter kept in Title
	// (and the other webinar's LastError), reading, incrementing and
	// updating, and reading again on ErrConflict: no increment is lost,
	// and the version counts them all.
	{"ReadModifyWrite", func(x *webinarHarness) {
		a := x.newWebinar("w-a", "alice", 9*h, 10*h)
		a.Title = "0"
		x.create(a)
		b := x.newWebinar("w-b", "bob", 9*h, 10*h)
		b.LastError = "0"
		x.create(b)
		field := map[string]func(*webinar.Webinar) *string{
			"w-a": func(w *webinar.Webinar) *string { return &w.Title },
			"w-b": func(w *webinar.Webinar) *string { return &w.LastError },
		}
		conflicts := make([]int, webinarWorkers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range conflicts {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				id := "w-a"
				if i%2 == 1 {
					id = "w-b"
				}
				for done, tries := 0, 0; done < webinarIncrements; tries++ {
					if tries > webinarMaxRetries {
						x.t.Errorf("worker %d: %d tries for %d increments", i, tries, done)
						return
					}
					w, err := x.store.Webinar(x.ctx, id)
					if !assert.NoError(x.t, err) {
						return
					}
					p := field[id](&w)
					n, err := strconv.Atoi(*p)
					if !assert.NoError(x.t, err, "counter %q", *p) {
						return
					}
					*p = strconv.Itoa(n + 1)
					runtime.Gosched() // let others move the version on
					got, err := x.store.UpdateWebinar(x.ctx, w)
					switch {
					case errors.Is(err, webinar.ErrConflict):
						conflicts[i]++
						continue
					case !assert.NoError(x.t, err):
						return
					}
					assert.Equal(x.t, w.Version+1, got.Version)
					done++
				}
			}(i)
		}
		close(start)
		wg.Wait()
		total := 0
		for _, c := range conflicts {
			total += c
		}
		each := webinarWorkers / 2 * webinarIncrements
		wa, wb := x.get("w-a"), x.get("w-b")
		assert.Equal(x.t, strconv.Itoa(each), wa.Title, "no lost update on w-a")
		assert.Equal(x.t, strconv.Itoa(each), wb.LastError, "no lost update on w-b")
		assert.Equal(x.t, int64(each+1), wa.Version)
		assert.Equal(x.t, int64(each+1), wb.Version)
		x.t.Logf("%d goroutines, %d increments each: %d conflicts retried", webinarWorkers, webinarIncrements, total)
	}},
}
