package teststream_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/examples/demo/internal/teststream"
)

// t0 is when the test streams went on air.
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

// playlist is a parsed live media playlist.
type playlist struct {
	version, target      int64
	mediaSeq, discSeq    int64
	hasMediaSeq, hasDisc bool
	segments             []segment
}

// segment is one entry of a playlist.
type segment struct {
	seq           int64 // from the URI
	uri           string
	duration      float64 // seconds, from EXTINF
	discontinuity bool    // an EXT-X-DISCONTINUITY precedes it
}

// parsePlaylist parses the subset of RFC 8216 the package writes, strictly:
// any other tag, a tag out of place or a live playlist's EXT-X-ENDLIST is
// an error.
func parsePlaylist(b []byte) (playlist, error) {
	var (
		p           playlist
		pendingInf  *float64
		pendingDisc bool
	)
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 0; sc.Scan(); n++ {
		line := sc.Text()
		if n == 0 {
			if line != "#EXTM3U" {
				return p, fmt.Errorf("first line %q", line)
			}
			continue
		}
		integer := func(prefix string) (int64, error) {
			v, err := strconv.ParseInt(strings.TrimPrefix(line, prefix), 10, 64)
			if err != nil || v < 0 {
				return 0, fmt.Errorf("line %d %q: bad integer", n+1, line)
			}
			if len(p.segments) > 0 || pendingInf != nil || pendingDisc {
				return 0, fmt.Errorf("line %d %q: after a segment", n+1, line)
			}
			return v, nil
		}
		var err error
		switch {
		case line == "":
			return p, fmt.Errorf("line %d: empty", n+1)
		case strings.HasPrefix(line, "#EXT-X-VERSION:"):
			p.version, err = integer("#EXT-X-VERSION:")
		case strings.HasPrefix(line, "#EXT-X-TARGETDURATION:"):
			p.target, err = integer("#EXT-X-TARGETDURATION:")
		case strings.HasPrefix(line, "#EXT-X-MEDIA-SEQUENCE:"):
			p.mediaSeq, err = integer("#EXT-X-MEDIA-SEQUENCE:")
			p.hasMediaSeq = true
		case strings.HasPrefix(line, "#EXT-X-DISCONTINUITY-SEQUENCE:"):
			p.discSeq, err = integer("#EXT-X-DISCONTINUITY-SEQUENCE:")
			p.hasDisc = true
		case line == "#EXT-X-DISCONTINUITY":
			if pendingDisc || pendingInf != nil {
				return p, fmt.Errorf("line %d: misplaced discontinuity", n+1)
			}
			pendingDisc = true
		case strings.HasPrefix(line, "#EXTINF:"):
			durStr, ok := strings.CutSuffix(strings.TrimPrefix(line, "#EXTINF:"), ",")
			d, perr := strconv.ParseFloat(durStr, 64)
			if !ok || perr != nil || pendingInf != nil {
				return p, fmt.Errorf("line %d %q: bad EXTINF", n+1, line)
			}
			pendingInf = &d
		case strings.HasPrefix(line, "#"):
			return p, fmt.Errorf("line %d %q: unexpected tag", n+1, line)
		default:
			if pendingInf == nil {
				return p, fmt.Errorf("line %d %q: URI without EXTINF", n+1, line)
			}
			digits, ok := strings.CutSuffix(line, ".ts")
			seq, perr := strconv.ParseInt(digits, 10, 64)
			if !ok || perr != nil {
				return p, fmt.Errorf("line %d %q: bad URI", n+1, line)
			}
			p.segments = append(p.segments, segment{seq: seq, uri: line, duration: *pendingInf, discontinuity: pendingDisc})
			pendingInf, pendingDisc = nil, false
		}
		if err != nil {
			return p, err
		}
	}
	if !bytes.HasSuffix(b, []byte("\n")) {
		return p, errors.New("no final newline")
	}
	if pendingInf != nil || pendingDisc {
		return p, errors.New("tags after the last URI")
	}
	return p, nil
}

