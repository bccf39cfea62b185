-- bench/kharisma/compare.sql: did ferry (kharisma_ferry) and the seed's SQL (kharisma_db_new) write
-- the same rows? Run once per size, after both migrations. Every target row becomes an MD5 over the
-- columns both write, keyed by what both keep of the legacy row: orders and payments by the order
-- number, customers by the phone, users by the e-mail; the keys themselves (INT vs UUID) are replaced
-- by what they point at (the customer's phone, the user's name). The rows only ferry wrote must be
-- exactly the ones the seed drops (orders and payments of phone-less customers, the phone-less
-- customers themselves), and ferry's books must balance: every legacy order migrated or quarantined.
-- Prints one line per table and a final verdict line starting with "OK" or "MISMATCH".
DROP DATABASE IF EXISTS kharisma_cmp;
CREATE DATABASE kharisma_cmp;
USE kharisma_cmp;

CREATE TABLE fp (side VARCHAR(5), tbl VARCHAR(10), k VARCHAR(100), h CHAR(32), nophone BOOLEAN,
                 PRIMARY KEY (tbl, side, k));
-- orders: everything the seed's SQL sets, its customer by phone, its creator by name
INSERT INTO fp
SELECT 'hand', 'orders', o.order_number,
       MD5(CONCAT_WS('|', o.service_type, o.status, o.subtotal_price, o.discount_amount, o.tax_amount, o.total_amount,
                     QUOTE(o.notes), o.created_at, o.updated_at, QUOTE(o.completed_at), QUOTE(c.phone), u.username)),
       c.phone IS NULL
FROM kharisma_db_new.orders o JOIN kharisma_db_new.customers c ON c.id = o.customer_id
JOIN kharisma_db_new.users u ON u.id = o.created_by;
INSERT INTO fp
SELECT 'ferry', 'orders', o.order_number,
       MD5(CONCAT_WS('|', o.service_type, o.status, o.subtotal_price, o.discount_amount, o.tax_amount, o.total_amount,
                     QUOTE(o.notes), o.created_at, o.updated_at, QUOTE(o.completed_at), QUOTE(c.phone), u.username)),
       c.phone IS NULL
FROM kharisma_ferry.orders o JOIN kharisma_ferry.customers c ON c.id = o.customer_id
JOIN kharisma_ferry.users u ON u.id = o.created_by;
-- payments: by their order's number
INSERT INTO fp
SELECT 'hand', 'payments', o.order_number,
       MD5(CONCAT_WS('|', p.payment_method, p.amount, p.status, QUOTE(p.transaction_id), QUOTE(p.notes), p.created_at,
                     u.username)), c.phone IS NULL
FROM kharisma_db_new.payments p JOIN kharisma_db_new.orders o ON o.id = p.order_id
JOIN kharisma_db_new.customers c ON c.id = o.customer_id JOIN kharisma_db_new.users u ON u.id = p.created_by;
INSERT INTO fp
SELECT 'ferry', 'payments', o.order_number,
       MD5(CONCAT_WS('|', p.payment_method, p.amount, p.status, QUOTE(p.transaction_id), QUOTE(p.notes), p.created_at,
                     u.username)), c.phone IS NULL
FROM kharisma_ferry.payments p JOIN kharisma_ferry.orders o ON o.id = p.order_id
JOIN kharisma_ferry.customers c ON c.id = o.customer_id JOIN kharisma_ferry.users u ON u.id = p.created_by;
-- customers: by phone. Only the phone set is compared: which name, address and dates a merged
-- customer gets differs by design (the seed's GROUP BY over its UNION keeps an arbitrary service's
-- row; ferry's phase takes the newest account's, by its merge_order), see the "same name" column.
INSERT INTO fp SELECT 'hand', 'customers', COALESCE(phone, CONCAT('no phone #', id)), MD5(QUOTE(phone)), phone IS NULL
FROM kharisma_db_new.customers;
INSERT INTO fp SELECT 'ferry', 'customers', COALESCE(phone, CONCAT('no phone #', id)), MD5(QUOTE(phone)), phone IS NULL
FROM kharisma_ferry.customers;
-- users: the migrated employees by e-mail (not the hand-made admin; created_at/updated_at differ by
-- design: the seed writes NOW() for a missing date, ferry a fixed date that its round trip can prove)
INSERT INTO fp SELECT 'hand', 'users', email, MD5(CONCAT_WS('|', username, full_name, QUOTE(phone), role, is_active)), FALSE
FROM kharisma_db_new.users WHERE username <> 'admin';
INSERT INTO fp SELECT 'ferry', 'users', email, MD5(CONCAT_WS('|', username, full_name, QUOTE(phone), role, is_active)), FALSE
FROM kharisma_ferry.users WHERE username <> 'admin';

