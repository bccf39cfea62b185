-- Seed 002's new schema and the OrderData guard. Shared by
-- tests/cross/seed002_migration.sql and bench/seed002.sh (both competitors
-- write into these tables, each in its own database).
CREATE TABLE users (
  id uuid PRIMARY KEY, legacy_id integer UNIQUE, username varchar(100) NOT NULL, email varchar(255),
  role text NOT NULL CHECK (role IN ('admin', 'fitter', 'supplier', 'user')), last_login_at timestamptz);
CREATE TABLE suppliers (
  id uuid PRIMARY KEY, legacy_id integer UNIQUE, name varchar(200) NOT NULL, region varchar(10) NOT NULL);
CREATE TABLE brands (
  id uuid PRIMARY KEY, legacy_id integer UNIQUE, brand_name varchar(200) NOT NULL,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE models (
  id uuid PRIMARY KEY, legacy_id integer UNIQUE, brand_id uuid NOT NULL REFERENCES brands,
  legacy_brand_id integer, primary_supplier_id uuid REFERENCES suppliers, model_name varchar(255) NOT NULL,
  factory_assignments jsonb, is_active boolean NOT NULL DEFAULT true, deleted_at timestamptz);
CREATE TABLE fitters (
  id uuid PRIMARY KEY, legacy_id integer UNIQUE, user_id uuid REFERENCES users, legacy_user_id integer,
  name varchar(255) NOT NULL, city varchar(100), country varchar(100), region varchar(100),
  specializations jsonb NOT NULL DEFAULT '[]', deleted_at timestamptz);
CREATE TABLE customers (
  id uuid PRIMARY KEY, legacy_id integer UNIQUE, name varchar(255) NOT NULL, email varchar(255),
  address text, city varchar(100), country varchar(100),
  fitter_id uuid REFERENCES fitters, legacy_fitter_id integer,
  created_at timestamptz NOT NULL, deleted_at timestamptz);
CREATE TABLE orders (
  id uuid PRIMARY KEY, legacy_id integer UNIQUE, order_number varchar(20) NOT NULL UNIQUE,
  customer_id uuid NOT NULL REFERENCES customers, legacy_customer_id integer,
  fitter_id uuid REFERENCES fitters, legacy_fitter_id integer,
  model_id uuid REFERENCES models, legacy_saddle_id integer,
  status text NOT NULL CHECK (status IN ('pending', 'processing', 'completed', 'cancelled')),
  saddle_specifications jsonb, order_data_raw text, special_instructions text,
  total_amount numeric(10,2) NOT NULL, deposit_paid numeric(10,2) NOT NULL,
  created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE order_items (
  id uuid PRIMARY KEY, legacy_id integer UNIQUE, order_id uuid NOT NULL REFERENCES orders,
  legacy_order_id integer, option_name varchar(100) NOT NULL, option_value varchar(255),
  price numeric(10,2) NOT NULL);

-- WORKAROUND: ferry 0.1 has no legacy_to_json yet, and an error raised
-- inside a spec's sql expression fails the whole run (README, Caveats), so
-- OrderData is parsed by this guard: valid JSON comes back as jsonb, any
-- other text (truncated JSON, PHP serialize() output, '') as NULL, never an
-- error.  The orders phase keeps the unparsed text in order_data_raw, so no
-- blob is lost.  IMMUTABLE: the same text always parses the same, which the
-- content round trip of validation relies on.
CREATE FUNCTION order_data_json(blob text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  RETURN blob::jsonb;
EXCEPTION WHEN data_exception THEN
  RETURN NULL;
END $$;
