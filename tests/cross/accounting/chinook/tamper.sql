-- The same damage on both engines (plain SQL both accept), run inside a
-- transaction that is rolled back after validation: each check must FAIL
-- or WARN alike, with the same details and sample.
UPDATE new_tracks SET price = price + 1 WHERE legacy_id = 1;
UPDATE new_albums SET title = 'Retitled' WHERE legacy_id = 2;
-- a second "AC/DC": the unique check on name
UPDATE new_artists SET name = 'AC/DC' WHERE legacy_id = 2;
UPDATE new_tracks SET album_id = NULL WHERE legacy_id = 3;
UPDATE new_tracks SET seconds = -1 WHERE legacy_id = 5;
-- (a track in no playlist: new_playlist_tracks refers to the others)
DELETE FROM new_tracks WHERE legacy_id = 90008;
-- a NULL genre: the per-genre aggregate sees a group move
UPDATE new_tracks SET genre_id = NULL WHERE legacy_id = 7;
-- a source row nobody migrated, and one deleted since
INSERT INTO tracks (track_id, name, album_id, media_type_id, genre_id, composer, milliseconds, bytes, unit_price)
  VALUES (90100, 'Late arrival', 1, 1, 1, NULL, 1000, 10, 0.99);
DELETE FROM tracks WHERE track_id = 8;
