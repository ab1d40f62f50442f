#!/usr/bin/env bash
# The README's curl session against the fakebbb command (issue 14): start
# the fake, create a meeting signed in the shell, join it, list it through
# the control API, end it, stop the fake with SIGTERM. Fails on any
# unexpected answer. Needs Go, curl, sha1sum and sha256sum. The fake
# listens on a free loopback port (the README uses 127.0.0.1:8090).
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d /tmp/bbbcast-fakebbb.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
	echo "fakebbb session: $*" >&2
	exit 1
}

# expect NAME PATTERN TEXT: TEXT must contain PATTERN (a fixed string).
expect() {
	case "$3" in
	*"$2"*) ;;
	*) fail "$1: want $2 in: $3" ;;
	esac
}

go build -o "$tmp/fakebbb" ./bbb/bbbtest/fakebbb

# Build and start the fake as the README does (there on 127.0.0.1:8090).
"$tmp/fakebbb" -addr 127.0.0.1:0 -secret s3cret >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do
	[ -s "$tmp/out" ] && break
	kill -0 "$pid" 2>/dev/null || fail "the fake exited: $(cat "$tmp/err")"
	sleep 0.1
done
line=$(head -n 1 "$tmp/out")
expect "start line" "Secret: s3cret (BBB 3.0.0" "$line"
BBB=$(sed -n 's|^fakebbb: URL: \(http://[^ ]*\)/bigbluebutton/ .*|\1|p' <<<"$line")
[ -n "$BBB" ] || fail "no URL in: $line"
SECRET=s3cret

# --- the README's session, from here on ---

# Where webhooks and the recording-ready callback go: your app's receiver;
# here the fake's own API root, which answers 200. URL-encoded for queries.
RCV=$(printf '%s' "$BBB/bigbluebutton/api" | sed 's/:/%3A/g; s|/|%2F|g')

# Register a webhook for every event (bbb-webhooks' hooks/create).
q="callbackURL=$RCV"
sum=$(printf '%s' "hooks/create$q$SECRET" | sha1sum | cut -d' ' -f1)
out=$(curl -sS "$BBB/bigbluebutton/api/hooks/create?$q&checksum=$sum")
expect "hooks/create" "<returncode>SUCCESS</returncode><hookID>1</hookID>" "$out"

# Create a recorded meeting, signed with SHA-1: sha1(call + query + secret).
q="name=Demo&meetingID=demo&moderatorPW=mp&attendeePW=ap&record=true&autoStartRecording=true&meta_bbb-recording-ready-url=$RCV"
sum=$(printf '%s' "create$q$SECRET" | sha1sum | cut -d' ' -f1)
out=$(curl -sS "$BBB/bigbluebutton/api/create?$q&checksum=$sum")
expect create "<returncode>SUCCESS</returncode><meetingID>demo</meetingID>" "$out"

# Join as Ada, signed with SHA-256: a 302 to the HTML5 client, which adds
# Ada when it is opened (-L).
q='fullName=Ada&meetingID=demo&role=MODERATOR'
sum=$(printf '%s' "join$q$SECRET" | sha256sum | cut -d' ' -f1)
out=$(curl -sS -o /dev/null -w '%{http_code} %{redirect_url}' "$BBB/bigbluebutton/api/join?$q&checksum=$sum")
expect join "302 $BBB/html5client/join?sessionToken=" "$out"
out=$(curl -sS -L -o /dev/null -w '%{http_code}' "$BBB/bigbluebutton/api/join?$q&checksum=$sum")
expect "join, followed" "200" "$out"

# A wrong checksum is refused as BBB does.
out=$(curl -sS "$BBB/bigbluebutton/api/getMeetings?checksum=0123456789abcdef0123456789abcdef01234567")
expect "bad checksum" "<messageKey>checksumError</messageKey>" "$out"

# Bob joins through the control API.
out=$(curl -sS -H 'Content-Type: application/json' \
	-d '{"meetingID":"demo","fullName":"Bob","role":"VIEWER"}' "$BBB/_control/join")
expect "control join" '{"userID":"w_' "$out"

# List the meetings and their attendees.
out=$(curl -sS "$BBB/_control/meetings")
expect "control meetings" '"meetingID":"demo"' "$out"
expect "control meetings" '"running":true' "$out"
expect "control meetings" '"participantCount":2' "$out"
expect "control meetings" '"fullName":"Ada","role":"MODERATOR"' "$out"
expect "control meetings" '"fullName":"Bob","role":"VIEWER"' "$out"

# End the meeting.
out=$(curl -sS -H 'Content-Type: application/json' -d '{"meetingID":"demo"}' "$BBB/_control/end")
expect "control end" '{"ok":true}' "$out"
out=$(curl -sS "$BBB/_control/meeting?meetingID=demo")
expect "after the end" '"running":false,"hasUserJoined":true,"ended":true' "$out"

# The recording is processed, then published (after -recording-delay, 500 ms).
for _ in $(seq 50); do
	out=$(curl -sS "$BBB/_control/recordings")
	case "$out" in *'"state":"published"'*) break ;; esac
	sleep 0.1
done
expect "control recordings" '"meetingID":"demo"' "$out"
expect "control recordings" '"state":"published"' "$out"
q='meetingID=demo'
sum=$(printf '%s' "getRecordings$q$SECRET" | sha1sum | cut -d' ' -f1)
out=$(curl -sS "$BBB/bigbluebutton/api/getRecordings?$q&checksum=$sum")
expect getRecordings "<published>true</published>" "$out"
expect getRecordings "<rawSize>" "$out"
expect getRecordings "<preview><images><image " "$out"

# What the fake posted: webhook events, then the recording-ready callback.
for _ in $(seq 50); do
	out=$(curl -sS "$BBB/_control/deliveries")
	case "$out" in *'"kind":"recording-ready"'*) break ;; esac
	sleep 0.1
done
for ev in meeting-created user-joined meeting-ended rap-publish-ended; do
	expect "control deliveries" "\"event\":\"$ev\"" "$out"
done
expect "control deliveries" '"kind":"recording-ready"' "$out"
expect "control deliveries" '"statusCode":200' "$out"

# --- end of the README's session ---

# An unknown meeting is a 404 with a JSON error.
out=$(curl -sS -w ' %{http_code}' -H 'Content-Type: application/json' -d '{"meetingID":"nope"}' "$BBB/_control/end")
expect "control end, unknown meeting" '{"error":"bbbtest: no such meeting"}' "$out"
expect "control end, unknown meeting" ' 404' "$out"

# SIGTERM stops the fake cleanly.
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
[ "$rc" = 0 ] || fail "the fake exited with $rc after SIGTERM: $(cat "$tmp/err")"
echo "fakebbb session: ok"
