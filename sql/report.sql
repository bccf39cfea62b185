-- migration_report: the books, the last run, the rollback, the rejects by
-- reason with sample keys and validation, as text and as Markdown.  Times
-- and rates change from run to run: they are masked.
CREATE EXTENSION ferry;
CREATE FUNCTION masked(lines text) RETURNS text LANGUAGE sql AS $$
    SELECT regexp_replace(regexp_replace(regexp_replace(lines, '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d', 'TIME', 'g'),
                                         'in [0-9.]+ s', 'in S s', 'g'), ', \d+ rows/s', ', R rows/s', 'g')
$$;
CREATE TABLE rp_src (id int PRIMARY KEY, name text, kind text);
INSERT INTO rp_src SELECT g, CASE WHEN g % 10 <> 0 THEN 'n' || g END,
                          CASE WHEN g % 9 = 0 THEN 'xx' ELSE 'a' END FROM generate_series(1, 40) g;
CREATE TABLE rp_dst (id uuid PRIMARY KEY, legacy_id int, name text NOT NULL, kind varchar(1));
SELECT define_phase('rp', '{"source": "rp_src", "target": "rp_dst", "legacy_column": "legacy_id",
                            "columns": {"name": "name", "kind": "kind"},
                            "where": "id <> 13"}');
SELECT define_phase('rp_idle', '{"source": "rp_src", "target": "rp_dst", "columns": {"name": "name"}}');
SELECT phase, migrated, rejected, filtered FROM migrate_phase('rp');
SELECT masked(report) FROM migration_report('rp');
SELECT masked(report) FROM migration_report('rp', 'markdown');
-- every phase; one never migrated says so, and its validation FAILs
SELECT masked(report) FROM migration_report() WHERE report LIKE 'phase%' OR report LIKE '  last run%'
    OR report LIKE '  validation%';
SELECT phase, rows_deleted FROM rollback_migration('rp');
SELECT masked(report) FROM migration_report('rp') WHERE report LIKE '  r%';
-- errors
SELECT * FROM migration_report('nope');
SELECT * FROM migration_report('rp', 'html');
SELECT * FROM migration_accounting(NULL);
SELECT * FROM migration_accounting('nope');
DROP EXTENSION ferry CASCADE;
DROP TABLE rp_src, rp_dst;
DROP FUNCTION masked(text);
