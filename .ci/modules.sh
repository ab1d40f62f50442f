#!/usr/bin/env bash
# Checks the repository's module split (see go.work):
#   - every module's go.mod and go.sum are tidy, and it builds on its own;
#   - a consumer of the core module's bbb and bbbtest, on Go 1.25 (the
#     toolchain is fetched through the module proxy), resolves no SQLite,
#     pgx or chromedp in its module graph.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export GOWORK=off

for m in . store/sqlite store/postgres examples; do
	echo "module $m: tidy, builds alone"
	(cd "$m" && go mod tidy -diff && go build ./... && go vet ./... >/dev/null)
done

consumer=$(mktemp -d /tmp/bbbcast-consumer.XXXXXX)
trap 'rm -rf "$consumer"' EXIT
cat >"$consumer/go.mod" <<MOD
module example.org/consumer

go 1.25.0

require github.com/bbbcast/bbbcast v0.0.0

replace github.com/bbbcast/bbbcast => $repo
MOD
cat >"$consumer/consumer_test.go" <<'GO'
// Package consumer tests a BBB integration against the fake, as a host
// application's suite does.
package consumer

import (
	"context"
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestAgainstTheFake(t *testing.T) {
	srv := bbbtest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	if _, err := srv.Client().Create(ctx, &bbb.CreateParams{Name: "Webinar", MeetingID: "w-1"}); err != nil {
		t.Fatal(err)
	}
}
GO
cd "$consumer"
export GOTOOLCHAIN=go1.25.5
go mod tidy
echo "consumer of bbb and bbbtest: $(go version)"
go test ./...
if heavy=$(go list -m all | grep -E 'modernc\.org/sqlite|jackc/pgx|chromedp'); then
	echo "the core module pulls heavy dependencies into a consumer's graph:"
	echo "$heavy"
	exit 1
fi
echo "consumer's module graph: $(go list -m all | wc -l) modules, none of SQLite, pgx, chromedp"
