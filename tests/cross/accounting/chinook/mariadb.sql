-- The Chinook scenario's legacy and target tables on MariaDB.  The run
-- script has loaded ../shared/datasets/chinook (Chinook_MySql.sql) into the
-- database Chinook; the legacy tables are copies of six of its tables under
-- the names chinook/postgres.sql gives them too, without the dataset's NOT
-- NULLs and foreign keys, so that chinook/dirty.sql can add its dirty rows.
CREATE TABLE genres (genre_id int PRIMARY KEY, name varchar(120)) ENGINE=InnoDB;
INSERT INTO genres SELECT GenreId, Name FROM Chinook.Genre;
CREATE TABLE artists (artist_id int PRIMARY KEY, name varchar(120)) ENGINE=InnoDB;
INSERT INTO artists SELECT ArtistId, Name FROM Chinook.Artist;
CREATE TABLE albums (album_id int PRIMARY KEY, title varchar(160), artist_id int) ENGINE=InnoDB;
INSERT INTO albums SELECT AlbumId, Title, ArtistId FROM Chinook.Album;
CREATE TABLE tracks (
  track_id int PRIMARY KEY, name varchar(200), album_id int, media_type_id int, genre_id int,
  composer varchar(220), milliseconds int NOT NULL, bytes int, unit_price decimal(10,2) NOT NULL) ENGINE=InnoDB;
INSERT INTO tracks SELECT TrackId, Name, AlbumId, MediaTypeId, GenreId, Composer, Milliseconds,
                          Bytes, UnitPrice FROM Chinook.Track;
CREATE TABLE playlists (playlist_id int PRIMARY KEY, name varchar(120)) ENGINE=InnoDB;
INSERT INTO playlists SELECT PlaylistId, Name FROM Chinook.Playlist;
CREATE TABLE playlist_tracks (playlist_id int, track_id int, PRIMARY KEY (playlist_id, track_id)) ENGINE=InnoDB;
INSERT INTO playlist_tracks SELECT PlaylistId, TrackId FROM Chinook.PlaylistTrack;
DROP DATABASE Chinook;

-- The new schema: UUID keys, the legacy key kept, references by UUID.
CREATE TABLE new_genres (id uuid PRIMARY KEY, name varchar(120) NOT NULL, legacy_id int UNIQUE) ENGINE=InnoDB;
CREATE TABLE new_artists (id uuid PRIMARY KEY, name varchar(120) NOT NULL, legacy_id int UNIQUE) ENGINE=InnoDB;
CREATE TABLE new_albums (
  id uuid PRIMARY KEY, artist_id uuid NOT NULL REFERENCES new_artists (id), title varchar(160) NOT NULL,
  legacy_id int UNIQUE) ENGINE=InnoDB;
CREATE TABLE new_tracks (
  id uuid PRIMARY KEY, album_id uuid REFERENCES new_albums (id), name varchar(200) NOT NULL,
  media_type varchar(20) NOT NULL, genre_id int, genre uuid REFERENCES new_genres (id),
  composer varchar(220) NOT NULL, seconds int NOT NULL, size_class varchar(10) NOT NULL,
  price decimal(10,2) NOT NULL, details json, legacy_id int UNIQUE) ENGINE=InnoDB;
CREATE TABLE new_playlists (id uuid PRIMARY KEY, name varchar(120) NOT NULL, legacy_id int UNIQUE) ENGINE=InnoDB;
CREATE TABLE new_playlist_tracks (
  id uuid PRIMARY KEY, playlist_id uuid NOT NULL REFERENCES new_playlists (id),
  track_id uuid NOT NULL REFERENCES new_tracks (id)) ENGINE=InnoDB;
