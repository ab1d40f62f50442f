package main

import (
	"net/http"
	"strings"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// demoFault is a failure the fake servers can be made to have, to see
// the health check say it in words. Each is what the real failure looks
// like from the portal: the fakes answer as a misconfigured or broken
// server does.
type demoFault struct {
	name, label, hint string
}

var demoFaults = []demoFault{
	{"bbb-secret", "BBB: the shared secret is wrong",
		"BBB answers checksumError to every signed call, as it does when the portal signs with another secret."},
	{"bbb-html", "BBB: a web page instead of the API",
		"An HTML page answers at the API's URL, as when the URL names the site rather than …/bigbluebutton."},
	{"bbb-proxy", "BBB: down behind its proxy",
		"The proxy in front of BBB answers 502 Bad Gateway."},
	{"gateway-token", "Gateway 1: the token is wrong",
		"The first fake gateway answers 401, as SIPMediaGW does for a token it does not know."},
	{"gateway-crash", "Gateway 1: the launcher crashes",
		"The first fake gateway answers its crash page (HTTP 500)."},
	{"hls", "HLS: the stream's playlist is missing",
		"Every HLS URL answers 404, streaming or not: start a webinar to see the error (while nothing streams, a 404 is normal)."},
	{"callback", "PublicURL: the callbacks are not forwarded",
		"The portal answers 404 under " + servicePath + "/callback/ and /bot/, as a reverse proxy that forwards only the pages would."},
}

// signedCalls are the BBB calls the portal signs, which a wrong secret
// breaks (the API root needs no checksum).
var signedCalls = []string{"create", "join", "end", "isMeetingRunning", "getMeetingInfo", "getMeetings",
	"sendChatMessage", "getRecordings"}

const badGatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

const siteHomePage = "<!DOCTYPE html>\n<html lang=\"en\"><head><title>Welcome</title></head><body><h1>Our university</h1></body></html>\n"

// faultOn tells whether the failure is on.
func (f *fakes) faultOn(name string) bool {
	f.faultMu.Lock()
	defer f.faultMu.Unlock()
	return f.faults[name]
}

// setFault turns the failure on or off; false when there is no such
// failure.
func (f *fakes) setFault(name string, on bool) bool {
	known := false
	for _, d := range demoFaults {
		known = known || d.name == name
	}
	if !known {
		return false
	}
	f.faultMu.Lock()
	defer f.faultMu.Unlock()
	if f.faults == nil {
		f.faults = map[string]bool{}
	}
	f.faults[name] = on
	f.applyFaultsLocked()
	return true
}

// applyFaultsLocked injects the failures that are on into the fake
// servers, afresh.
func (f *fakes) applyFaultsLocked() {
	f.bbb.ClearFaults()
	for _, g := range f.gws {
		g.ClearFaults()
	}
	if f.faults["bbb-secret"] {
		for _, call := range signedCalls {
			f.bbb.Fail(call, bbbtest.Fault{Key: "checksumError", Message: "Checksums do not match"})
		}
	}
	if f.faults["bbb-html"] {
		f.bbb.Fail(bbbtest.AllCalls, bbbtest.Fault{Status: http.StatusOK, Body: siteHomePage, ContentType: "text/html; charset=utf-8"})
	}
	if f.faults["bbb-proxy"] {
		f.bbb.Fail(bbbtest.AllCalls, bbbtest.Fault{Status: http.StatusBadGateway, Body: badGatewayPage})
	}
	if len(f.gws) > 0 {
		if f.faults["gateway-token"] {
			f.gws[0].Fail(sipmediagwtest.AllOps, sipmediagwtest.Fault{Kind: sipmediagwtest.Unauthorized})
		}
		if f.faults["gateway-crash"] {
			f.gws[0].Fail(sipmediagwtest.AllOps, sipmediagwtest.Fault{Kind: sipmediagwtest.HTML500})
		}
	}
}

// faultyHLS answers 404 while the "hls" failure is on.
func (f *fakes) faultyHLS(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f.faultOn("hls") {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// unforwarded answers 404 under the callback and bot paths while the
// "callback" failure is on.
func (f *fakes) unforwarded(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if f.faultOn("callback") && (strings.HasPrefix(p, servicePath+"/callback/") || strings.HasPrefix(p, servicePath+"/bot/")) {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}
