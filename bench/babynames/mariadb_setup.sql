-- bench/babynames/mariadb_setup.sql: the legacy table of ../shared/datasets/README.md (babynames),
-- loaded from @csv with LOAD DATA, and the target: one row per (name, sex) with its {year: births}.
DROP TABLE IF EXISTS baby_name, name_births;
CREATE TABLE baby_name (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, year SMALLINT NOT NULL,
                        name VARCHAR(64) NOT NULL, sex CHAR(1) NOT NULL, births INT NOT NULL) DEFAULT CHARSET=utf8mb4;
CREATE TABLE name_births (id UUID PRIMARY KEY, name VARCHAR(64) NOT NULL, sex CHAR(1) NOT NULL,
                          births JSON NOT NULL) DEFAULT CHARSET=utf8mb4;