// checkPlaylist checks the invariants every playlist of the package holds.
func checkPlaylist(t testing.TB, p playlist) {
	t.Helper()
	require.Equal(t, int64(3), p.version)
	require.True(t, p.hasMediaSeq, "EXT-X-MEDIA-SEQUENCE")
	require.True(t, p.hasDisc, "EXT-X-DISCONTINUITY-SEQUENCE")
	require.NotEmpty(t, p.segments)
	require.LessOrEqual(t, len(p.segments), teststream.Window)
	discs := int64(0)
	for i, s := range p.segments {
		require.Equal(t, p.mediaSeq+int64(i), s.seq, "consecutive sequence numbers")
		require.Equal(t, strconv.FormatInt(s.seq, 10)+".ts", s.uri)
		require.InDelta(t, teststream.SegmentDuration.Seconds(), s.duration, 1e-9)
		require.LessOrEqual(t, math.Ceil(s.duration), float64(p.target), "target duration")
		wrap := s.seq > 0 && s.seq%teststream.Segments == 0
		require.Equal(t, wrap, s.discontinuity, "discontinuity before %d", s.seq)
		if s.discontinuity {
			discs++
		}
		// The discontinuity sequence number of a segment does not depend
		// on the playlist it is read from.
		require.Equal(t, s.seq/teststream.Segments, p.discSeq+discs, "discontinuity sequence number of %d", s.seq)
	}
}

func mustParse(t testing.TB, b []byte) playlist {
	t.Helper()
	p, err := parsePlaylist(b)
	require.NoError(t, err, "%s", b)
	checkPlaylist(t, p)
	return p
}

func seqs(p playlist) []int64 {
	var s []int64
	for _, seg := range p.segments {
		s = append(s, seg.seq)
	}
	return s
}

func discontinuities(p playlist) []int64 {
	var s []int64
	for _, seg := range p.segments {
		if seg.discontinuity {
			s = append(s, seg.seq)
		}
	}
	return s
}

func TestLoopConstants(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 8*time.Second, teststream.Loop)
	assert.Equal(t, teststream.Segments*teststream.SegmentDuration, teststream.Loop)
	// RFC 8216 6.2.2: at least three target durations remain when the
	// oldest segment leaves the playlist.
	assert.GreaterOrEqual(t, time.Duration(teststream.Window-1)*teststream.SegmentDuration, 3*teststream.SegmentDuration.Round(time.Second))
}

func TestPlaylistText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		elapsed time.Duration
		want    string
	}{
		{0, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n" +
			"#EXTINF:2.000,\n0.ts\n"},
		{20 * time.Second, "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:5\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n" +
			"#EXTINF:2.000,\n5.ts\n#EXTINF:2.000,\n6.ts\n#EXTINF:2.000,\n7.ts\n" +
			"#EXT-X-DISCONTINUITY\n#EXTINF:2.000,\n8.ts\n#EXTINF:2.000,\n9.ts\n"},
	}
	for _, tt := range tests {
		t.Run(tt.elapsed.String(), func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, string(teststream.Playlist(t0, t0.Add(tt.elapsed))))
		})
	}
}

func TestPlaylist(t *testing.T) {
	t.Parallel()
	const ms = time.Millisecond
	tests := []struct {
		name      string
		elapsed   time.Duration
		wantSeqs  []int64
		wantDiscs []int64 // segments preceded by EXT-X-DISCONTINUITY
		wantDSeq  int64   // EXT-X-DISCONTINUITY-SEQUENCE
	}{
		{"now before since", -5 * time.Second, []int64{0}, nil, 0},
		{"on air", 0, []int64{0}, nil, 0},
		{"first segment not complete", 2000*ms - 1, []int64{0}, nil, 0},
		{"first segment complete", 2000 * ms, []int64{0}, nil, 0},
		{"second segment not complete", 4000*ms - 1, []int64{0}, nil, 0},
		{"second segment complete", 4000 * ms, []int64{0, 1}, nil, 0},
		{"last of the first loop", 8000 * ms, []int64{0, 1, 2, 3}, nil, 0},
		{"first wrap", 10000 * ms, []int64{0, 1, 2, 3, 4}, []int64{4}, 0},
		{"window full, slides", 12000 * ms, []int64{1, 2, 3, 4, 5}, []int64{4}, 0},
		{"just before the slide", 12000*ms - 1, []int64{0, 1, 2, 3, 4}, []int64{4}, 0},
		{"wrap is the first segment", 16000 * ms, []int64{3, 4, 5, 6, 7}, []int64{4}, 0},
		{"wrap first, second wrap last", 18000 * ms, []int64{4, 5, 6, 7, 8}, []int64{4, 8}, 0},
		{"first wrap left the window", 20000 * ms, []int64{5, 6, 7, 8, 9}, []int64{8}, 1},
		{"second wrap first", 26000 * ms, []int64{8, 9, 10, 11, 12}, []int64{8, 12}, 1},
		{"an hour", time.Hour, []int64{1795, 1796, 1797, 1798, 1799}, []int64{1796}, 448},
		{"a day and a bit", 24*time.Hour + 4321*ms, []int64{43197, 43198, 43199, 43200, 43201}, []int64{43200}, 10799},
		{"saturated", time.Duration(math.MaxInt64), []int64{4611686013, 4611686014, 4611686015, 4611686016, 4611686017}, []int64{4611686016}, 1152921503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := mustParse(t, teststream.Playlist(t0, t0.Add(tt.elapsed)))
			assert.Equal(t, tt.wantSeqs, seqs(p))
			assert.Equal(t, tt.wantDiscs, discontinuities(p))
			assert.Equal(t, tt.wantDSeq, p.discSeq)
			assert.Equal(t, int64(2), p.target)
		})
	}
}

