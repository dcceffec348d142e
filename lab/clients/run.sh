#!/usr/bin/env bash
# Usage: run.sh STACK   (STACK: jdbc | node | psycopg | asyncpg | pgx)
# Execs the real-client runner for STACK: JSON cases on stdin, one JSON result
# per line on stdout (contract in README.md). Install first with install.sh.
#
# Every PG* environment variable (PGSSLMODE, PGSSLROOTCERT, PGPASSWORD, ...)
# is removed so that only the case's own settings count; each runner points
# HOME / user.home at the case's `home` per case.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=${PGTLS_CLIENTS_PREFIX:-/opt/pgtls/clients}
VENV=${PGTLS_VENV:-/opt/pgtls/venv}
stack=${1:?usage: run.sh jdbc|node|psycopg|asyncpg|pgx}

PGX_HOME=${PGTLS_PGX_HOME:-}
for v in $(env | sed -n 's/^\(PG[A-Z0-9_]*\)=.*/\1/p'); do unset "$v"; done

missing() { echo "clients: $stack runner not installed ($1); run lab/clients/install.sh" >&2; exit 3; }

case "$stack" in
  jdbc)
    [ -f "$PREFIX/jdbc/Runner.class" ] || missing "$PREFIX/jdbc/Runner.class"
    [ -f /usr/share/java/postgresql.jar ] || missing /usr/share/java/postgresql.jar
    # -Xshare/-XX flags keep JVM start-up small; one JVM serves the whole batch.
    exec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$PREFIX/jdbc:/usr/share/java/postgresql.jar" Runner
    ;;
  node)
    [ -f "$PREFIX/node/node_modules/pg/package.json" ] || missing "$PREFIX/node/node_modules/pg"
    NODE_PATH="$PREFIX/node/node_modules" exec node "$HERE/node/runner.js"
    ;;
  psycopg)
    [ -x "$VENV/bin/python" ] || missing "$VENV"
    exec "$VENV/bin/python" -B -u "$HERE/python/psycopg_runner.py"
    ;;
  asyncpg)
    [ -x "$VENV/bin/python" ] || missing "$VENV"
    exec "$VENV/bin/python" -B -u "$HERE/python/asyncpg_runner.py"
    ;;
  pgx)
    [ -x "$PREFIX/pgx-runner" ] || missing "$PREFIX/pgx-runner"
    # pgconn finds ~ through the passwd database, not $HOME, so a case's
    # `home` cannot reach it. PGTLS_PGX_HOME=DIR (root only) runs the runner in
    # a private mount namespace with DIR bind-mounted over the passwd home, for
    # the whole batch: group pgx cases by home and set this per batch.
    if [ -n "$PGX_HOME" ]; then
        pwhome=$(getent passwd "$(id -u)" | cut -d: -f6)
        [ -d "$PGX_HOME" ] && [ -d "$pwhome" ] || { echo "run.sh: PGTLS_PGX_HOME or passwd home $pwhome is not a directory" >&2; exit 2; }
        exec unshare -m sh -c 'mount --bind "$1" "$2" && exec "$3"' sh "$PGX_HOME" "$pwhome" "$PREFIX/pgx-runner"
    fi
    exec "$PREFIX/pgx-runner"
    ;;
  *)
    echo "run.sh: unknown stack '$stack' (jdbc|node|psycopg|asyncpg|pgx)" >&2
    exit 2
    ;;
esac
