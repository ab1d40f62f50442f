package teststream

import (
	"bytes"
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The loop, as generate.sh made the files in segments/.
const (
	// SegmentDuration is the duration of every segment: 50 frames at
	// 25 fps, starting with an IDR frame.
	SegmentDuration = 2 * time.Second
	// Segments is the number of distinct segments in the loop.
	Segments = 4
	// Loop is the duration of the loop, after which the pattern restarts
	// behind an EXT-X-DISCONTINUITY.
	Loop = Segments * SegmentDuration
	// Window is the largest number of segments a playlist lists, 10 s:
	// RFC 8216 asks a live playlist for at least three target durations
	// plus the segment about to leave it, and hls.js starts three target
	// durations behind the live edge.
	Window = 5
)

// Content types of the answers.
const (
	// PlaylistContentType is the Content-Type of a playlist.
	PlaylistContentType = "application/vnd.apple.mpegurl"
	// SegmentContentType is the Content-Type of a segment.
	SegmentContentType = "video/mp2t"
)

//go:embed segments/*.ts
var segmentFS embed.FS

// segments[i] is the file seg<i>.ts.
var segments = func() [Segments][]byte {
	var s [Segments][]byte
	for i := range s {
		b, err := segmentFS.ReadFile(fmt.Sprintf("segments/seg%d.ts", i))
		if err != nil {
			panic("teststream: " + err.Error())
		}
		s[i] = b
	}
	return s
}()

// lastAvailable is the media sequence number of the newest segment a stream
// on air since since has available at now: the newest completed one, or
// segment 0 while none is completed, so that a player can start at once.
func lastAvailable(since, now time.Time) int64 {
	// Sub saturates, so the quotient is at most about 4.6e9.
	completed := int64(now.Sub(since) / SegmentDuration)
	if completed < 1 {
		return 0
	}
	return completed - 1
}

// window returns the media sequence numbers of the first and last segments
// of the playlist at now of a stream on air since since.
func window(since, now time.Time) (first, last int64) {
	last = lastAvailable(since, now)
	return max(0, last-Window+1), last
}

// discontinuitySequence returns the EXT-X-DISCONTINUITY-SEQUENCE of a
// playlist whose first segment is seq: the number of loop restarts strictly
// before seq. A restart at seq itself is the EXT-X-DISCONTINUITY the
// playlist lists before seq, so seq's discontinuity sequence number is
// seq / Segments either way.
func discontinuitySequence(seq int64) int64 {
	if seq == 0 {
		return 0
	}
	return (seq - 1) / Segments
}

// Playlist returns the live HLS media playlist at now of a stream that went
// on air at since: a sliding window of the last Window completed segments,
// or of segment 0 alone while none is completed (also when now is before
// since). Segment URIs are relative, "<seq>.ts".
func Playlist(since, now time.Time) []byte {
	first, last := window(since, now)
	target := int64((SegmentDuration + time.Second - 1) / time.Second)
	extinf := strconv.FormatFloat(SegmentDuration.Seconds(), 'f', 3, 64)

	var b bytes.Buffer
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n")
	fmt.Fprintf(&b, "#EXT-X-TARGETDURATION:%d\n", target)
	fmt.Fprintf(&b, "#EXT-X-MEDIA-SEQUENCE:%d\n", first)
	fmt.Fprintf(&b, "#EXT-X-DISCONTINUITY-SEQUENCE:%d\n", discontinuitySequence(first))
	for seq := first; seq <= last; seq++ {
		if seq > 0 && seq%Segments == 0 {
			b.WriteString("#EXT-X-DISCONTINUITY\n")
		}
		fmt.Fprintf(&b, "#EXTINF:%s,\n%d.ts\n", extinf, seq)
	}
	return b.Bytes()
}

// Handler serves live HLS streams of the test pattern:
//
//	GET /{name}/index.m3u8   the live media playlist, see Playlist
//	GET /{name}/{seq}.ts     the segment of media sequence number seq
//
// live reports whether the stream name is on air and since when; a stream
// that is not on air answers 404 to both, as an HLS origin with no
// publisher does. So does a segment that is not available yet (see
// Playlist), or a seq that is not a canonical non-negative decimal int64.
// now is the clock; nil means time.Now. live must not be nil.
//
// HEAD is answered as GET, other methods with 405 and an Allow header.
// Every answer allows any origin (Access-Control-Allow-Origin: *); a
// playlist must not be cached, a segment may be for an hour since the bytes
// of a seq never change. Mount the handler under a prefix with
// http.StripPrefix.
func Handler(live func(name string) (since time.Time, ok bool), now func() time.Time) http.Handler {
	if live == nil {
		panic("teststream: Handler with a nil live func")
	}
	if now == nil {
		now = time.Now
	}
	onAir := func(r *http.Request) (time.Time, bool) {
		name := r.PathValue("name")
		// The mux only matches one path segment, but an escaped "/"
		// (%2F) is one.
		if name == "" || name == "." || name == ".." || strings.Contains(name, "/") {
			return time.Time{}, false
		}
		return live(name)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /{name}/index.m3u8", func(w http.ResponseWriter, r *http.Request) {
		since, ok := onAir(r)
		if !ok {
			notFound(w, r)
			return
		}
		body := Playlist(since, now())
		h := w.Header()
		h.Set("Content-Type", PlaylistContentType)
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
	})
	mux.HandleFunc("GET /{name}/{segment}", func(w http.ResponseWriter, r *http.Request) {
		seq, ok := parseSegment(r.PathValue("segment"))
		if !ok {
			notFound(w, r)
			return
		}
		since, ok := onAir(r)
		if !ok || seq > lastAvailable(since, now()) {
			notFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", SegmentContentType)
		h.Set("Cache-Control", "public, max-age=3600")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(segments[seq%Segments]))
	})

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		// Answers of the mux itself (404, 405) are not to be cached
		// either; the playlist and segment handlers override this.
		h.Set("Cache-Control", "no-store")
		mux.ServeHTTP(w, r)
	})
}

// parseSegment parses "<seq>.ts" where seq is a non-negative decimal int64
// written without sign or leading zeros, so that each segment has one URI.
func parseSegment(s string) (int64, bool) {
	digits, ok := strings.CutSuffix(s, ".ts")
	if !ok || digits == "" || digits[0] < '0' || digits[0] > '9' {
		return 0, false
	}
	seq, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || seq < 0 || strconv.FormatInt(seq, 10) != digits {
		return 0, false
	}
	return seq, true
}

// notFound answers 404, not to be cached: the segment or the stream may
// well exist a moment later.
func notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	http.NotFound(w, r)
}