// TestPlaylistSlides walks three loops and a bit in steps of 50 ms, hitting
// every segment boundary: the window only moves forward, by one segment at
// each completion and never between them.
func TestPlaylistSlides(t *testing.T) {
	t.Parallel()
	const step = 50 * time.Millisecond
	prev := mustParse(t, teststream.Playlist(t0, t0))
	for elapsed := step; elapsed <= 3*teststream.Loop+5*time.Second; elapsed += step {
		p := mustParse(t, teststream.Playlist(t0, t0.Add(elapsed)))
		last, prevLast := p.segments[len(p.segments)-1].seq, prev.segments[len(prev.segments)-1].seq
		completed := int64(elapsed / teststream.SegmentDuration)
		if elapsed%teststream.SegmentDuration == 0 && completed >= 2 {
			require.Equal(t, prevLast+1, last, "at %v a segment completes", elapsed)
		} else {
			require.Equal(t, prevLast, last, "at %v no segment completes", elapsed)
		}
		require.Equal(t, max(completed-1, 0), last, "at %v", elapsed)
		require.GreaterOrEqual(t, p.mediaSeq, prev.mediaSeq, "at %v", elapsed)
		require.GreaterOrEqual(t, p.discSeq, prev.discSeq, "at %v", elapsed)
		require.LessOrEqual(t, p.mediaSeq-prev.mediaSeq, int64(1), "at %v", elapsed)
		require.Equal(t, max(0, last-teststream.Window+1), p.mediaSeq, "at %v", elapsed)
		prev = p
	}
}

// onAir is a live func over a fixed set of streams that records the names
// it was asked about.
type onAir struct {
	mu      sync.Mutex
	streams map[string]time.Time
	asked   []string
}

func (o *onAir) live(name string) (time.Time, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.asked = append(o.asked, name)
	since, ok := o.streams[name]
	return since, ok
}

func get(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func readSegment(t testing.TB, i int64) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("segments", fmt.Sprintf("seg%d.ts", i)))
	require.NoError(t, err)
	return b
}

