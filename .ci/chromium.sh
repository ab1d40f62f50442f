#!/usr/bin/env bash
# Installs what the demo's browser test (examples/demo/browser_test.go)
# needs, when it is missing: Debian's Chromium, and Node.js with npm,
# which install the demo's player (hls.js) from its lockfile. Then prints
# their versions.
#   usage: bash .ci/chromium.sh
set -euo pipefail

missing=()
if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1; then
	missing+=(chromium)
fi
if ! command -v npm >/dev/null 2>&1; then
	missing+=(npm) # brings Debian's nodejs
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing ${missing[*]} (Debian)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

chromium --version 2>/dev/null
echo "node $(node --version), npm $(npm --version)"
