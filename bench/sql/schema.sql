-- Result tables of the benchmark (schema bench, kept apart from the migration).
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE IF NOT EXISTS bench.timings (
  size int NOT NULL, run int NOT NULL, competitor text NOT NULL, op text NOT NULL,
  step text NOT NULL, ord int NOT NULL, rows bigint NOT NULL, seconds numeric NOT NULL,
  status text NOT NULL DEFAULT 'ok');
CREATE TABLE IF NOT EXISTS bench.rss (
  size int NOT NULL, run int NOT NULL, competitor text NOT NULL,
  vmhwm_kb bigint, peak_rss_anon_kb bigint);
CREATE TABLE IF NOT EXISTS bench.info (size int, ord serial, section text, line text);
CREATE UNLOGGED TABLE IF NOT EXISTS bench.fp (size int, side text, tbl text, k bigint, h text);
