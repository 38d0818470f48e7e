#!/usr/bin/env bash
# Throwaway PostgreSQL for the test suite, on 127.0.0.1:${JXC_PG_PORT:-55432}.
#
#   deploy/postgres-dev.sh         ensure the server is up; last stdout line is the SQLAlchemy URL
#   deploy/postgres-dev.sh stop    stop it (the data directory is kept)
#
# Everything except the URL goes to stderr so callers can do URL=$(deploy/postgres-dev.sh | tail -n1).
# Works as root (CI) or as the postgres user; needs no init system.
set -euo pipefail

PORT="${JXC_PG_PORT:-55432}"
BASE=/tmp/jxc-pg
DATA="$BASE/data"
LOG="$BASE/log"
URL="postgresql+psycopg://jxc:jxc@127.0.0.1:${PORT}/jxc_test"

# Stray PGHOST/PGUSER/PGOPTIONS/... from the caller's environment would redirect our admin connections.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^PG' || true)

log() { printf 'postgres-dev: %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# PostgreSQL refuses to run as root, so root drops to the postgres user.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

find_bindir() {
    # Match the major version an existing data directory was created with; otherwise take the newest.
    if [ -f "$DATA/PG_VERSION" ] && [ -x "/usr/lib/postgresql/$(cat "$DATA/PG_VERSION")/bin/initdb" ]; then
        echo "/usr/lib/postgresql/$(cat "$DATA/PG_VERSION")/bin"
        return
    fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1 || true)
    [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
    return 0
}

is_running() { [ -f "$DATA/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

log_tail() { log "server log ($LOG):"; tail -n 40 "$LOG" >&2 2>/dev/null || true; }

BIN=$(find_bindir)

if [ "${1:-}" = "stop" ]; then
    if [ -n "$BIN" ] && is_running; then
        as_pg "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >&2
    else
        log "not running"
    fi
    exit 0
elif [ $# -gt 0 ]; then
    die "usage: $0 [stop]"
fi

if [ -z "$BIN" ]; then
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL server binaries missing and not root to install them"
    log "installing postgresql via apt"
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql >&2
    BIN=$(find_bindir)
    [ -n "$BIN" ] || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
fi

mkdir -p "$BASE"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$BASE"
chmod 700 "$BASE"

# Serialise concurrent invocations (e.g. parallel test workers) so only one initdb/start happens.
exec 9>>"$BASE/.lock"
flock -w 120 9 || die "timed out waiting for $BASE/.lock"

if ! is_running; then
    if [ ! -f "$DATA/PG_VERSION" ]; then
        # No PG_VERSION means a missing or half-initialised directory; start clean.
        rm -rf "$DATA"
        log "initdb $DATA"
        # Trust only on the unix socket, which lives in the 0700 $BASE; TCP requires a password.
        # --no-sync: disposable data, same reasoning as fsync=off below.
        as_pg "$BIN/initdb" -D "$DATA" -U postgres -E UTF8 --locale=C \
            --auth-local=trust --auth-host=scram-sha-256 --no-sync >&2
    fi
    log "starting on 127.0.0.1:$PORT"
    # fsync/synchronous_commit/full_page_writes off: data is disposable, speed matters more than crash safety.
    # The socket goes in $BASE because /var/run/postgresql may not exist without an init system.
    # 9>&-: the postmaster must not inherit the lock fd, or it would hold the lock forever.
    if ! as_pg "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 30 start -o \
        "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$BASE -c max_connections=200 \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2 9>&-; then
        log_tail
        die "pg_ctl start failed"
    fi
fi

# A server left running by an earlier run with a different JXC_PG_PORT would never answer on $PORT.
running_port=$(sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true)
[ -z "$running_port" ] || [ "$running_port" = "$PORT" ] \
    || die "server in $DATA already runs on port $running_port; run '$0 stop' first"

# pg_ctl -w can return before TCP is accepting (or the server may be someone else's); check the real path.
for _ in $(seq 1 60); do
    as_pg "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" && break
    sleep 0.5
done
as_pg "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" || { log_tail; die "server not accepting connections on 127.0.0.1:$PORT"; }

# Re-checked on every run (cheap) so a crash between start and setup heals itself.
as_pg "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$BASE" -p "$PORT" -U postgres -d postgres >&2 <<'SQL'
SELECT 'CREATE ROLE jxc LOGIN CREATEDB PASSWORD ''jxc'''
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jxc') \gexec
SELECT 'CREATE DATABASE jxc_test OWNER jxc'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'jxc_test') \gexec
-- Tests drop their throwaway databases WITH (FORCE): let jxc end other roles' sessions on them.
GRANT pg_signal_backend TO jxc;
SQL

# Prove the exact credentials in the URL work over TCP before handing it out.
PGPASSWORD=jxc "$BIN/psql" -X -q -At -h 127.0.0.1 -p "$PORT" -U jxc -d jxc_test -c 'SELECT 1' >/dev/null \
    || { log_tail; die "cannot log in as jxc over TCP"; }

echo "$URL"
