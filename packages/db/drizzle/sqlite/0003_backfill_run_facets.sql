-- Runs created before the facet columns existed: the same values as src/store/run-facets.ts, in SQL
-- (drizzle-kit generates schema changes, not data; test/run-facets.test.ts keeps the two in step).
UPDATE `runs` SET
  `model` = CASE WHEN json_type(`config`, '$.model') = 'text' AND json_extract(`config`, '$.model') <> '' THEN json_extract(`config`, '$.model') END,
  `data` = CASE WHEN json_type(`config`, '$.data') = 'text' AND json_extract(`config`, '$.data') <> '' THEN json_extract(`config`, '$.data') END,
  `img` = CASE WHEN json_type(`config`, '$.img') = 'integer' THEN json_extract(`config`, '$.img') END,
  `epochs` = CASE WHEN json_type(`config`, '$.epochs') = 'integer' THEN json_extract(`config`, '$.epochs') END,
  `strategy` = coalesce(nullif(trim(
    coalesce((
      SELECT group_concat(json_extract(s.value, '$.kind'), '+' ORDER BY s.key)
      FROM json_each(`runs`.`config`, '$.strategies') AS s
      WHERE json_type(`runs`.`config`, '$.strategies') = 'array'
        AND s.type = 'object' AND json_type(s.value, '$.kind') = 'text' AND json_extract(s.value, '$.kind') <> ''
    ), '')
    || CASE WHEN json_type(`config`, '$.prune') = 'object' THEN '+prune' ELSE '' END, '+'), ''), 'baseline')
WHERE `strategy` IS NULL;
