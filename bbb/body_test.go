package bbb

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// bodyOf is an answer whose body is r, announcing length n (-1: none).
func bodyOf(r io.Reader, n int64) *http.Response {
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(r), ContentLength: n}
}

// pattern is n bytes that are not all alike, so a misplaced chunk shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26 + i/readChunkSize%3)
	}
	return b
}

// oneByteReader returns its data a byte at a time, as a slow connection.
type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) { return o.r.Read(p[:min(len(p), 1)]) }

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestReadBody(t *testing.T) {
	t.Parallel()
	for _, size := range []int{0, 1, 100, readChunkSize - 1, readChunkSize, readChunkSize + 1, 3*readChunkSize + 17, 158_000} {
		want := pattern(size)
		for _, tc := range []struct {
			name string
			resp *http.Response
		}{
			{"announced", bodyOf(bytes.NewReader(want), int64(size))},
			{"not announced", bodyOf(bytes.NewReader(want), -1)},
			{"announced, byte by byte", bodyOf(oneByteReader{bytes.NewReader(want)}, int64(size))},
			{"not announced, byte by byte", bodyOf(oneByteReader{bytes.NewReader(want)}, -1)},
			// A transport that announces less than it sends.
			{"announced too short", bodyOf(bytes.NewReader(want), int64(max(size/2, 1)))},
		} {
			got, err := readBody(tc.resp)
			require.NoError(t, err, "%s, %d bytes", tc.name, size)
			require.Equal(t, string(want), got, "%s, %d bytes", tc.name, size)
		}
	}
}

func TestReadBodyErrors(t *testing.T) {
	t.Parallel()
	// A truncated answer is an error, not a shorter body, whether its
	// length was announced or not.
	for _, n := range []int64{-1, 2 * readChunkSize} {
		for _, size := range []int{10, readChunkSize, readChunkSize + 10} {
			_, err := readBody(bodyOf(&failingReader{pattern(size), io.ErrUnexpectedEOF}, n))
			require.ErrorIs(t, err, io.ErrUnexpectedEOF, "length %d, %d bytes", n, size)
		}
	}
	// Announced over the limit: refused without reading.
	_, err := readBody(bodyOf(&failingReader{err: errors.New("read")}, maxBody+1))
	require.ErrorIs(t, err, errBodyTooLarge)
	// Over the limit without (or despite) an announced length.
	for _, n := range []int64{-1, 100} {
		_, err := readBody(bodyOf(io.LimitReader(zeros{}, maxBody+1), n))
		require.ErrorIs(t, err, errBodyTooLarge, "length %d", n)
	}
	// Exactly the limit is read.
	got, err := readBody(bodyOf(io.LimitReader(zeros{}, maxBody), -1))
	require.NoError(t, err)
	require.Len(t, got, maxBody)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// An answer is read into one allocation: the string the parser cuts its
// texts from.
func TestReadBodyAllocatesOnce(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop its chunks at random")
	}
	doc := pattern(158_000)
	r := bytes.NewReader(doc)
	resp := bodyOf(r, int64(len(doc)))
	allocs := testing.AllocsPerRun(20, func() {
		r.Reset(doc)
		if s, err := readBody(resp); err != nil || len(s) != len(doc) {
			t.Fatal(len(s), err)
		}
	})
	assert.Equal(t, 1.0, allocs)
	// Without a length too, the chunks coming from a pool.
	resp.ContentLength = -1
	allocs = testing.AllocsPerRun(20, func() {
		r.Reset(doc)
		if s, err := readBody(resp); err != nil || len(s) != len(doc) {
			t.Fatal(len(s), err)
		}
	})
	assert.Equal(t, 1.0, allocs)
}

// The client maps an oversized answer to a *ResponseError, and reads the
// same meetings with and without an announced length.
func TestClientBodies(t *testing.T) {
	t.Parallel()
	doc := renderGetMeetings(genMeetings(genBenchSpec), genBreakoutFlat)
	want, err := decodeGetMeetings(doc)
	require.NoError(t, err)
	for _, known := range []bool{true, false} {
		c, err := NewClient("https://bbb.example.org/bigbluebutton", "0123456789abcdef", WithRetries(0),
			WithHTTPClient(&http.Client{Transport: answerTransport{doc, known}}))
		require.NoError(t, err)
		got, err := c.GetMeetings(context.Background())
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	big := []byte(strings.Repeat(" ", maxBody+1))
	for _, known := range []bool{true, false} {
		c, err := NewClient("https://bbb.example.org/bigbluebutton", "0123456789abcdef", WithRetries(0),
			WithHTTPClient(&http.Client{Transport: answerTransport{big, known}}))
		require.NoError(t, err)
		_, err = c.GetMeetings(context.Background())
		var re *ResponseError
		require.ErrorAs(t, err, &re)
		assert.Contains(t, re.Reason, "larger than 64 MiB")
	}
}
