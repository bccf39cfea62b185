-- Seed 002's eight phases over the foreign tables of source.sql, into the
-- tables of schema.sql. Shared by tests/cross/seed002_migration.sql and
-- bench/seed002.sh.
-- Every phase: UUID v5 keys (the same legacy row gets the same UUID in
-- staging and production) and the legacy integer in legacy_id.  Specs are
-- dollar-quoted so their SQL keeps its quotes as written.
SELECT define_phase('users', $spec${
  "source": "legacy.Credentials", "source_key": "ID", "target": "users", "legacy_column": "legacy_id",
  "columns": {
    "username": "UserName", "email": "Email",
    "role": {"from": "UserType", "map": {"1": "admin", "2": "fitter", "3": "supplier"}, "default": "user"},
    "last_login_at": {"sql": "NULLIF(\"LastLogin\", 0)", "convert": "epoch_to_timestamp"}},
  "required": ["username"], "unique": ["username"]}$spec$);

SELECT define_phase('suppliers', $spec${
  "source": "legacy.Factories", "source_key": "ID", "target": "suppliers", "legacy_column": "legacy_id",
  "columns": {"name": "FactoryName", "region": "Region"}}$spec$);

SELECT define_phase('brands', $spec${
  "source": "legacy.Brands", "source_key": "ID", "target": "brands", "legacy_column": "legacy_id",
  "columns": {"brand_name": "BrandName", "is_active": {"sql": "\"Active\" <> 0"}}}$spec$);

SELECT define_phase('models', $spec${
  "source": "legacy.Saddles", "source_key": "ID", "target": "models", "legacy_column": "legacy_id",
  "columns": {
    "brand_id": {"from": "BrandID", "ref": "brands"}, "legacy_brand_id": "BrandID",
    "primary_supplier_id": {"from": "FactoryEU", "ref": "suppliers"},
    "model_name": "ModelName",
    "factory_assignments": {"json": {"eu": "FactoryEU", "us": "FactoryUS", "au": "FactoryAU"}},
    "is_active": {"sql": "\"Active\" <> 0"},
    "deleted_at": {"from": "Deleted", "convert": "flag_to_deleted_at"}}}$spec$);

SELECT define_phase('fitters', $spec${
  "source": "legacy.Fitters", "source_key": "ID", "target": "fitters", "legacy_column": "legacy_id",
  "columns": {
    "user_id": {"from": "UserID", "ref": "users"}, "legacy_user_id": "UserID",
    "name": "Name", "city": "City", "country": "Country",
    "region": {"from": "Country", "map": {"GB": "Europe", "DE": "Europe", "US": "North America", "AU": "Oceania"},
               "default": "Other"},
    "deleted_at": {"from": "Deleted", "convert": "flag_to_deleted_at"}}}$spec$);

-- Customers: the legacy table has no deletion time, only ModifiedTime (the
-- last change of a deleted row is its deletion).  flag_to_deleted_at's "at"
-- takes a timestamp column, not a UNIX time, so the source is a query over
-- the foreign table that adds the converted time as "DeletedTime".
-- FitterID 0 means "no fitter" in the legacy application and five customers
-- point at a fitter that never existed: both migrate with fitter_id NULL
-- (on_missing "null") and keep the legacy number in legacy_fitter_id.
SELECT define_phase('customers', $spec${
  "source": {"query": "SELECT c.*, to_timestamp(c.\"ModifiedTime\") AS \"DeletedTime\" FROM legacy.\"Customers\" c"},
  "source_key": "ID", "target": "customers", "legacy_column": "legacy_id",
  "columns": {
    "name": "Name", "email": "Email", "address": "Address", "city": "City", "country": "Country",
    "fitter_id": {"from": "FitterID", "ref": "fitters", "on_missing": "null"},
    "legacy_fitter_id": {"sql": "NULLIF(\"FitterID\", 0)"},
    "created_at": {"from": "CreatedTime", "convert": "epoch_to_timestamp"},
    "deleted_at": {"from": "Deleted", "convert": "flag_to_deleted_at", "at": "DeletedTime"}},
  "required": ["name", "created_at"], "unique": ["email"]}$spec$);

-- Orders: drafts (status 0, never submitted) are filtered by a declared
-- condition and counted; an order whose customer was never migrated, or
-- whose OrderTime is 0 (created_at NOT NULL), is rejected with its reason.
SELECT define_phase('orders', $spec${
  "source": "legacy.Orders", "source_key": "ID", "target": "orders", "legacy_column": "legacy_id",
  "columns": {
    "order_number": {"sql": "'OMS-' || lpad(\"ID\"::text, 6, '0')"},
    "customer_id": {"from": "CustomerID", "ref": "customers"}, "legacy_customer_id": "CustomerID",
    "fitter_id": {"from": "FitterID", "ref": "fitters"}, "legacy_fitter_id": "FitterID",
    "model_id": {"from": "SaddleID", "ref": "models"}, "legacy_saddle_id": "SaddleID",
    "status": {"from": "OrderStatus", "map": {"1": "pending", "7": "completed", "9": "cancelled", "11": "processing"},
               "default": "pending"},
    "saddle_specifications": {"sql": "order_data_json(\"OrderData\")", "convert": "keys_to_snake_case"},
    "order_data_raw": {"sql": "CASE WHEN \"OrderData\" <> '' AND order_data_json(\"OrderData\") IS NULL THEN \"OrderData\" END"},
    "special_instructions": "SpecialNotes",
    "total_amount": "PriceSaddle", "deposit_paid": "PriceDeposit",
    "created_at": {"sql": "NULLIF(\"OrderTime\", 0)", "convert": "epoch_to_timestamp"}},
  "where": "\"OrderStatus\" <> 0",
  "required": ["customer_id", "order_number", "created_at"],
  "unique": ["order_number"],
  "aggregates": [
    {"name": "saddle_total", "source": "sum(\"PriceSaddle\")", "target": "sum(total_amount)"},
    {"name": "deposits_per_customer", "source": "sum(\"PriceDeposit\")", "target": "sum(deposit_paid)",
     "per": {"source": "\"CustomerID\"", "target": "legacy_customer_id"}}],
  "checks": [
    {"name": "order_number_is_legacy_id",
     "sql": "SELECT count(*) = 0 FROM orders WHERE legacy_id IS NOT NULL AND order_number <> 'OMS-' || lpad(legacy_id::text, 6, '0')"}]}$spec$);

-- Order lines: the lines of drafts are filtered with their orders; a line
-- whose order was rejected or never existed is rejected.
SELECT define_phase('order_items', $spec${
  "source": "legacy.OrdersInfo", "source_key": "ID", "target": "order_items", "legacy_column": "legacy_id",
  "columns": {
    "order_id": {"from": "OrderID", "ref": "orders"}, "legacy_order_id": "OrderID",
    "option_name": "OptionName", "option_value": "OptionValue", "price": "Price"},
  "where": "\"OrderID\" NOT IN (SELECT \"ID\" FROM legacy.\"Orders\" WHERE \"OrderStatus\" = 0)",
  "aggregates": [{"name": "price_total", "source": "sum(\"Price\")", "target": "sum(price)"}]}$spec$);

