#!/usr/bin/env bash
# Makes this machine's PostgreSQL and Redis ready for perf-orchestrator:
#  - checks both answer (starts them when --start is given, as CI does);
#  - loads pg_stat_statements (shared_preload_libraries needs a restart), installs hypopg and pg_qualstats;
#  - Prometheus Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1:9093 for the notifications
#    (no cluster port, nothing routed anywhere), the node, postgres and redis exporters (9100, 9187, 9121)
#    and Prometheus on 127.0.0.1:9090 (scraping the demo shop, the exporters and itself): installed when
#    missing, started when they do not answer (the project's own throwaway daemons, config and data under /tmp).
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
# The project's own throwaway monitoring daemons (Debian packages), installed when missing and started
# when they do not answer: config and data under /tmp, loopback only.
install_pkg() { # PACKAGE WHY
  command -v "$1" >/dev/null && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing $1 (Debian package $1)"
    (apt-get install -y -qq "$1" >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq "$1" >/dev/null)
  else
    echo "$1 is not installed ($2). Install it with: sudo apt-get install $1" >&2; exit 1
  fi
}
start_daemon() { # NAME UP-FUNCTION LOG COMMAND...
  local name=$1 up=$2 log=$3; shift 3
  "$up" && return 0
  echo "starting $name (log: $log)"
  (setsid "$@" >"$log" 2>&1 </dev/null &)
  wait_for "$up" || { echo "$name did not start; see $log" >&2; exit 1; }
}

