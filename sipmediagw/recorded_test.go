package sipmediagw

import (
	"net/http"
	"sync"
	"testing"

	"github.com/jarcoal/httpmock"

	"github.com/bbbcast/bbbcast/internal/smgwfixture"
)

// realScenarios are the exchanges recorded against the real releases
// (testdata/real, see its README).
var realScenarios = sync.OnceValues(func() (map[string]smgwfixture.Scenario, error) {
	return smgwfixture.LoadDir("testdata/real")
})

// realExchange returns the recorded exchange of a scenario, such as
// realExchange(t, "v1.8.4/proxy-lifecycle", "status-after-poll").
func realExchange(t *testing.T, scenario, exchange string) smgwfixture.Exchange {
	t.Helper()
	all, err := realScenarios()
	if err != nil {
		t.Fatal(err)
	}
	s, ok := all[scenario]
	if !ok {
		t.Fatalf("no recorded scenario %s", scenario)
	}
	return s.Exchange(exchange)
}

// recorded answers as the real server did, headers and body as recorded.
func recorded(e smgwfixture.Exchange) httpmock.Responder {
	return func(*http.Request) (*http.Response, error) {
		r := httpmock.NewStringResponse(e.Response.Status, e.Response.Body)
		for k, v := range e.Response.HTTPHeader() {
			if k != "Content-Length" && k != "Transfer-Encoding" {
				r.Header[k] = v
			}
		}
		return r, nil
	}
}
