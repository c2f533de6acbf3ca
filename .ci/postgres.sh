#!/usr/bin/env bash
# Start a local PostgreSQL for Newsbrief's storage tests and print the URL to use.
#
#   export NEWSBRIEF_TEST_PG_URL="$(.ci/postgres.sh)"
#
# Installs Debian's `postgresql` with apt-get when it is missing, creates a cluster when there is
# none, starts it listening on 127.0.0.1, and makes a test user owning a test database. Safe to
# run again (and when PostgreSQL is already running). Needs root, or passwordless sudo.
# Progress goes to stderr; the only line on stdout is the URL.
#
# Settings (environment): NEWSBRIEF_PG_USER, NEWSBRIEF_PG_PASSWORD, NEWSBRIEF_PG_DB (all default
# to "newsbrief" / "newsbrief" / "newsbrief_test").
set -euo pipefail

PG_USER="${NEWSBRIEF_PG_USER:-newsbrief}"
PG_PASSWORD="${NEWSBRIEF_PG_PASSWORD:-newsbrief}"
PG_DB="${NEWSBRIEF_PG_DB:-newsbrief_test}"

log() { echo "postgres.sh: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo -n "$@"; fi
}

as_postgres() {
    # Runs a command as the postgres OS user (peer authentication on the local socket).
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -s /bin/sh -c "cd / && $(printf '%q ' "$@")"
    else
        sudo -n -u postgres "$@"
    fi
}

install_postgres() {
    if command -v pg_lsclusters >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        return
    fi
    log "installing postgresql with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq >&2
    as_root apt-get install -y -qq --no-install-recommends postgresql >&2
}

pg_version() {
    ls /usr/lib/postgresql | sort -V | tail -n 1
}

# Prints "NAME PORT" of the first cluster of a version (empty when there is none).
cluster_of() {
    pg_lsclusters -h | awk -v v="$1" '$1 == v {print $2, $3; exit}'
}

ensure_cluster() {
    local version="$1"
    if [ -z "$(cluster_of "$version")" ]; then
        log "creating cluster $version/main"
        as_root pg_createcluster "$version" main >&2
    fi
}

start_cluster() {
    local version="$1" name="$2" port="$3"
    if pg_isready -q -h 127.0.0.1 -p "$port"; then
        log "already running on 127.0.0.1:$port"
        return
    fi
    log "starting cluster $version/$name on 127.0.0.1:$port"
    # The cluster may be up on its socket but not on TCP (listen_addresses); restart covers both.
    as_root pg_conftool "$version" "$name" set listen_addresses 'localhost' >&2
    as_root pg_ctlcluster "$version" "$name" restart >&2 ||
        as_root pg_ctlcluster "$version" "$name" start >&2
    for _ in $(seq 1 60); do
        pg_isready -q -h 127.0.0.1 -p "$port" && return
        sleep 0.5
    done
    log "PostgreSQL did not become ready on 127.0.0.1:$port"
    exit 1
}

psql_admin() {
    local port="$1"
    shift
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"
}

ensure_user_and_db() {
    local port="$1" exists
    exists="$(psql_admin "$port" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")"
    if [ "$exists" != "1" ]; then
        log "creating role $PG_USER"
        psql_admin "$port" -c "CREATE ROLE \"$PG_USER\" LOGIN PASSWORD '$PG_PASSWORD'"
    else
        psql_admin "$port" -c "ALTER ROLE \"$PG_USER\" LOGIN PASSWORD '$PG_PASSWORD'"
    fi
    exists="$(psql_admin "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")"
    if [ "$exists" != "1" ]; then
        log "creating database $PG_DB"
        psql_admin "$port" -c "CREATE DATABASE \"$PG_DB\" OWNER \"$PG_USER\" ENCODING 'UTF8' TEMPLATE template0"
    fi
}

main() {
    install_postgres
    local version name port
    version="$(pg_version)"
    ensure_cluster "$version"
    read -r name port <<<"$(cluster_of "$version")"
    start_cluster "$version" "$name" "$port"
    ensure_user_and_db "$port"
    echo "postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$port/$PG_DB"
}

main "$@"
