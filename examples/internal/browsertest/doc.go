// Package browsertest starts the headless Chromium the examples' browser
// tests drive with chromedp, the same way for each: the browser to run,
// whether a missing one skips or fails the test, where screenshots go.
//
// Environment:
//   - BBBCAST_CHROMIUM: the browser to run (default: chromium, then
//     chromium-browser, on $PATH).
//   - BBBCAST_REQUIRE_BROWSER=1: fail, rather than skip, when the browser
//     (or what else a test needs) is missing; run even with -short. CI
//     sets it.
//   - BBBCAST_ARTIFACTS=DIR: save screenshots in DIR; without it they go
//     to the test's artifact directory, kept with go test -artifacts
//     -outputdir=DIR.
package browsertest
