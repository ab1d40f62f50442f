// Package botflow replays, in headless Chromium, what each SIPMediaGW
// bot release does in BigBlueButton's HTML5 client, against a
// webinar.Service, the fake BBB server of bbbtest (its meeting room
// carries the client's controls the bot drives) and the fake gateway of
// sipmediagwtest of the same release. It checks that the join URL the
// bot page hands each release (its userdata) lets that release go
// through all its steps: join, microphone, camera, chat.
//
// The steps are those of the released bot, release by release (see
// flows.go; each step names the file and tag it comes from in
// github.com/Renater/SIPMediaGW):
//
//   - v1.5.1 and v1.6.0 (browsing/bigbluebutton.py, Selenium): cookie,
//     name into #id_name and submit; the audio modal's "Microphone", the
//     device select, the echo test's "Join audio"; the camera button,
//     quality "high", "Start sharing"; the chat's toggle, input and send
//     button.
//   - v1.7.0 (browsing/bigbluebutton.py, Selenium): cookie, name into
//     #joinFormName and submit; the action bar's "Join audio"; the camera
//     as above, clicking "Start sharing" until it is gone; the chat.
//   - v1.8.4 (browsing/bigbluebutton.py with assets/uihelper.js and
//     assets/bigbluebutton.js, clicks dispatched by script): name into
//     #joinFormName and its submit button, a URL with sessionToken; the
//     audio modal and its echo test, the session-details modal, the
//     camera with quality "medium"; the chat as the script's typeText.
//
// The Selenium releases click as Selenium does: real mouse events at the
// element's in-view centre, refused with "element click intercepted …
// is not clickable at point" when another element (a modal's overlay)
// would receive the click, and retried as the release's tryClick
// retries. v1.8.4's clicks are dispatched events, which no overlay
// intercepts. Waits keep the bot's conditions (presence, Selenium's
// clickable, uihelper's visible and clickable) with timeouts divided by
// timeScale; a step the bot would not get through fails the test. Each
// release ends with its chat message in the fake meeting's public chat
// and the bot among the attendees, as a viewer named "streaming".
//
// Run it with
//
//	BBBCAST_REQUIRE_BROWSER=1 go test ./examples/botflow/
//
// from the repository root. Environment, as for examples/demo's browser
// test:
//
//   - BBBCAST_CHROMIUM: the browser to run (default: chromium on $PATH).
//   - BBBCAST_REQUIRE_BROWSER=1: fail, rather than skip, when the browser
//     is missing; run even with -short.
//   - BBBCAST_ARTIFACTS=DIR: save the screenshot of each release's final
//     page in DIR (RELEASE-bbbVERSION.png); without it they go to the
//     test's artifact directory, kept with go test -artifacts
//     -outputdir=DIR.
package botflow
