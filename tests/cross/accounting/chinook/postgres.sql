-- The Chinook scenario's legacy and target tables on PostgreSQL.  The run
-- script has loaded ../shared/datasets/chinook (Chinook_PostgreSql.sql) into
-- the schema chinook of this database; the legacy tables are copies of six
-- of its tables under the names chinook/mariadb.sql gives them too, without
-- the dataset's NOT NULLs and foreign keys, so that chinook/dirty.sql can add
-- its dirty rows.
CREATE TABLE genres (genre_id int PRIMARY KEY, name varchar(120));
INSERT INTO genres SELECT genre_id, name FROM chinook.genre;
CREATE TABLE artists (artist_id int PRIMARY KEY, name varchar(120));
INSERT INTO artists SELECT artist_id, name FROM chinook.artist;
CREATE TABLE albums (album_id int PRIMARY KEY, title varchar(160), artist_id int);
INSERT INTO albums SELECT album_id, title, artist_id FROM chinook.album;
CREATE TABLE tracks (
  track_id int PRIMARY KEY, name varchar(200), album_id int, media_type_id int, genre_id int,
  composer varchar(220), milliseconds int NOT NULL, bytes int, unit_price numeric(10,2) NOT NULL);
INSERT INTO tracks SELECT track_id, name, album_id, media_type_id, genre_id, composer, milliseconds,
                          bytes, unit_price FROM chinook.track;
CREATE TABLE playlists (playlist_id int PRIMARY KEY, name varchar(120));
INSERT INTO playlists SELECT playlist_id, name FROM chinook.playlist;
CREATE TABLE playlist_tracks (playlist_id int, track_id int, PRIMARY KEY (playlist_id, track_id));
INSERT INTO playlist_tracks SELECT playlist_id, track_id FROM chinook.playlist_track;
DROP SCHEMA chinook CASCADE;

-- The new schema: UUID keys, the legacy key kept, references by UUID.
CREATE TABLE new_genres (id uuid PRIMARY KEY, name varchar(120) NOT NULL, legacy_id int UNIQUE);
CREATE TABLE new_artists (id uuid PRIMARY KEY, name varchar(120) NOT NULL, legacy_id int UNIQUE);
CREATE TABLE new_albums (
  id uuid PRIMARY KEY, artist_id uuid NOT NULL REFERENCES new_artists, title varchar(160) NOT NULL,
  legacy_id int UNIQUE);
CREATE TABLE new_tracks (
  id uuid PRIMARY KEY, album_id uuid REFERENCES new_albums, name varchar(200) NOT NULL,
  media_type varchar(20) NOT NULL, genre_id int, genre uuid REFERENCES new_genres,
  composer varchar(220) NOT NULL, seconds int NOT NULL, size_class varchar(10) NOT NULL,
  price numeric(10,2) NOT NULL, details jsonb, legacy_id int UNIQUE);
CREATE TABLE new_playlists (id uuid PRIMARY KEY, name varchar(120) NOT NULL, legacy_id int UNIQUE);
CREATE TABLE new_playlist_tracks (
  id uuid PRIMARY KEY, playlist_id uuid NOT NULL REFERENCES new_playlists,
  track_id uuid NOT NULL REFERENCES new_tracks);
