package teststream_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/bbbcast/bbbcast/examples/demo/internal/teststream"
)

// The playlist 18.5 s after the stream went on air: segments 0 to 8 are
// complete, the window holds the last five, and the loop restarted before
// segments 4 and 8.
func ExamplePlaylist() {
	since := time.Date(2026, 3, 14, 15, 0, 0, 0, time.UTC)
	now := since.Add(18*time.Second + 500*time.Millisecond)
	fmt.Print(string(teststream.Playlist(since, now)))
	// Output:
	// #EXTM3U
	// #EXT-X-VERSION:3
	// #EXT-X-TARGETDURATION:2
	// #EXT-X-MEDIA-SEQUENCE:4
	// #EXT-X-DISCONTINUITY-SEQUENCE:0
	// #EXT-X-DISCONTINUITY
	// #EXTINF:2.000,
	// 4.ts
	// #EXTINF:2.000,
	// 5.ts
	// #EXTINF:2.000,
	// 6.ts
	// #EXTINF:2.000,
	// 7.ts
	// #EXT-X-DISCONTINUITY
	// #EXTINF:2.000,
	// 8.ts
}

// A fake gateway mounts the handler under /hls/; its player then plays
// /hls/{name}/index.m3u8 while the stream is on air.
func ExampleHandler() {
	onAir := map[string]time.Time{
		"webinar-42": time.Now().Add(-time.Minute),
	}
	live := func(name string) (time.Time, bool) {
		since, ok := onAir[name]
		return since, ok
	}
	mux := http.NewServeMux()
	mux.Handle("/hls/", http.StripPrefix("/hls", teststream.Handler(live, time.Now)))

	for _, target := range []string{
		"/hls/webinar-42/index.m3u8",
		"/hls/webinar-42/0.ts",
		"/hls/webinar-42/1000.ts", // not yet
		"/hls/webinar-7/index.m3u8",
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		fmt.Println(target, rec.Code, rec.Header().Get("Content-Type"))
	}
	// Output:
	// /hls/webinar-42/index.m3u8 200 application/vnd.apple.mpegurl
	// /hls/webinar-42/0.ts 200 video/mp2t
	// /hls/webinar-42/1000.ts 404 text/plain; charset=utf-8
	// /hls/webinar-7/index.m3u8 404 text/plain; charset=utf-8
}
