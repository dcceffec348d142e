#!/usr/bin/env bash
# Install the real PostgreSQL client stacks used by the pgtls client-behaviour
# matrix (issue 12): pgJDBC, node-postgres, psycopg 3, asyncpg and pgx v4.
#
# Idempotent and quick when everything is already there. Exits 0 even when a
# stack fails to install; it then prints
#   clients: WARNING: <stack> not installed: <why>
# and run.sh reports that stack as missing.
#
# Everything lands under $PGTLS_CLIENTS_PREFIX (default /opt/pgtls/clients)
# and the venv $PGTLS_VENV (default /opt/pgtls/venv), plus Debian packages.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=${PGTLS_CLIENTS_PREFIX:-/opt/pgtls/clients}
VENV=${PGTLS_VENV:-/opt/pgtls/venv}
export DEBIAN_FRONTEND=noninteractive

# Pinned versions (README.md records what was tested).
PG_NPM_VERSION=8.23.1
PSYCOPG_VERSION=3.3.9
ASYNCPG_VERSION=0.32.0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

log() { echo "clients: $*" >&2; }
warn() { echo "clients: WARNING: $1 not installed: $2" >&2; }

# Stamp of a runner source, so a changed runner is rebuilt.
src_sum() { sha256sum "$@" | sha256sum | cut -c1-16; }

APT_UPDATED=0
# apt_need PKG... : install the Debian packages that are not installed yet.
apt_need() {
    local missing=() p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "apt-get update"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
        APT_UPDATED=1
    fi
    log "apt-get install ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/pgtls-clients-apt.log 2>&1 \
        || { tail -n 5 /tmp/pgtls-clients-apt.log >&2; return 1; }
}

$SUDO mkdir -p "$PREFIX"
if [ -n "$SUDO" ]; then $SUDO chown "$(id -u):$(id -g)" "$PREFIX"; fi

# ---------------------------------------------------------------- pgJDBC
install_jdbc() {
    apt_need libpostgresql-jdbc-java default-jre-headless || { warn jdbc "apt-get install libpostgresql-jdbc-java default-jre-headless failed"; return; }
    [ -f /usr/share/java/postgresql.jar ] || { warn jdbc "/usr/share/java/postgresql.jar missing"; return; }
    local out="$PREFIX/jdbc" sum
    sum=$(src_sum "$HERE/jdbc/Runner.java")
    if [ -f "$out/Runner.class" ] && [ "$(cat "$out/.stamp" 2>/dev/null)" = "$sum" ]; then return; fi
    mkdir -p "$out"
    # Compile once. Debian's JRE image carries the jdk.compiler module, so no
    # JDK package is needed: run javac's main class through `java`.
    java -m jdk.compiler/com.sun.tools.javac.Main -d "$out" "$HERE/jdbc/Runner.java" 2>"$out/compile.log" \
    || { command -v javac >/dev/null 2>&1 && javac -d "$out" "$HERE/jdbc/Runner.java" 2>"$out/compile.log"; } \
    || {
        # Last resort: a JDK.
        apt_need default-jdk-headless && javac -d "$out" "$HERE/jdbc/Runner.java" 2>"$out/compile.log"
    } || { warn jdbc "compiling Runner.java failed: $(head -c 300 "$out/compile.log")"; return; }
    echo "$sum" >"$out/.stamp"
}

# ---------------------------------------------------------------- node-postgres
install_node() {
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        apt_need nodejs npm || { warn node "node/npm missing and apt-get install nodejs npm failed"; return; }
    fi
    local out="$PREFIX/node" have
    have=$(node -p "require('$out/node_modules/pg/package.json').version" 2>/dev/null || true)
    if [ "$have" != "$PG_NPM_VERSION" ]; then
        mkdir -p "$out"
        [ -f "$out/package.json" ] || echo '{"name":"pgtls-client-node","private":true}' >"$out/package.json"
        (cd "$out" && npm install --no-audit --no-fund --loglevel=error --save-exact "pg@$PG_NPM_VERSION" >"$out/npm.log" 2>&1) \
            || { warn node "npm install pg@$PG_NPM_VERSION failed: $(tail -n 3 "$out/npm.log" | tr '\n' ' ')"; return; }
    fi
}