AM_DIR=${ALERTMANAGER_DIR:-/tmp/perf-orchestrator-alertmanager}
am_up() { curl -sf -o /dev/null http://127.0.0.1:9093/-/ready; }
if ! am_up; then
  install_pkg prometheus-alertmanager "the notification tests need it"
  mkdir -p "$AM_DIR/data"
  [ -f "$AM_DIR/alertmanager.yml" ] || printf 'route:\n  receiver: none\nreceivers:\n  - name: none\n' >"$AM_DIR/alertmanager.yml"
  start_daemon "Alertmanager on 127.0.0.1:9093" am_up "$AM_DIR/alertmanager.log" prometheus-alertmanager \
    --config.file="$AM_DIR/alertmanager.yml" --storage.path="$AM_DIR/data" --web.listen-address=127.0.0.1:9093 --cluster.listen-address=
fi

# node_exporter (host CPU, memory, disk) on 127.0.0.1:9100, postgres_exporter on 127.0.0.1:9187 (statement
# time from pg_stat_statements by docker/postgres-exporter-queries.yaml, which needs the extension in the
# database it connects to: postgres), redis_exporter on 127.0.0.1:9121, and Prometheus on 127.0.0.1:9090
# scraping them, the demo shop's /metrics (127.0.0.1:3100) and itself, sending alerts to the Alertmanager
# above; /-/reload enabled; alert rules are read from $PROM_DIR/rules/*.yml. Every 2 s: the demo's 10-s
# baseline holds five scrapes, enough for rates over its window. A config written by an older version
# of this script is replaced (and Prometheus reloaded).
NE_DIR=${NODE_EXPORTER_DIR:-/tmp/perf-orchestrator-node-exporter}
ne_up() { curl -sf -o /dev/null http://127.0.0.1:9100/metrics; }
if ! ne_up; then
  install_pkg prometheus-node-exporter "Prometheus reads the host's CPU and memory from it"
  mkdir -p "$NE_DIR"
  start_daemon "node_exporter on 127.0.0.1:9100" ne_up "$NE_DIR/node-exporter.log" prometheus-node-exporter --web.listen-address=127.0.0.1:9100
fi
psqlc "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
PGE_DIR=${POSTGRES_EXPORTER_DIR:-/tmp/perf-orchestrator-postgres-exporter}
pge_up() { curl -sf http://127.0.0.1:9187/metrics 2>/dev/null | grep -q '^pg_stat_statements_seconds_total'; }
if ! pge_up && curl -sf -o /dev/null http://127.0.0.1:9187/metrics && ! wait_for pge_up; then
  echo "127.0.0.1:9187 answers, but without pg_stat_statements_seconds_total (not this project's postgres_exporter, or one" >&2
  echo "without docker/postgres-exporter-queries.yaml): stop it (e.g. systemctl stop prometheus-postgres-exporter) and run this again" >&2
  exit 1
fi
if ! pge_up; then
  install_pkg prometheus-postgres-exporter "Prometheus reads the database's statement time and connections from it"
  mkdir -p "$PGE_DIR"
  cp "$(dirname "$0")/../docker/postgres-exporter-queries.yaml" "$PGE_DIR/queries.yaml"
  start_daemon "postgres_exporter on 127.0.0.1:9187" pge_up "$PGE_DIR/postgres-exporter.log" \
    env DATA_SOURCE_NAME="postgresql://postgres@$PGHOST_ADDR:5432/postgres?sslmode=disable" \
    prometheus-postgres-exporter --web.listen-address=127.0.0.1:9187 --extend.query-path="$PGE_DIR/queries.yaml"
fi
RE_DIR=${REDIS_EXPORTER_DIR:-/tmp/perf-orchestrator-redis-exporter}
re_up() { curl -sf http://127.0.0.1:9121/metrics 2>/dev/null | grep -q '^redis_up 1'; }
if ! re_up && curl -sf -o /dev/null http://127.0.0.1:9121/metrics && ! wait_for re_up; then
  echo "127.0.0.1:9121 answers, but not as a redis_exporter of 127.0.0.1:6379: stop it and run this again" >&2
  exit 1
fi
if ! re_up; then
  install_pkg prometheus-redis-exporter "Prometheus reads the cache's hits, misses and memory from it"
  mkdir -p "$RE_DIR"
  start_daemon "redis_exporter on 127.0.0.1:9121" re_up "$RE_DIR/redis-exporter.log" \
    prometheus-redis-exporter -web.listen-address 127.0.0.1:9121 -redis.addr redis://127.0.0.1:6379
fi
PROM_DIR=${PROMETHEUS_DIR:-/tmp/perf-orchestrator-prometheus}
prom_up() { curl -sf -o /dev/null http://127.0.0.1:9090/-/ready; }
mkdir -p "$PROM_DIR/data" "$PROM_DIR/rules"
PROM_CONFIG="global: { scrape_interval: 2s, evaluation_interval: 2s }
rule_files: ['$PROM_DIR/rules/*.yml']
alerting:
  alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:9093'] }] }]
scrape_configs:
  - { job_name: shop, static_configs: [{ targets: ['127.0.0.1:3100'] }] }
  - { job_name: node, static_configs: [{ targets: ['127.0.0.1:9100'] }] }
  - { job_name: postgres, static_configs: [{ targets: ['127.0.0.1:9187'] }] }
  - { job_name: redis, static_configs: [{ targets: ['127.0.0.1:9121'] }] }
  - { job_name: prometheus, static_configs: [{ targets: ['127.0.0.1:9090'] }] }"
if [ "$(cat "$PROM_DIR/prometheus.yml" 2>/dev/null)" != "$PROM_CONFIG" ]; then
  printf '%s\n' "$PROM_CONFIG" >"$PROM_DIR/prometheus.yml"
  if prom_up; then echo "Prometheus: configuration updated, reloading"; curl -sf -X POST http://127.0.0.1:9090/-/reload; fi
fi
if ! prom_up; then
  install_pkg prometheus "the observability tests and the demo read the shop's metrics from it"
  start_daemon "Prometheus on 127.0.0.1:9090 (config and data in $PROM_DIR)" prom_up "$PROM_DIR/prometheus.log" prometheus \
    --config.file="$PROM_DIR/prometheus.yml" --storage.tsdb.path="$PROM_DIR/data" --storage.tsdb.retention.time=2d \
    --web.listen-address=127.0.0.1:9090 --web.enable-lifecycle
fi
echo "services ready: PostgreSQL (pg_stat_statements loaded$( [ -n "$(ls /usr/share/postgresql/*/extension/hypopg.control 2>/dev/null)" ] && echo ', hypopg available')), Redis, Alertmanager, node_exporter, postgres_exporter, redis_exporter, Prometheus"
