-- Seed 002's source: the legacy ordermys schema in MariaDB, as foreign tables
-- in schema legacy (mysql_fdw). psql variables: mysql_host, mysql_port,
-- mysql_user, mysql_password, mysql_db. Shared by tests/cross/seed002_migration.sql
-- and bench/seed002.sh.
CREATE EXTENSION ferry;
CREATE EXTENSION mysql_fdw;

-- ------------------------------------------------------------ the source
-- character_set utf8mb4: mysql_fdw's default ("auto", from the locale)
-- came out as MariaDB's utf8, which is utf8mb3: every 4-byte character
-- (an emoji) arrived as '?'.
CREATE SERVER legacy_mysql FOREIGN DATA WRAPPER mysql_fdw
  OPTIONS (host :'mysql_host', port :'mysql_port', character_set 'utf8mb4');
-- the MariaDB account has SELECT only: PostgreSQL could not write to the
-- source even if something tried
CREATE USER MAPPING FOR CURRENT_USER SERVER legacy_mysql
  OPTIONS (username :'mysql_user', password :'mysql_password');
CREATE SCHEMA legacy;
IMPORT FOREIGN SCHEMA :"mysql_db" FROM SERVER legacy_mysql INTO legacy;
