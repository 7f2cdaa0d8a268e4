#!/usr/bin/env bash
# Makes this machine's PostgreSQL and Redis ready for perf-orchestrator:
#  - checks both answer (starts them when --start is given, as CI does);
#  - loads pg_stat_statements (shared_preload_libraries needs a restart), installs hypopg and pg_qualstats;
#  - Prometheus Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1:9093 for the notifications:
#    installed when missing, and started when it does not answer (it is the project's own throwaway
#    daemon: config and data in $ALERTMANAGER_DIR, no cluster port, nothing routed anywhere).
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
AM_DIR=${ALERTMANAGER_DIR:-/tmp/perf-orchestrator-alertmanager}
AM_START="prometheus-alertmanager --config.file=$AM_DIR/alertmanager.yml --storage.path=$AM_DIR/data --web.listen-address=127.0.0.1:9093 --cluster.listen-address="
am_up() { curl -sf -o /dev/null http://127.0.0.1:9093/-/ready; }
if ! am_up; then
  if ! command -v prometheus-alertmanager >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing Alertmanager (Debian package prometheus-alertmanager)"
      (apt-get install -y -qq prometheus-alertmanager >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq prometheus-alertmanager >/dev/null)
    else
      echo "warning: Alertmanager is not installed (the notification tests need it). Install it with: sudo apt-get install prometheus-alertmanager" >&2
    fi
  fi
  if command -v prometheus-alertmanager >/dev/null; then
    echo "starting Alertmanager on 127.0.0.1:9093 (config and data in $AM_DIR)"
    mkdir -p "$AM_DIR/data"
    [ -f "$AM_DIR/alertmanager.yml" ] || printf 'route:\n  receiver: none\nreceivers:\n  - name: none\n' >"$AM_DIR/alertmanager.yml"
    (setsid $AM_START >"$AM_DIR/alertmanager.log" 2>&1 </dev/null &)
    wait_for am_up || { echo "Alertmanager did not start; see $AM_DIR/alertmanager.log" >&2; exit 1; }
  fi
fi
echo "services ready: PostgreSQL (pg_stat_statements loaded$( [ -n "$(ls /usr/share/postgresql/*/extension/hypopg.control 2>/dev/null)" ] && echo ', hypopg available')), Redis$(am_up && echo ', Alertmanager')"
