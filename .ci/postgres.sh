# A private PostgreSQL server for the ledger's tests on PostgreSQL, sourced by .ci/run.
# Debian's own server binaries (the `postgresql` package), run as the `postgres` user
# (CI runs as root; the server refuses root), listening on loopback only, in a fresh data
# folder. The tests connect as `salnameh`, a role that may create databases but is not a
# superuser (what an installation's ledger role would be): each test makes its own
# database and drops it. The password is random for this run.
start_postgres() {
  local port=${SALNAMEH_CI_PG_PORT:-54329}
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  PG_DIR=$(mktemp -d /tmp/salnameh-ci-pg.XXXXXX)
  chown postgres:postgres "$PG_DIR"
  local password
  password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  runuser -u postgres -- "$bin/initdb" -D "$PG_DIR/data" -U postgres --auth-local=peer \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log"
  runuser -u postgres -- "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_DIR -c max_connections=200" start
  PG_STOP="runuser -u postgres -- $bin/pg_ctl -D $PG_DIR/data -m fast stop"
  runuser -u postgres -- "$bin/psql" -h "$PG_DIR" -p "$port" -d postgres -qv ON_ERROR_STOP=1 \
    -c "CREATE ROLE salnameh LOGIN CREATEDB PASSWORD '$password'" \
    -c "GRANT pg_signal_backend TO salnameh" \
    -c "CREATE DATABASE salnameh OWNER salnameh"
  # pg_signal_backend: a test's `DROP DATABASE ... WITH (FORCE)` must end an autovacuum
  # worker that happens to be in its database (refused once without it).
  export SALNAMEH_TEST_POSTGRES_URL="postgresql://salnameh:$password@127.0.0.1:$port/salnameh"
}