-- digest(k, h): an md5 per row of key and hash, summed as two 60-bit numbers: it does not depend on
-- the order of the rows (a GROUP_CONCAT of 900k rows would not fit a temporary TEXT column)
CREATE TABLE cmp AS
SELECT t.tbl,
       (SELECT count(*) FROM fp h JOIN fp f ON f.tbl = h.tbl AND f.side = 'ferry' AND f.k = h.k
         WHERE h.tbl = t.tbl AND h.side = 'hand') AS both_wrote,
       (SELECT count(*) FROM fp h JOIN fp f ON f.tbl = h.tbl AND f.side = 'ferry' AND f.k = h.k AND f.h = h.h
         WHERE h.tbl = t.tbl AND h.side = 'hand') AS identical,
       (SELECT CONCAT(SUM(CAST(CONV(LEFT(MD5(CONCAT(h.k, ':', h.h)), 15), 16, 10) AS UNSIGNED)), '-',
                      SUM(CAST(CONV(RIGHT(MD5(CONCAT(h.k, ':', h.h)), 15), 16, 10) AS UNSIGNED))) FROM fp h
         WHERE h.tbl = t.tbl AND h.side = 'hand' AND EXISTS (SELECT 1 FROM fp f WHERE f.tbl = h.tbl AND f.side = 'ferry' AND f.k = h.k)) AS digest_hand,
       (SELECT CONCAT(SUM(CAST(CONV(LEFT(MD5(CONCAT(f.k, ':', f.h)), 15), 16, 10) AS UNSIGNED)), '-',
                      SUM(CAST(CONV(RIGHT(MD5(CONCAT(f.k, ':', f.h)), 15), 16, 10) AS UNSIGNED))) FROM fp f
         WHERE f.tbl = t.tbl AND f.side = 'ferry' AND EXISTS (SELECT 1 FROM fp h WHERE h.tbl = f.tbl AND h.side = 'hand' AND h.k = f.k)) AS digest_ferry,
       (SELECT count(*) FROM fp h WHERE h.tbl = t.tbl AND h.side = 'hand'
           AND NOT EXISTS (SELECT 1 FROM fp f WHERE f.tbl = h.tbl AND f.side = 'ferry' AND f.k = h.k)) AS hand_only,
       (SELECT count(*) FROM fp f WHERE f.tbl = t.tbl AND f.side = 'ferry'
           AND NOT EXISTS (SELECT 1 FROM fp h WHERE h.tbl = f.tbl AND h.side = 'hand' AND h.k = f.k)) AS ferry_only,
       (SELECT count(*) FROM fp f WHERE f.tbl = t.tbl AND f.side = 'ferry' AND f.nophone
           AND NOT EXISTS (SELECT 1 FROM fp h WHERE h.tbl = f.tbl AND h.side = 'hand' AND h.k = f.k)) AS ferry_only_phoneless
FROM (SELECT 'users' AS tbl UNION ALL SELECT 'customers' UNION ALL SELECT 'orders' UNION ALL SELECT 'payments') t;

-- ferry's books for the orders: every legacy transaction is in the id map or quarantined
SET @orders_phase = (SELECT id FROM ferry.phases WHERE db = 'kharisma_ferry' AND name = 'orders');
EXECUTE IMMEDIATE CONCAT('SELECT count(*) INTO @orders_mapped FROM ferry_catalog.map_', @orders_phase);
SET @orders_rejected = (SELECT count(*) FROM ferry.migration_rejects WHERE phase_id = @orders_phase);
SET @orders_source = (SELECT count(*) FROM kharisma_db.carwash_transactions) + (SELECT count(*) FROM kharisma_db.laundry_items)
                   + (SELECT count(*) FROM kharisma_db.drinking_water_transactions);
SET @names_same = (SELECT count(*) FROM kharisma_db_new.customers h JOIN kharisma_ferry.customers f ON f.phone = h.phone
                    WHERE f.name = h.name);

SELECT CONCAT('check ', tbl, ': both wrote ', both_wrote, ', identical ', identical, ' (digest seed ', COALESCE(digest_hand, '-'),
              ', ferry ', COALESCE(digest_ferry, '-'), '); only the seed''s SQL: ', hand_only, '; only ferry: ', ferry_only,
              ' (', ferry_only_phoneless, ' of them of phone-less customers, which the seed drops)',
              IF(tbl = 'customers', CONCAT('; same name ', @names_same, ' of ', both_wrote), '')) AS line
FROM cmp ORDER BY FIELD(tbl, 'users', 'customers', 'orders', 'payments');
SELECT CONCAT('check ferry books, orders: ', @orders_source, ' legacy transactions = ', @orders_mapped, ' migrated + ',
              @orders_rejected, ' quarantined; the seed''s SQL wrote ',
              (SELECT count(*) FROM kharisma_db_new.orders), ' (', @orders_source - (SELECT count(*) FROM kharisma_db_new.orders),
              ' dropped without a trace)') AS line;
SELECT IF((SELECT count(*) FROM cmp WHERE hand_only > 0 OR ferry_only <> ferry_only_phoneless
             OR (tbl <> 'customers' AND identical <> both_wrote)) = 0
          AND @orders_source = @orders_mapped + @orders_rejected,
          'OK: ferry wrote every row the seed''s SQL wrote, identical, plus only the phone-less customers'' rows the seed drops; its books balance',
          'MISMATCH: see the check lines') AS line;
DROP DATABASE kharisma_cmp;
