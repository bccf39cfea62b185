-- Deliberately dirty legacy rows, the same INSERTs on both engines (plain
-- SQL both accept), so that the reject and filter accounting is exercised.
-- An artist without a name: new_artists.name is NOT NULL, so it is rejected.
INSERT INTO artists (artist_id, name) VALUES (9001, NULL);
-- An album of that rejected artist (its ref finds no mapped artist), one of an
-- artist that does not exist, one without a title (NOT NULL).
INSERT INTO albums (album_id, title, artist_id) VALUES
  (9001, 'Lost Tapes', 9001),
  (9002, 'Phantom Album', 999999),
  (9003, NULL, 1);
INSERT INTO tracks (track_id, name, album_id, media_type_id, genre_id, composer, milliseconds, bytes, unit_price) VALUES
  -- its album was rejected, so its ref finds nothing
  (90001, 'Track of a rejected album', 9001, 1, 1, NULL, 200000, 1000, 0.99),
  -- an album that never existed
  (90002, 'Track of a missing album', 888888, 1, 1, NULL, 200000, 1000, 0.99),
  -- a NULL name for the NOT NULL target column
  (90003, NULL, 1, 1, 1, NULL, 200000, 1000, 0.99),
  -- no album at all: a NULL ref is NULL, the row migrates
  (90004, 'Single without an album', NULL, 1, 1, 'Nobody', 180000, 1000, 0.99),
  -- a NULL media type: the where (media_type_id <> 3) is NULL, not true
  (90005, 'Track without a media type', 1, NULL, 1, NULL, 100000, 1000, 0.99),
  -- a missing album and a NULL name at once: one reject, one reason
  (90006, NULL, 777777, 1, 1, NULL, 1000, 10, 0.99),
  -- a video (filtered) of a missing album: filtered, never judged
  (90007, 'A video of a missing album', 777777, 3, 1, NULL, 1000, 10, 1.99),
  -- an unmapped media type: the map's default
  (90008, 'Track of media type 6', 1, 6, 1, 'Somebody', 61500, 20000000, 0.99),
  -- a genre that does not exist: on_missing null, the row migrates
  (90009, 'Track of genre 999', 1, 1, 999, NULL, 1000, 10, 0.99);
INSERT INTO playlist_tracks (playlist_id, track_id) VALUES
  -- a track that does not exist, a rejected track, a playlist that does not exist
  (1, 999999), (1, 90003), (99, 1),
  -- a track that migrated without an album
  (1, 90004);