func TestHandler(t *testing.T) {
	t.Parallel()
	streams := &onAir{streams: map[string]time.Time{
		"live":   t0,                       // 21 s on air: segments 0 to 9
		"fresh":  t0.Add(21 * time.Second), // just on air: segment 0 only
		"future": t0.Add(time.Hour),        // the live func's clock is ahead
	}}
	h := teststream.Handler(streams.live, func() time.Time { return t0.Add(21 * time.Second) })

	tests := []struct {
		method, target string
		wantStatus     int
		wantSegment    int64 // the file expected for a 200 segment
	}{
		{"GET", "/live/0.ts", 200, 0},
		{"GET", "/live/1.ts", 200, 1},
		{"GET", "/live/3.ts", 200, 3},
		{"GET", "/live/4.ts", 200, 0},
		{"GET", "/live/9.ts", 200, 1},
		{"HEAD", "/live/9.ts", 200, 1},
		{"GET", "/live/10.ts", 404, 0},
		{"GET", "/live/11.ts", 404, 0},
		{"GET", "/live/9223372036854775807.ts", 404, 0},
		{"GET", "/live/9223372036854775808.ts", 404, 0},
		{"GET", "/live/99999999999999999999999.ts", 404, 0},
		{"GET", "/live/-1.ts", 404, 0},
		{"GET", "/live/+1.ts", 404, 0},
		{"GET", "/live/01.ts", 404, 0},
		{"GET", "/live/1", 404, 0},
		{"GET", "/live/1.mp4", 404, 0},
		{"GET", "/live/.ts", 404, 0},
		{"GET", "/live/1.ts.ts", 404, 0},
		{"GET", "/live/0x1.ts", 404, 0},
		{"GET", "/live/1_0.ts", 404, 0},
		{"GET", "/live/%201.ts", 404, 0},
		{"GET", "/fresh/0.ts", 200, 0},
		{"GET", "/fresh/1.ts", 404, 0},
		{"GET", "/future/0.ts", 200, 0},
		{"GET", "/future/1.ts", 404, 0},
		{"GET", "/off/0.ts", 404, 0},
		{"HEAD", "/off/0.ts", 404, 0},
		{"GET", "/off/index.m3u8", 404, 0},
		{"GET", "/live/index.m3u8", 200, 0},
		{"HEAD", "/live/index.m3u8", 200, 0},
		{"GET", "/fresh/index.m3u8", 200, 0},
		{"GET", "/future/index.m3u8", 200, 0},
		{"GET", "/index.m3u8", 404, 0},
		{"GET", "/live", 404, 0},
		{"GET", "/live/", 404, 0},
		{"GET", "/live/sub/index.m3u8", 404, 0},
		{"GET", "/live/sub/0.ts", 404, 0},
		{"GET", "/a%2Flive/index.m3u8", 404, 0},
		{"GET", "/a%2Flive/0.ts", 404, 0},
		{"GET", "/live%2F/0.ts", 404, 0},
		{"POST", "/live/index.m3u8", 405, 0},
		{"PUT", "/live/0.ts", 405, 0},
		{"DELETE", "/off/index.m3u8", 405, 0},
		{"OPTIONS", "/live/index.m3u8", 405, 0},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			t.Parallel()
			rec := get(h, tt.method, tt.target)
			require.Equal(t, tt.wantStatus, rec.Code, rec.Body.String())
			hdr := rec.Header()
			assert.Equal(t, "*", hdr.Get("Access-Control-Allow-Origin"))
			switch {
			case tt.wantStatus == 405:
				assert.Equal(t, "GET, HEAD", hdr.Get("Allow"))
			case tt.wantStatus == 404:
				assert.Equal(t, "no-store", hdr.Get("Cache-Control"))
			case strings.HasSuffix(tt.target, ".m3u8"):
				assert.Equal(t, "application/vnd.apple.mpegurl", hdr.Get("Content-Type"))
				assert.Equal(t, "no-cache", hdr.Get("Cache-Control"))
				name := strings.Split(tt.target, "/")[1]
				since := streams.streams[name]
				want := teststream.Playlist(since, t0.Add(21*time.Second))
				assert.Equal(t, strconv.Itoa(len(want)), hdr.Get("Content-Length"))
				if tt.method == "HEAD" {
					assert.Empty(t, rec.Body.Bytes())
				} else {
					assert.Equal(t, string(want), rec.Body.String())
				}
			default:
				assert.Equal(t, "video/mp2t", hdr.Get("Content-Type"))
				assert.Equal(t, "public, max-age=3600", hdr.Get("Cache-Control"))
				want := readSegment(t, tt.wantSegment)
				assert.Equal(t, strconv.Itoa(len(want)), hdr.Get("Content-Length"))
				if tt.method == "HEAD" {
					assert.Empty(t, rec.Body.Bytes())
				} else {
					assert.True(t, bytes.Equal(want, rec.Body.Bytes()), "segment bytes differ from seg%d.ts", tt.wantSegment)
				}
			}
		})
	}
	t.Cleanup(func() {
		for _, name := range streams.asked {
			assert.NotContains(t, name, "/", "live asked about a name with a slash")
		}
	})
}

