// Package classroom is a tiny host application with a BigBlueButton
// integration, written to show how a host tests such code with the fake
// BBB server of package bbbtest.
//
// The application (classroom.go) is what a course portal has: a
// Classroom opens one meeting per course, hands out teacher and student
// links, tells whether a class is in session, closes it, and serves the
// end-of-meeting callback BBB sends, signed with bbb.CallbackSigner.
// Errors worth a retry (BBB unreachable, a proxy's 502 page) are marked
// with ErrUnavailable.
//
// The tests (classroom_test.go) are the point. They show the idioms to
// copy into a host's own tests:
//
//   - one bbbtest.NewServer per test, closed with t.Cleanup, and
//     srv.Client() as the application's *bbb.Client, so tests run in
//     parallel without sharing state;
//   - assertions on what BBB holds rather than on the requests made:
//     srv.Meeting (name, metadata, callback URL, attendees, ended), after
//     srv.OpenJoinURL has opened a link the way a browser does;
//   - the request log, srv.RequestsFor("create"), for what the state does
//     not show (how many creates, their parameters), with checksums and
//     passwords shown as bbbtest.Redacted;
//   - a *bbbtest.JoinError for a link BBB refuses;
//   - the end callback on a mock clock (bbbtest.WithClock): the host's
//     handler on an httptest server, srv.WaitCallbacks to wait for an
//     attempt, clock.Add to run BBB's retry, no sleep;
//   - injected faults (srv.Fail with a bbbtest.Fault) for the host's
//     error handling, and srv.WaitDelayed for a slow server;
//   - bbbtest.WithVersion to run the same test against every BBB release
//     the host supports.
package classroom
