#!/usr/bin/env bash
# Install (if needed) and start a local PostgreSQL server for the survey tests, idempotently.
#
# Usage:  eval "$(bash .ci/start-postgres.sh)"
# Prints only `export` lines on stdout; progress goes to stderr. Safe to run twice.
# Result: postgresql+psycopg://lab:lab@127.0.0.1:5432/lab_test accepts connections, and role `lab`
# may create databases and schemas (the tests make a fresh schema per test).
set -euo pipefail

PG_USER=lab
PG_PASS=lab
PG_DB=lab_test
PG_PORT=5432
log() { echo "start-postgres: $*" >&2; }

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    log "installing postgresql (apt-get)"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2 \
        || { $SUDO apt-get update -q >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2; }
fi

PG_VERSION="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$PG_VERSION" ]; then
    PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    log "creating cluster $PG_VERSION/main"
    $SUDO pg_createcluster "$PG_VERSION" main --port "$PG_PORT" >&2
fi

if ! $SUDO pg_ctlcluster "$PG_VERSION" main status >/dev/null 2>&1; then
    log "starting cluster $PG_VERSION/main"
    $SUDO pg_ctlcluster "$PG_VERSION" main start >&2
fi

for _ in $(seq 1 30); do
    if as_postgres psql -p "$PG_PORT" -qtAc "SELECT 1" >/dev/null 2>&1; then break; fi
    sleep 1
done

psql_admin() { as_postgres psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_USER'")" != "1" ]; then
    log "creating role $PG_USER"
    psql_admin -c "CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASS' CREATEDB" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != "1" ]; then
    log "creating database $PG_DB"
    psql_admin -c "CREATE DATABASE $PG_DB OWNER $PG_USER" >&2
fi

echo "export LAB_TEST_POSTGRES_URL=postgresql+psycopg://$PG_USER:$PG_PASS@127.0.0.1:$PG_PORT/$PG_DB"
