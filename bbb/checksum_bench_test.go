package bbb

import "testing"

// verifyCases are requests a BBB server (or the fake) checks: a short
// isMeetingRunning and the 4-parameter create of BBB's documentation.
func verifyCases() []struct{ name, call, query string } {
	const running = "meetingID=webinar-2026-11-21-0042"
	var out []struct{ name, call, query string }
	for _, alg := range []Algorithm{SHA1, SHA256} {
		out = append(out,
			struct{ name, call, query string }{"isMeetingRunning/" + alg.String(), "isMeetingRunning",
				running + "&checksum=" + Sign(alg, "isMeetingRunning", running, docSecret)},
			struct{ name, call, query string }{"create/" + alg.String(), "create",
				docQuery + "&checksum=" + Sign(alg, "create", docQuery, docSecret)})
	}
	return out
}

// BenchmarkVerify checks the checksum of a valid request.
func BenchmarkVerify(b *testing.B) {
	for _, vc := range verifyCases() {
		b.Run(vc.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := Verify(vc.call, vc.query, docSecret); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
