-- Runs created before the facet columns existed: the same values as src/store/run-facets.ts, in SQL
-- (drizzle-kit generates schema changes, not data; test/run-facets.test.ts keeps the two in step).
-- Nested CASEs: PostgreSQL does not promise to evaluate AND left to right, and a cast must only see numbers.
UPDATE "runs" SET
  "model" = CASE WHEN jsonb_typeof("config"->'model') = 'string' AND "config"->>'model' <> '' THEN "config"->>'model' END,
  "data" = CASE WHEN jsonb_typeof("config"->'data') = 'string' AND "config"->>'data' <> '' THEN "config"->>'data' END,
  "img" = CASE WHEN jsonb_typeof("config"->'img') = 'number' THEN
    CASE WHEN ("config"->>'img')::numeric = trunc(("config"->>'img')::numeric) THEN ("config"->>'img')::numeric::integer END END,
  "epochs" = CASE WHEN jsonb_typeof("config"->'epochs') = 'number' THEN
    CASE WHEN ("config"->>'epochs')::numeric = trunc(("config"->>'epochs')::numeric) THEN ("config"->>'epochs')::numeric::integer END END,
  "strategy" = coalesce(nullif(trim(BOTH '+' FROM
    coalesce((
      SELECT string_agg(s.value->>'kind', '+' ORDER BY s.ord)
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof("runs"."config"->'strategies') = 'array' THEN "runs"."config"->'strategies' ELSE '[]'::jsonb END)
        WITH ORDINALITY AS s(value, ord)
      WHERE jsonb_typeof(s.value->'kind') = 'string' AND s.value->>'kind' <> ''
    ), '')
    || CASE WHEN jsonb_typeof("config"->'prune') = 'object' THEN '+prune' ELSE '' END), ''), 'baseline')
WHERE "strategy" IS NULL;
