-- bench/seed002/hand.sql: the hand-written half of the competitor. pgloader has copied the legacy
-- MariaDB schema into the schema "ordermys" of this database (lower-case names, as pgloader makes
-- them); these statements build the new tables with the seed's dual IDs: a random UUID plus the
-- legacy integer in legacy_id, every relationship rebuilt by joining on the referenced table's
-- legacy_id (an index: legacy_id is UNIQUE). They do the same job as ferry's eight phases; the
-- rows ferry quarantines are left out by the conditions a DBA adds once the INSERT fails on them
-- (an e-mail longer than the new column, an OrderTime of 0 for a NOT NULL created_at) and by the
-- inner joins (a customer or order that does not exist). Nothing records what was left out.
\set ON_ERROR_STOP 1
SET TimeZone = 'UTC';
-- pgloader leaves its tables without statistics
ANALYZE ordermys.credentials, ordermys.factories, ordermys.brands, ordermys.saddles, ordermys.fitters,
        ordermys.customers, ordermys.orders, ordermys.ordersinfo;
BEGIN;
INSERT INTO users (id, legacy_id, username, email, role, last_login_at)
SELECT gen_random_uuid(), c.id, c.username, c.email,
       CASE c.usertype WHEN 1 THEN 'admin' WHEN 2 THEN 'fitter' WHEN 3 THEN 'supplier' ELSE 'user' END,
       to_timestamp(NULLIF(c.lastlogin, 0))
FROM ordermys.credentials c;

INSERT INTO suppliers (id, legacy_id, name, region)
SELECT gen_random_uuid(), f.id, f.factoryname, f.region FROM ordermys.factories f;

INSERT INTO brands (id, legacy_id, brand_name, is_active)
SELECT gen_random_uuid(), b.id, b.brandname, b.active <> 0 FROM ordermys.brands b;

INSERT INTO models (id, legacy_id, brand_id, legacy_brand_id, primary_supplier_id, model_name,
                    factory_assignments, is_active, deleted_at)
SELECT gen_random_uuid(), s.id, b.id, s.brandid, sup.id, s.modelname,
       jsonb_build_object('eu', s.factoryeu, 'us', s.factoryus, 'au', s.factoryau), s.active <> 0,
       CASE WHEN s.deleted <> 0 THEN now() END
FROM ordermys.saddles s JOIN brands b ON b.legacy_id = s.brandid
LEFT JOIN suppliers sup ON sup.legacy_id = s.factoryeu;

INSERT INTO fitters (id, legacy_id, user_id, legacy_user_id, name, city, country, region, deleted_at)
SELECT gen_random_uuid(), f.id, u.id, f.userid, f.name, f.city, f.country,
       CASE f.country WHEN 'GB' THEN 'Europe' WHEN 'DE' THEN 'Europe' WHEN 'US' THEN 'North America'
                      WHEN 'AU' THEN 'Oceania' ELSE 'Other' END,
       CASE WHEN f.deleted <> 0 THEN now() END
FROM ordermys.fitters f LEFT JOIN users u ON u.legacy_id = f.userid;

INSERT INTO customers (id, legacy_id, name, email, address, city, country, fitter_id, legacy_fitter_id,
                       created_at, deleted_at)
SELECT gen_random_uuid(), c.id, c.name, c.email, c.address, c.city, c.country, f.id, NULLIF(c.fitterid, 0),
       to_timestamp(c.createdtime), CASE WHEN c.deleted <> 0 THEN to_timestamp(c.modifiedtime) END
FROM ordermys.customers c LEFT JOIN fitters f ON f.legacy_id = c.fitterid
WHERE length(c.email) <= 255 OR c.email IS NULL;

INSERT INTO orders (id, legacy_id, order_number, customer_id, legacy_customer_id, fitter_id, legacy_fitter_id,
                    model_id, legacy_saddle_id, status, saddle_specifications, order_data_raw,
                    special_instructions, total_amount, deposit_paid, created_at)
SELECT gen_random_uuid(), o.id, 'OMS-' || lpad(o.id::text, 6, '0'), c.id, o.customerid, f.id, o.fitterid,
       m.id, o.saddleid,
       CASE o.orderstatus WHEN 1 THEN 'pending' WHEN 7 THEN 'completed' WHEN 9 THEN 'cancelled'
                          WHEN 11 THEN 'processing' ELSE 'pending' END,
       hand_snake_keys(order_data_json(o.orderdata)),
       CASE WHEN o.orderdata <> '' AND order_data_json(o.orderdata) IS NULL THEN o.orderdata END,
       o.specialnotes, o.pricesaddle, o.pricedeposit, to_timestamp(o.ordertime)
FROM ordermys.orders o JOIN customers c ON c.legacy_id = o.customerid
LEFT JOIN fitters f ON f.legacy_id = o.fitterid
LEFT JOIN models m ON m.legacy_id = o.saddleid
WHERE o.orderstatus <> 0 AND o.ordertime <> 0;

INSERT INTO order_items (id, legacy_id, order_id, legacy_order_id, option_name, option_value, price)
SELECT gen_random_uuid(), i.id, o.id, i.orderid, i.optionname, i.optionvalue, i.price
FROM ordermys.ordersinfo i JOIN orders o ON o.legacy_id = i.orderid;
COMMIT;
