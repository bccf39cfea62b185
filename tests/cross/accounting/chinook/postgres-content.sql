-- The Chinook targets as canonical rows (run-postgres.sh labels them
-- "content"); chinook/mariadb-content.sql selects the same on MariaDB.
SELECT 'new_genres', legacy_id, id, name FROM new_genres;
SELECT 'new_artists', legacy_id, id, name FROM new_artists;
SELECT 'new_albums', legacy_id, id, artist_id, title FROM new_albums;
SELECT 'new_tracks', legacy_id, id, album_id, name, media_type, genre_id, genre, composer, seconds, size_class,
       price, details->>'composer', details#>>'{file,bytes}', details#>>'{file,milliseconds}'
  FROM new_tracks;
SELECT 'new_playlists', legacy_id, id, name FROM new_playlists;
SELECT 'new_playlist_tracks', id, playlist_id, track_id FROM new_playlist_tracks;
SELECT 'count', 'new_genres', count(*) FROM new_genres;
SELECT 'count', 'new_artists', count(*) FROM new_artists;
SELECT 'count', 'new_albums', count(*) FROM new_albums;
SELECT 'count', 'new_tracks', count(*) FROM new_tracks;
SELECT 'count', 'new_playlists', count(*) FROM new_playlists;
SELECT 'count', 'new_playlist_tracks', count(*) FROM new_playlist_tracks;
