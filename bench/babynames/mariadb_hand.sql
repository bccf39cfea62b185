-- bench/babynames/mariadb_hand.sql: the hand-written fold.
INSERT INTO name_births (id, name, sex, births)
SELECT UUID(), name, sex, JSON_OBJECTAGG(year, births) FROM baby_name GROUP BY name, sex;
