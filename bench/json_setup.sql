-- bench/json.sh's data besides seed 001's (bench/sql/load.sql): :n 10-key documents in
-- PascalCase for the restructure case, the results tables, and the spec.
SET client_min_messages = warning;
\set ON_ERROR_STOP 1
DROP SCHEMA IF EXISTS jb CASCADE;
CREATE SCHEMA jb;
CREATE TABLE jb.t (run int, kase text, competitor text, seconds numeric);
CREATE TABLE jb.sums (kase text, side text, rows bigint, md5 text);
CREATE TABLE jb.docs (id bigint PRIMARY KEY, doc jsonb NOT NULL);
INSERT INTO jb.docs
SELECT g, jsonb_build_object('OrderID', g, 'CustomerName', 'Customer ' || g, 'Email', 'c' || g || '@example.com',
  'Street', (g % 300) || ' Main Street', 'City', 'City ' || (g % 50), 'Zip', lpad((g % 99999)::text, 5, '0'),
  'Country', (ARRAY['DE', 'FR', 'ID'])[1 + g % 3], 'TotalCents', g % 100000, 'Currency', 'EUR',
  'Status', (ARRAY['new', 'paid', 'shipped'])[1 + g % 3])
FROM generate_series(1, :n) g;
VACUUM ANALYZE jb.docs;
SELECT count(*) FROM jb.docs \gset
