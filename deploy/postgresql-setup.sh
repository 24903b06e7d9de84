#!/usr/bin/env bash
# A PostgreSQL role and database for Astara, run once as the postgres superuser:
#   sudo -u postgres deploy/postgresql-setup.sh [ROLE] [DATABASE]
# Astara needs no extension (its text search is PostgreSQL's own to_tsvector). The role owns its
# database and nothing else; give it a password for a server on another host (and put it in
# ASTARA_DATABASE_URL), or keep 127.0.0.1 with peer/scram authentication as pg_hba.conf says.
set -euo pipefail
ROLE=${1:-astara}
DATABASE=${2:-astara}
[[ $ROLE =~ ^[a-z_][a-z0-9_]*$ && $DATABASE =~ ^[a-z_][a-z0-9_]*$ ]] || {
  echo "role and database names: lower-case letters, digits and _" >&2; exit 2; }
PSQL=(psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet)
[ -n "${PGHOST:-}" ] && PSQL+=(--host "$PGHOST")
if [ "$("${PSQL[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
  "${PSQL[@]}" -c "CREATE ROLE \"$ROLE\" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
fi
if [ "$("${PSQL[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DATABASE'")" != 1 ]; then
  "${PSQL[@]}" -c "CREATE DATABASE \"$DATABASE\" OWNER \"$ROLE\" ENCODING 'UTF8' TEMPLATE template0"
fi
"${PSQL[@]}" -d "$DATABASE" -c "REVOKE ALL ON SCHEMA public FROM PUBLIC; ALTER SCHEMA public OWNER TO \"$ROLE\""
if [ "$("${PSQL[@]}" -tAc "SHOW autovacuum")" != on ]; then  # the planner's statistics come from it
  echo "warning: autovacuum is off: turn it on (postgresql.conf), or list pages filtered by drug get slow" >&2
fi
echo "role $ROLE and database $DATABASE ready; then, as the astara user: astara init"
