-- bench/seed002/fingerprint.sql: each new table as one line: its rows and an md5 over them in legacy_id
-- order, every column both sides write, a reference as the legacy_id of the row it points at (the
-- UUIDs differ: random on one side, uuid_v5 on the other); a deleted_at made from the run's time
-- (no "at" column) only as set or not.
SET TimeZone = 'UTC';
SELECT 'users ' || count(*) || ' ' || md5(string_agg(concat_ws('|', legacy_id, username, email, role, last_login_at), E'\n' ORDER BY legacy_id)) FROM users
UNION ALL SELECT 'suppliers ' || count(*) || ' ' || md5(string_agg(concat_ws('|', legacy_id, name, region), E'\n' ORDER BY legacy_id)) FROM suppliers
UNION ALL SELECT 'brands ' || count(*) || ' ' || md5(string_agg(concat_ws('|', legacy_id, brand_name, is_active), E'\n' ORDER BY legacy_id)) FROM brands
UNION ALL SELECT 'models ' || count(*) || ' ' || md5(string_agg(concat_ws('|', m.legacy_id, b.legacy_id, m.legacy_brand_id, s.legacy_id,
    m.model_name, m.factory_assignments, m.is_active, m.deleted_at IS NOT NULL), E'\n' ORDER BY m.legacy_id))
  FROM models m JOIN brands b ON b.id = m.brand_id LEFT JOIN suppliers s ON s.id = m.primary_supplier_id
UNION ALL SELECT 'fitters ' || count(*) || ' ' || md5(string_agg(concat_ws('|', f.legacy_id, u.legacy_id, f.legacy_user_id, f.name, f.city,
    f.country, f.region, f.specializations, f.deleted_at IS NOT NULL), E'\n' ORDER BY f.legacy_id))
  FROM fitters f LEFT JOIN users u ON u.id = f.user_id
UNION ALL SELECT 'customers ' || count(*) || ' ' || md5(string_agg(concat_ws('|', c.legacy_id, c.name, c.email, c.address, c.city, c.country,
    f.legacy_id, c.legacy_fitter_id, c.created_at, c.deleted_at), E'\n' ORDER BY c.legacy_id))
  FROM customers c LEFT JOIN fitters f ON f.id = c.fitter_id
UNION ALL SELECT 'orders ' || count(*) || ' ' || md5(string_agg(concat_ws('|', o.legacy_id, o.order_number, c.legacy_id, o.legacy_customer_id,
    f.legacy_id, o.legacy_fitter_id, m.legacy_id, o.legacy_saddle_id, o.status, o.saddle_specifications, o.order_data_raw,
    o.special_instructions, o.total_amount, o.deposit_paid, o.created_at), E'\n' ORDER BY o.legacy_id))
  FROM orders o JOIN customers c ON c.id = o.customer_id LEFT JOIN fitters f ON f.id = o.fitter_id
  LEFT JOIN models m ON m.id = o.model_id
UNION ALL SELECT 'order_items ' || count(*) || ' ' || md5(string_agg(concat_ws('|', i.legacy_id, o.legacy_id, i.legacy_order_id, i.option_name,
    i.option_value, i.price), E'\n' ORDER BY i.legacy_id))
  FROM order_items i JOIN orders o ON o.id = i.order_id;