func TestHandlerNotOnAir(t *testing.T) {
	t.Parallel()
	// A stream goes off air and on again: 404 while off, the playlist
	// starts over from segment 0 when on.
	var (
		mu    sync.Mutex
		since time.Time
		on    bool
		clock = t0
	)
	h := teststream.Handler(func(name string) (time.Time, bool) {
		mu.Lock()
		defer mu.Unlock()
		return since, on && name == "s"
	}, func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	})
	set := func(s time.Time, o bool, c time.Time) {
		mu.Lock()
		defer mu.Unlock()
		since, on, clock = s, o, c
	}

	assert.Equal(t, 404, get(h, "GET", "/s/index.m3u8").Code)
	assert.Equal(t, 404, get(h, "GET", "/s/0.ts").Code)

	set(t0, true, t0.Add(30*time.Second))
	assert.Equal(t, []int64{10, 11, 12, 13, 14}, seqs(mustParse(t, get(h, "GET", "/s/index.m3u8").Body.Bytes())))
	assert.Equal(t, 200, get(h, "GET", "/s/14.ts").Code)

	set(t0, false, t0.Add(31*time.Second))
	assert.Equal(t, 404, get(h, "GET", "/s/index.m3u8").Code)
	assert.Equal(t, 404, get(h, "GET", "/s/14.ts").Code)

	set(t0.Add(40*time.Second), true, t0.Add(40*time.Second))
	assert.Equal(t, []int64{0}, seqs(mustParse(t, get(h, "GET", "/s/index.m3u8").Body.Bytes())))
	assert.Equal(t, 200, get(h, "GET", "/s/0.ts").Code)
	assert.Equal(t, 404, get(h, "GET", "/s/1.ts").Code)
}

func TestHandlerNilClock(t *testing.T) {
	t.Parallel()
	since := time.Now().Add(-time.Minute)
	h := teststream.Handler(func(string) (time.Time, bool) { return since, true }, nil)
	p := mustParse(t, get(h, "GET", "/x/index.m3u8").Body.Bytes())
	last := p.segments[len(p.segments)-1].seq
	assert.GreaterOrEqual(t, last, int64(28), "a minute on air with time.Now")
	assert.Equal(t, 200, get(h, "GET", fmt.Sprintf("/x/%d.ts", last)).Code)
	assert.Panics(t, func() { teststream.Handler(nil, nil) })
}

// TestPlaylistURIsFetchable plays the stream as a client would: fetch the
// playlist, resolve each URI against it and fetch the segment, over real
// HTTP under a prefix.
func TestPlaylistURIsFetchable(t *testing.T) {
	t.Parallel()
	for _, elapsed := range []time.Duration{0, 3 * time.Second, 10 * time.Second, 18*time.Second + 700*time.Millisecond, 20 * time.Second, 7 * time.Hour} {
		t.Run(elapsed.String(), func(t *testing.T) {
			t.Parallel()
			h := teststream.Handler(func(string) (time.Time, bool) { return t0, true }, func() time.Time { return t0.Add(elapsed) })
			mux := http.NewServeMux()
			mux.Handle("/hls/", http.StripPrefix("/hls", h))
			srv := httptest.NewServer(mux)
			defer srv.Close()

			fetch := func(url string) (*http.Response, []byte) {
				resp, err := srv.Client().Get(url)
				require.NoError(t, err)
				defer func() { _ = resp.Body.Close() }()
				var body bytes.Buffer
				_, err = body.ReadFrom(resp.Body)
				require.NoError(t, err)
				return resp, body.Bytes()
			}
			base := srv.URL + "/hls/stream-1/"
			resp, body := fetch(base + "index.m3u8")
			require.Equal(t, 200, resp.StatusCode)
			p := mustParse(t, body)
			for _, s := range p.segments {
				assert.Equal(t, teststream.SegmentDuration.Seconds(), s.duration)
				resp, body := fetch(base + s.uri)
				require.Equal(t, 200, resp.StatusCode, s.uri)
				require.True(t, bytes.Equal(readSegment(t, s.seq%teststream.Segments), body), s.uri)
			}
			// The next segment is not there yet.
			resp, _ = fetch(base + strconv.FormatInt(p.segments[len(p.segments)-1].seq+1, 10) + ".ts")
			assert.Equal(t, 404, resp.StatusCode)
		})
	}
}

