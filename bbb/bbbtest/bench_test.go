package bbbtest_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

// benchURLs returns signed isMeetingRunning and getMeetingInfo URLs for a
// meeting with two attendees.
func benchURLs(b *testing.B, srv *bbbtest.Server) []string {
	b.Helper()
	create(b, srv, "bench-meeting", "meta_origin", "bench")
	mustJoin(b, srv, "bench-meeting", "Alice", "MODERATOR")
	mustJoin(b, srv, "bench-meeting", "Bob", "VIEWER")
	return []string{
		srv.SignedURL("isMeetingRunning", q("meetingID", "bench-meeting")),
		srv.SignedURL("getMeetingInfo", q("meetingID", "bench-meeting")),
		srv.SignedURL("isMeetingRunning", q("meetingID", "unknown-meeting")),
	}
}

// BenchmarkServerVerifiedRequests measures the fake's throughput for
// checksum-verified requests over keep-alive loopback connections, client
// included.
func BenchmarkServerVerifiedRequests(b *testing.B) {
	srv := start(b, bbbtest.WithRequestLogSize(1024))
	urls := benchURLs(b, srv)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxIdleConns: 256}}
	defer client.CloseIdleConnections()
	var failures atomic.Int64
	// Eight client goroutines on two cores keep the server busy while
	// others wait on the loopback.
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 4096)
		i := 0
		for pb.Next() {
			resp, err := client.Get(urls[i%len(urls)])
			i++
			if err != nil {
				failures.Add(1)
				continue
			}
			n, _ := io.ReadFull(resp.Body, buf)
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			// A refused checksum is a 200 too: count only verified answers.
			if resp.StatusCode != http.StatusOK || !bytes.Contains(buf[:n], []byte("<returncode>SUCCESS</returncode>")) {
				failures.Add(1)
			}
		}
	})
	b.StopTimer()
	if n := failures.Load(); n > 0 {
		b.Fatalf("%d failed requests", n)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkHandler measures the handler alone, without HTTP transport.
func BenchmarkHandler(b *testing.B) {
	srv := start(b, bbbtest.WithRequestLogSize(1024))
	urls := benchURLs(b, srv)
	reqs := make([]*http.Request, len(urls))
	for i, u := range urls {
		reqs[i] = httptest.NewRequest(http.MethodGet, u, nil)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			w := httptest.NewRecorder()
			srv.ServeHTTP(w, reqs[i%len(reqs)])
			i++
			if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), []byte("<returncode>SUCCESS</returncode>")) {
				b.Error(w.Code, w.Body.String())
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
