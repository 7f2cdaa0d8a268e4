# PostgreSQL 15 with hypopg (hypothetical indexes) and pg_stat_statements preloaded.
FROM postgres:15-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-15-hypopg && rm -rf /var/lib/apt/lists/*
COPY docker/postgres-init.sql /docker-entrypoint-initdb.d/10-perf.sql
