#!/usr/bin/env bash
# Makes this machine's PostgreSQL and Redis ready for perf-orchestrator:
#  - checks both answer (starts them when --start is given, as CI does);
#  - loads pg_stat_statements (shared_preload_libraries needs a restart), installs hypopg and pg_qualstats.
# Safe to run again: it changes nothing that is already in place.
set -euo pipefail
START=0; [ "${1:-}" = "--start" ] && START=1
PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
PG_START='pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'
REDIS_START='redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log'
psqlc() { psql -h "$PGHOST_ADDR" -U postgres -d postgres -Atqc "$1"; }

pg_up() { pg_isready -h "$PGHOST_ADDR" -p 5432 -q; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }
wait_for() { for _ in $(seq 1 30); do "$1" && return 0; sleep 1; done; return 1; }

if ! pg_up; then
  if [ $START = 1 ]; then echo "starting PostgreSQL: $PG_START"; eval "$PG_START"; wait_for pg_up
  else echo "PostgreSQL does not answer on $PGHOST_ADDR:5432. Start it with: $PG_START" >&2; exit 1; fi
fi
if ! redis_up; then
  if [ $START = 1 ]; then echo "starting Redis"; mkdir -p /var/lib/redis /var/log/redis; eval "$REDIS_START"; wait_for redis_up
  else echo "Redis does not answer on 127.0.0.1:6379. Start it with: $REDIS_START" >&2; exit 1; fi
fi

# hypopg (hypothetical indexes) and pg_qualstats (predicates really evaluated; the tests load it per
# session, so it need not be preloaded): Debian packages.
PGVER=$(ls /etc/postgresql 2>/dev/null | head -1)
for ext in hypopg pg_qualstats; do
  [ -f "/usr/share/postgresql/$PGVER/extension/$ext.control" ] && continue
  pkg="postgresql-${PGVER:-15}-${ext//_/-}"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing $ext (Debian package $pkg)"
    (apt-get install -y -qq "$pkg" >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq "$pkg" >/dev/null)
  else
    echo "warning: $ext is not installed. Install it with: sudo apt-get install $pkg" >&2
  fi
done

if ! psqlc "SHOW shared_preload_libraries" | grep -q pg_stat_statements; then
  if [ "$(id -u)" = 0 ] && [ -d /etc/postgresql ]; then
    echo "loading pg_stat_statements (ALTER SYSTEM + restart of PostgreSQL)"
    current=$(psqlc "SHOW shared_preload_libraries")
    psqlc "ALTER SYSTEM SET shared_preload_libraries = '${current:+$current,}pg_stat_statements'"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main restart
    wait_for pg_up
  else
    echo "pg_stat_statements is not loaded. Add it to shared_preload_libraries in postgresql.conf and restart PostgreSQL:" >&2
    echo "  ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'; then restart the server" >&2
    exit 1
  fi
fi
echo "services ready: PostgreSQL (pg_stat_statements loaded$( [ -n "$(ls /usr/share/postgresql/*/extension/hypopg.control 2>/dev/null)" ] && echo ', hypopg available')), Redis"
