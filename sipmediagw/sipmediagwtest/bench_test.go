package sipmediagwtest_test

import (
	"context"
	"testing"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// BenchmarkStartStop measures a client Start and Stop round trip against
// the fake on loopback (two HTTP exchanges, keep-alive), per version. The
// V18 proxy frees a stopped gateway at its monitor's next pass: each
// iteration runs one with Poll.
func BenchmarkStartStop(b *testing.B) {
	for _, v := range sipmediagwtest.Versions {
		b.Run(string(v), func(b *testing.B) {
			srv := start(b, v, sipmediagwtest.WithRequestLogSize(64))
			c := srv.Client()
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
