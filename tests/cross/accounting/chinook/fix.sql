-- The dirty rows put right after the first runs, the same on both engines:
-- every run judges the rejects again, and migrate_all runs the phases in
-- dependency order, so the artist, then its album, then its track migrate
-- in one run; the album that never existed arrives, and its track follows.
UPDATE artists SET name = 'Found Artist' WHERE artist_id = 9001;
INSERT INTO albums (album_id, title, artist_id) VALUES (888888, 'Found Album', 1);
