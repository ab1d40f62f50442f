package sipmediagwtest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// BenchmarkStartStop measures a client Start and Stop round trip against
// the fake, per version: over loopback (two HTTP exchanges, keep-alive),
// and in process, the fake's handler called through a RoundTripper, which
// leaves the client's own cost plus the fake's handler. The V18 proxy
// frees a stopped gateway at its monitor's next pass: each iteration runs
// one with Poll.
func BenchmarkStartStop(b *testing.B) {
	for _, v := range sipmediagwtest.Versions {
		for _, transport := range []string{"loopback", "in-process"} {
			b.Run(string(v)+"/"+transport, func(b *testing.B) {
				srv := startClientServer(b, v, sipmediagwtest.WithRequestLogSize(64))
				var opts []sipmediagw.Option
				if transport == "in-process" {
					opts = append(opts, sipmediagw.WithHTTPClient(&http.Client{Transport: handlerTransport{srv}}))
				}
				c := srv.Client(opts...)
				p := startParams(v)
				ctx := context.Background()
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					s, err := c.Start(ctx, p)
					if err != nil {
						b.Fatal(err)
					}
					if err := c.Stop(ctx, s); err != nil {
						b.Fatal(err)
					}
					srv.Poll()
				}
			})
		}
	}
}

// handlerTransport answers requests with the server's handler, in process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, r)
	return w.Result(), nil
}
