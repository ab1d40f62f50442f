package bbb

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
)

// answerTransport answers every request in process with body, announcing
// its length or not (as a chunked or transparently gunzipped answer).
type answerTransport struct {
	body        []byte
	knownLength bool
}

func (t answerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := int64(-1)
	h := http.Header{"Content-Type": {"text/xml;charset=utf-8"}}
	if t.knownLength {
		n = int64(len(t.body))
		h.Set("Content-Length", strconv.Itoa(len(t.body)))
	}
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(t.body)), ContentLength: n, Request: r,
	}, nil
}

// BenchmarkGetMeetings runs Client.GetMeetings on the 158 KB answer of
// testdata/getmeetings_50x5x3.xml, served in process (no sockets), with
// and without a Content-Length. answer-B/op is the bytes allocated per
// byte of answer: reading, parsing and decoding included.
func BenchmarkGetMeetings(b *testing.B) {
	doc, err := os.ReadFile(filepath.Join("testdata", "getmeetings_50x5x3.xml"))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		known bool
	}{{"content-length", true}, {"unknown-length", false}} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := NewClient("https://bbb.example.org/bigbluebutton", "0123456789abcdef",
				WithHTTPClient(&http.Client{Transport: answerTransport{doc, bc.known}}))
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(doc)))
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ms, err := c.GetMeetings(ctx)
				if err != nil || len(ms) != genBenchSpec.meetings {
					b.Fatal(len(ms), err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(len(doc)), "answer-B/op")
		})
	}
}
