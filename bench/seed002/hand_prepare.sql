-- bench/seed002/hand_prepare.sql: what the hand-written side needs before it runs (not timed):
-- PostgreSQL has no function that turns JSON keys into snake_case, so the DBA writes one.
CREATE FUNCTION hand_snake_keys(doc jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE STRICT AS $$
BEGIN
  RETURN CASE jsonb_typeof(doc)
    WHEN 'object' THEN (SELECT coalesce(jsonb_object_agg(lower(regexp_replace(regexp_replace(k,
                          '([A-Z]+)([A-Z][a-z])', '\1_\2', 'g'), '([a-z0-9])([A-Z])', '\1_\2', 'g')),
                          hand_snake_keys(v)), '{}') FROM jsonb_each(doc) AS e(k, v))
    WHEN 'array' THEN (SELECT coalesce(jsonb_agg(hand_snake_keys(v) ORDER BY i), '[]')
                         FROM jsonb_array_elements(doc) WITH ORDINALITY AS a(v, i))
    ELSE doc END;
END $$;
