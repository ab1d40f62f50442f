// Command demo is a small webinar portal built on bbbcast: presenters
// create, start and run webinars, the audience watches the HLS stream and
// chats back, admins manage the gateways. With no set-up it runs on the
// embedded fakes (bbbtest, sipmediagwtest) and SQLite; flags switch it to
// a real BigBlueButton and real SIPMediaGW gateways. See README.md.
//
// Usage:
//
//	make demo                      # from the repository root: npm ci, then go run
//	go run ./examples/demo [flags] # once hls.js is installed
//
// The flags, each with an environment variable, are listed by -h.
package main
