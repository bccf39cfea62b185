-- bench/babynames/pg_setup.sql: the legacy table of ../shared/datasets/README.md (babynames), loaded
-- from :'csv' (server-side COPY: the script's CSV is world-readable), and the target: one row per (name, sex) with its {year: births} object.
CREATE EXTENSION IF NOT EXISTS ferry;
CREATE TABLE baby_name (id bigserial PRIMARY KEY, year smallint NOT NULL, name varchar(64) NOT NULL,
                        sex char(1) NOT NULL, births integer NOT NULL);
COPY baby_name (year, name, sex, births) FROM :'csv' WITH (FORMAT csv, HEADER true);
VACUUM ANALYZE baby_name;
CREATE TABLE name_births (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name varchar(64) NOT NULL,
                          sex char(1) NOT NULL, births jsonb NOT NULL);
