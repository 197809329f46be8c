#!/bin/sh
# Creates one role and one database per service, once, when PostgreSQL initialises an empty
# data directory: the official image runs it from /docker-entrypoint-initdb.d (compose,
# Kubernetes), deploy/ci/postgres-entrypoint runs it in CI. Each password is read from
# $TENDER_DB_SECRETS/<service>-db-password (default /run/secrets). A service owns its
# database and can reach no other: ServiceKit's tables have fixed names, so two services must
# never share one (docs/OPERATIONS.md, "Storage").
set -eu
secrets="${TENDER_DB_SECRETS:-/run/secrets}"
for service in records intake vault evaluation negotiation; do
    password="$(cat "$secrets/$service-db-password")"
    psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
        -v service="$service" -v password="$password" <<'SQL'
CREATE ROLE :"service" LOGIN PASSWORD :'password';
CREATE DATABASE :"service" OWNER :"service";
REVOKE ALL ON DATABASE :"service" FROM PUBLIC;
SQL
done