// TestSegmentFiles checks the committed media against the constants: each
// of the Segments files is MPEG-TS, holds SegmentDuration of 25 fps H.264
// video with consecutive timestamps, and starts with an IDR frame preceded
// by its SPS and PPS, so a player can start at any segment.
func TestSegmentFiles(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("segments", "*"))
	require.NoError(t, err)
	require.Len(t, files, teststream.Segments)
	total := 0
	for i := range int64(teststream.Segments) {
		total += len(readSegment(t, i))
	}
	assert.Less(t, total, 400_000, "total size of the segments")
	for i := range int64(teststream.Segments) {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			b := readSegment(t, i)
			require.NotEmpty(t, b)
			require.Zero(t, len(b)%188, "whole 188-byte packets")
			for off := 0; off < len(b); off += 188 {
				require.Equal(t, byte(0x47), b[off], "sync byte at %d", off)
			}
			pts, firstAU := videoPES(t, b)
			const fps = 25
			require.Len(t, pts, int(teststream.SegmentDuration.Seconds()*fps), "frames")
			for j := 1; j < len(pts); j++ {
				require.Equal(t, int64(90000/fps), pts[j]-pts[j-1], "PTS step at frame %d", j)
			}
			types := nalTypes(firstAU)
			require.Contains(t, types, 7, "SPS in the first access unit")
			require.Contains(t, types, 8, "PPS in the first access unit")
			require.Contains(t, types, 5, "IDR slice in the first access unit")
			require.NotContains(t, types, 1, "non-IDR slice in the first access unit")
		})
	}
}

// videoPES returns the PTS (90 kHz) of every video PES packet of an MPEG-TS
// file, and the payload of the first one.
func videoPES(t testing.TB, b []byte) (pts []int64, first []byte) {
	t.Helper()
	videoPID, inFirst := -1, false
	for off := 0; off+188 <= len(b); off += 188 {
		pkt := b[off : off+188]
		pusi := pkt[1]&0x40 != 0
		pid := int(pkt[1]&0x1f)<<8 | int(pkt[2])
		payload := pkt[4:]
		switch pkt[3] >> 4 & 3 {
		case 1:
		case 3:
			payload = payload[1+int(payload[0]):]
		default:
			continue
		}
		if pusi && len(payload) >= 14 && bytes.Equal(payload[:3], []byte{0, 0, 1}) && payload[3]&0xf0 == 0xe0 {
			require.True(t, videoPID == -1 || videoPID == pid, "one video stream")
			videoPID = pid
			require.NotZero(t, payload[7]&0x80, "PES with PTS")
			p := payload[9:14]
			pts = append(pts, int64(p[0]>>1&7)<<30|int64(p[1])<<22|int64(p[2]>>1)<<15|int64(p[3])<<7|int64(p[4]>>1))
			inFirst = len(pts) == 1
			if inFirst {
				first = append(first, payload[9+int(payload[8]):]...)
			}
			continue
		}
		if inFirst && pid == videoPID {
			first = append(first, payload...)
		}
	}
	require.NotEqual(t, -1, videoPID, "a video stream")
	return pts, first
}

// nalTypes returns the types of the H.264 NAL units of an Annex B stream.
func nalTypes(au []byte) []int {
	var types []int
	for i := 0; i+3 < len(au); i++ {
		if au[i] == 0 && au[i+1] == 0 && au[i+2] == 1 {
			types = append(types, int(au[i+3]&0x1f))
			i += 3
		}
	}
	return types
}

func FuzzPlaylist(f *testing.F) {
	s := int64(time.Second)
	for _, seed := range [][2]int64{
		{0, 0}, {0, 2 * s}, {0, 4*s - 1}, {0, 10 * s}, {0, 18 * s}, {0, 20 * s},
		{5 * s, 0}, {-3 * s, 17*s + 1}, {0, math.MaxInt64}, {math.MinInt64, math.MaxInt64},
		{math.MaxInt64, math.MinInt64}, {math.MinInt64, 0},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, sinceOffset, nowOffset int64) {
		since, now := t0.Add(time.Duration(sinceOffset)), t0.Add(time.Duration(nowOffset))
		p := mustParse(t, teststream.Playlist(since, now))
		first, last := p.segments[0].seq, p.segments[len(p.segments)-1].seq
		completed := int64(now.Sub(since) / teststream.SegmentDuration)
		require.Equal(t, max(completed-1, 0), last, "the newest completed segment, or 0")
		require.Equal(t, max(0, last-teststream.Window+1), first, "a full window when there are enough")

		// The handler serves every listed segment and not the next one.
		h := teststream.Handler(func(string) (time.Time, bool) { return since, true }, func() time.Time { return now })
		for _, seq := range []int64{first, last} {
			rec := get(h, "GET", fmt.Sprintf("/s/%d.ts", seq))
			require.Equal(t, 200, rec.Code, "segment %d", seq)
		}
		require.Equal(t, 404, get(h, "HEAD", fmt.Sprintf("/s/%d.ts", last+1)).Code)
	})
}
