-- Deploy wedding:ferry
CREATE EXTENSION IF NOT EXISTS ferry;
