# Start and stop a throwaway PostgreSQL cluster on loopback for the test suite.
# Sourced by .ci/run; usable by hand: `source .ci/postgres.sh && start_test_postgres`.
# Exports ACCORD_TEST_POSTGRES_URL. PostgreSQL refuses to run as root, so as root the cluster
# belongs to the `postgres` user that Debian's package creates.

pg_bin() {
  local found
  found=$(command -v initdb 2>/dev/null || true)
  if [ -n "$found" ]; then dirname "$(readlink -f "$found")"; return; fi
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

start_test_postgres() {
  local bin port run_as
  bin=$(pg_bin)
  PG_TEST_DIR=$(mktemp -d /tmp/accord-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  run_as=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent postgres
    chown postgres "$PG_TEST_DIR"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bin/initdb" -D "$PG_TEST_DIR/data" -U accord --auth=trust -E UTF8 >/dev/null
  "${run_as[@]}" "$bin/pg_ctl" -D "$PG_TEST_DIR/data" -l "$PG_TEST_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_TEST_DIR -c max_connections=200 -c fsync=off" start >/dev/null
  PG_TEST_BIN=$bin
  PG_TEST_RUN_AS="${run_as[*]}"
  export ACCORD_TEST_POSTGRES_URL="postgresql+psycopg://accord@127.0.0.1:$port/postgres"
  echo "PostgreSQL for tests: $ACCORD_TEST_POSTGRES_URL"
}

stop_test_postgres() {
  if [ -n "${PG_TEST_DIR:-}" ]; then
    $PG_TEST_RUN_AS "$PG_TEST_BIN/pg_ctl" -D "$PG_TEST_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_TEST_DIR"
  fi
}
