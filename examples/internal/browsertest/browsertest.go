package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// The environment variables.
const (
	EnvChromium       = "BBBCAST_CHROMIUM"
	EnvRequireBrowser = "BBBCAST_REQUIRE_BROWSER"
	EnvArtifacts      = "BBBCAST_ARTIFACTS"
)

// Required reports whether the browser test must run (BBBCAST_REQUIRE_BROWSER=1).
func Required() bool { return os.Getenv(EnvRequireBrowser) == "1" }

// Unavailable skips the test, or fails it where the browser test is
// required.
func Unavailable(t testing.TB, why string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s; %s=1 requires the browser test", why, EnvRequireBrowser)
	}
	t.Skip(why)
}

// ChromiumPath finds the browser: $BBBCAST_CHROMIUM, else chromium or
// chromium-browser on the path.
func ChromiumPath() (string, error) {
	if p := os.Getenv(EnvChromium); p != "" {
		return exec.LookPath(p)
	}
	var err error
	for _, name := range []string{"chromium", "chromium-browser"} {
		var p string
		if p, err = exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", err
}

// Chromium returns the browser to run, or skips the test (in -short mode,
// or when it is missing), failing it instead when it is required.
func Chromium(t testing.TB) string {
	t.Helper()
	if testing.Short() && !Required() {
		t.Skip("browser test skipped in -short mode")
	}
	p, err := ChromiumPath()
	if err != nil {
		Unavailable(t, fmt.Sprintf("Chromium not found (%v): apt-get install chromium, or set %s", err, EnvChromium))
	}
	return p
}

// Allocator starts headless Chromium at path under ctx, with a profile
// of its own in a temporary directory and what makes it quiet and quick
// on a CI machine, plus opts (window size, media flags). It is stopped
// when the test ends.
func Allocator(t testing.TB, ctx context.Context, path string, opts ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	all := append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter"),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		chromedp.UserDataDir(t.TempDir()),
	}, opts...)
	allocCtx, cancel := chromedp.NewExecAllocator(ctx, all...)
	t.Cleanup(cancel)
	return allocCtx
}

// ArtifactDir is $BBBCAST_ARTIFACTS (made when missing), else the test's
// artifact directory.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(EnvArtifacts)
	if dir == "" {
		return t.ArtifactDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
