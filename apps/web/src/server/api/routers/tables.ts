/** The upstream results tables, each row beside the best matching run of ours. */
import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '~/server/api/trpc.ts';
import { buildResultsTables } from '~/server/tables/results.ts';
import { tableToCsv, tableToMarkdown } from '~/server/tables/export.ts';
import { notFound } from '~/server/api/errors.ts';

export const tablesRouter = createTRPCRouter({
  list: publicProcedure.query(({ ctx }) => buildResultsTables(ctx.store)),

  export: publicProcedure
    .input(z.object({ key: z.string().min(1).max(100), format: z.enum(['csv', 'markdown']) }).strict())
    .query(async ({ ctx, input }) => {
      const table = (await buildResultsTables(ctx.store)).find((t) => t.key === input.key);
      if (!table) throw notFound(`results table ${JSON.stringify(input.key)}`);
      const text = input.format === 'csv' ? tableToCsv(table) : tableToMarkdown(table);
      return { fileName: `${table.key}.${input.format === 'csv' ? 'csv' : 'md'}`, text };
    }),
});
