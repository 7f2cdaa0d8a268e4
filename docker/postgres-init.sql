-- Databases for Temporal's persistence, perf-orchestrator's store and the demo shop.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
CREATE DATABASE perf_orchestrator;
CREATE DATABASE shop_demo;
-- The postgres exporter connects here: its statement-time query reads the pg_stat_statements view.
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
\c shop_demo
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS hypopg;
