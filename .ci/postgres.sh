#!/usr/bin/env bash
# Starts a throwaway PostgreSQL on 127.0.0.1 for the store/postgres tests
# and prints its DSN. PostgreSQL refuses to run as root: the cluster runs
# as the "postgres" user. Installs Debian's postgresql package when the
# server binaries are missing.
#   usage: DSN=$(bash .ci/postgres.sh DIR PORT)
set -euo pipefail
dir=${1:-/tmp/bbbcast-pg}
port=${2:-55432}

find_bin() {
	command -v "$1" 2>/dev/null && return
	ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1
}
if [ -z "$(find_bin initdb)" ] || [ -z "$(find_bin pg_ctl)" ]; then
	apt-get update -qq >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
initdb=$(find_bin initdb)
pg_ctl=$(find_bin pg_ctl)
run_as=()
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres >&2
	run_as=(runuser -u postgres --)
fi

# A server left running in dir by an earlier call is stopped first.
if [ -f "$dir/data/postmaster.pid" ]; then
	"${run_as[@]}" "$pg_ctl" -D "$dir/data" -m fast stop >&2 || true
fi
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
"${run_as[@]}" "$initdb" -D "$dir/data" -A trust -U postgres --no-sync >&2
"${run_as[@]}" "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
	-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2
echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
