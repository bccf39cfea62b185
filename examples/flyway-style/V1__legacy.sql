-- V1: the legacy schema and data, and the new schema (in a real project
-- these migrations already exist; here they are seed 001's wedding example).
\ir ../wedding/postgres/legacy.sql
