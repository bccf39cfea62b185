-- The legacy rows as canonical lines (labelled "source"), the same SELECTs
-- on both engines: both must start from the same data.
SELECT 'genres', genre_id, name FROM genres;
SELECT 'artists', artist_id, name FROM artists;
SELECT 'albums', album_id, title, artist_id FROM albums;
SELECT 'tracks', track_id, name, album_id, media_type_id, genre_id, composer, milliseconds, bytes, unit_price
  FROM tracks;
SELECT 'playlists', playlist_id, name FROM playlists;
SELECT 'playlist_tracks', playlist_id, track_id FROM playlist_tracks;
