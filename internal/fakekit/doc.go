// Package fakekit holds what the fake servers (bbbtest, sipmediagwtest)
// share beside their protocols: a notifier that lets tests wait without
// sleeping, a ring buffer for request logs, and random strings.
package fakekit
