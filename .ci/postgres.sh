#!/usr/bin/env bash
# A PostgreSQL server for the tests, made from nothing on Debian (run as root): installs the server and
# client packages when they are missing, makes a cluster in a scratch folder owned by the postgres user,
# starts it on 127.0.0.1, and makes a login role and database for the tests. Prints only the URL, so
#
#   CAMPBANK_TEST_DB=$(bash .ci/postgres.sh) pytest tests/ledger
#
# `bash .ci/postgres.sh stop` stops it (its folder stays); `... remove` stops it and deletes the folder.
# The cluster skips fsync and friends: it holds throwaway test camps, never a real one (docs/postgresql.md
# sets up a real server).
set -euo pipefail

folder=${CAMPBANK_PG_DIR:-/tmp/campbank-ci-pg}
port=${CAMPBANK_PG_PORT:-55433}
role=campbank_test
password=campbank_test
database=campbank_test
data="$folder/data"
url="postgresql://$role:$password@127.0.0.1:$port/$database"

log() { printf '[postgres.sh] %s\n' "$*" >&2; }
as_postgres() { runuser -u postgres -- "$@"; }
bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_packages() {
    if [ -x "$(bin_dir)/initdb" ] && command -v pg_dump >/dev/null 2>&1; then
        return
    fi
    log "installing Debian's postgresql and postgresql-client"
    export DEBIAN_FRONTEND=noninteractive
    apt-cache policy postgresql 2>/dev/null | grep -q 'Candidate: [0-9]' || apt-get update -q >&2
    apt-get install -y -q --no-install-recommends postgresql postgresql-client >&2
}

running() { [ -f "$data/PG_VERSION" ] && as_postgres "$(bin_dir)/pg_ctl" -D "$data" status >/dev/null 2>&1; }

start() {
    install_packages
    mkdir -p "$folder" && chown postgres:postgres "$folder" && chmod 700 "$folder"
    if [ ! -f "$data/PG_VERSION" ]; then
        log "making a cluster in $data"
        as_postgres "$(bin_dir)/initdb" -D "$data" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=scram-sha-256 >"$folder/initdb.log" 2>&1 \
            || { cat "$folder/initdb.log" >&2; exit 1; }
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = '$folder'"
            echo "max_connections = 200"
            echo "fsync = off"
            echo "synchronous_commit = off"
            echo "full_page_writes = off"
        } >>"$data/postgresql.conf"
    fi
    if running && pg_isready -q -h "$folder" -p "$port"; then
        log "already running"
    else
        log "starting on 127.0.0.1:$port"
        as_postgres "$(bin_dir)/pg_ctl" -D "$data" -l "$folder/server.log" -w -t 60 start >&2 \
            || { tail -n 20 "$folder/server.log" >&2; exit 1; }
    fi
    # The tests' role makes a database per test, and roles for the tests of the application role.
    as_postgres psql -X -q -v ON_ERROR_STOP=1 -h "$folder" -p "$port" -d postgres >&2 <<SQL
SELECT 'CREATE ROLE $role LOGIN CREATEDB CREATEROLE' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') \gexec
ALTER ROLE $role LOGIN CREATEDB CREATEROLE PASSWORD '$password';
SELECT 'CREATE DATABASE $database OWNER $role' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$database') \gexec
SQL
    echo "$url"
}

case "${1:-start}" in
    start) start ;;
    stop) if running; then as_postgres "$(bin_dir)/pg_ctl" -D "$data" -m fast -w stop >&2; fi ;;
    remove)
        if running; then as_postgres "$(bin_dir)/pg_ctl" -D "$data" -m immediate -w stop >&2; fi
        rm -rf "$folder" ;;
    *) echo "usage: $0 [start|stop|remove]" >&2; exit 2 ;;
esac