# ---------------------------------------------------------------- psycopg + asyncpg
install_python() {
    if [ ! -x "$VENV/bin/python" ]; then
        $SUDO mkdir -p "$(dirname "$VENV")"
        python3 -m venv "$VENV" >/dev/null 2>&1 || {
            apt_need python3-venv && /usr/bin/python3 -m venv "$VENV"
        } || { warn psycopg "cannot create venv $VENV"; warn asyncpg "cannot create venv $VENV"; return; }
    fi
    local py="$VENV/bin/python"
    if ! "$py" - "$PSYCOPG_VERSION" <<'EOF' 2>/dev/null
import sys, importlib.metadata as m
sys.exit(0 if m.version("psycopg") == sys.argv[1] and m.version("psycopg-binary") == sys.argv[1] else 1)
EOF
    then
        "$py" -m pip install -q --disable-pip-version-check "psycopg[binary]==$PSYCOPG_VERSION" >"$PREFIX/pip-psycopg.log" 2>&1 \
            || warn psycopg "pip install psycopg[binary]==$PSYCOPG_VERSION failed: $(tail -n 2 "$PREFIX/pip-psycopg.log" | tr '\n' ' ')"
    fi
    if ! "$py" - "$ASYNCPG_VERSION" <<'EOF' 2>/dev/null
import sys, importlib.metadata as m
sys.exit(0 if m.version("asyncpg") == sys.argv[1] else 1)
EOF
    then
        "$py" -m pip install -q --disable-pip-version-check "asyncpg==$ASYNCPG_VERSION" >"$PREFIX/pip-asyncpg.log" 2>&1 \
            || warn asyncpg "pip install asyncpg==$ASYNCPG_VERSION failed: $(tail -n 2 "$PREFIX/pip-asyncpg.log" | tr '\n' ' ')"
    fi
}

# ---------------------------------------------------------------- pgx v4
install_pgx() {
    apt_need golang-go golang-github-jackc-pgx-v4-dev || { warn pgx "apt-get install golang-go golang-github-jackc-pgx-v4-dev failed"; return; }
    local out="$PREFIX/pgx-runner" sum
    sum=$(src_sum "$HERE/pgx/main.go" /usr/share/gocode/src/github.com/jackc/pgx/v4/conn.go)
    if [ -x "$out" ] && [ "$(cat "$PREFIX/go/.stamp" 2>/dev/null)" = "$sum" ]; then return; fi
    mkdir -p "$PREFIX/go/cache" "$PREFIX/go/src/pgx-runner"
    cp "$HERE/pgx/main.go" "$PREFIX/go/src/pgx-runner/main.go"
    # GOPATH mode against Debian's /usr/share/gocode; nothing is downloaded.
    (cd "$PREFIX/go/src/pgx-runner" && \
        env GO111MODULE=off GOFLAGS= GOPROXY=off GOPATH="$PREFIX/go:/usr/share/gocode" GOCACHE="$PREFIX/go/cache" \
            go build -ldflags "-X main.pgxVersion=$(dpkg-query -W -f='${Version}' golang-github-jackc-pgx-v4-dev) -X main.pgconnVersion=$(dpkg-query -W -f='${Version}' golang-github-jackc-pgconn-dev)" \
                -o "$out" . >"$PREFIX/go/build.log" 2>&1) \
        || { warn pgx "go build failed: $(head -c 400 "$PREFIX/go/build.log")"; return; }
    echo "$sum" >"$PREFIX/go/.stamp"
}

# ---------------------------------------------------------------- Npgsql
# No .NET runtime in Debian bookworm and NuGet is not reachable: skipped (README).

install_jdbc
install_node
install_python
install_pgx
log "done ($PREFIX)"
exit 0
