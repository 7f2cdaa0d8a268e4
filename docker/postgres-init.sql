-- Databases for Temporal's persistence, perf-orchestrator's store and the demo shop.
CREATE DATABASE temporal;
CREATE DATABASE temporal_visibility;
CREATE DATABASE perf_orchestrator;
CREATE DATABASE shop_demo;
\c shop_demo
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
CREATE EXTENSION IF NOT EXISTS hypopg;
