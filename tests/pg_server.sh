#!/usr/bin/env bash
# A throw-away PostgreSQL server for one test run:  tests/pg_server.sh COMMAND [ARGS...]
#
# Installs Debian's postgresql when it is missing, creates a cluster in a temporary folder,
# starts it on a private socket folder and port, exports RD_TEST_PG_URL (the superuser's
# libpq URI; tests create their own databases and roles from it), runs COMMAND, and stops
# the server and removes the folder whatever happens (trap). `make test` and `.ci/run` use it.
#
# initdb and pg_ctl refuse to run as root, so as root they run as the `postgres` user.
# Local (socket) connections are trusted: the server exists only for this run and only the
# socket folder's owner and root can reach it. TCP on 127.0.0.1 asks for a SCRAM password,
# which is how the tests prove that passwords reach libpq through .pgpass / PGPASSFILE only.
set -euo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

pg_bin() {
    local pg_ctl
    pg_ctl=$(ls -d /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$pg_ctl" ] && dirname "$pg_ctl"
}

if [ -z "$(pg_bin)" ]; then
    echo "pg_server: installing Debian's postgresql (needed by the server tests)" >&2
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql postgresql-client >/dev/null
fi
BIN=$(pg_bin)

as_server_user() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

WORK=$(mktemp -d /tmp/rd-pg.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/sock"
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$WORK" "$WORK/sock"; fi

stop_server() {
    as_server_user "$BIN/pg_ctl" -D "$WORK/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap stop_server EXIT INT TERM

as_server_user "$BIN/initdb" -D "$WORK/data" -U postgres -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 --no-sync >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; exit 1; }

# A free port: several runs (and other servers) may share this machine.
started=
for _ in $(seq 1 20); do
    PORT=$((20000 + RANDOM % 20000))
    if as_server_user "$BIN/pg_ctl" -D "$WORK/data" -l "$WORK/server.log" -w -t 60 start \
        -o "-p $PORT -k $WORK/sock -c listen_addresses=127.0.0.1 -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >/dev/null 2>&1; then
        started=1
        break
    fi
done
if [ -z "$started" ]; then
    echo "pg_server: could not start PostgreSQL; its log:" >&2
    cat "$WORK/server.log" >&2 || true
    exit 1
fi

export RD_TEST_PG_URL="postgresql://postgres@/postgres?host=$WORK/sock&port=$PORT"
export RD_TEST_PG_TCP="127.0.0.1:$PORT"
export RD_TEST_PG_BIN="$BIN"
export RD_TEST_PG_REQUIRED=1  # a broken server fails the run instead of skipping its tests
echo "pg_server: $("$BIN/postgres" --version) on $WORK/sock port $PORT" >&2
set +e
"$@"
status=$?
exit $status
