/**
 * Artifacts: a run's checkpoints and other files (download links point at /api/artifacts/...,
 * which serves only files inside the data folder), and its validation images.
 */
import path from 'node:path';
import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '~/server/api/trpc.ts';
import { RunIdSchema, requireRun } from '~/server/runs/require-run.ts';
import { configSummary } from '~/server/runs/config-summary.ts';
import { readValidationImages } from '~/server/runs/validation-images.ts';

/** Which checkpoint of a run the browser loads: the best one, else the last. */
const MODEL_KINDS = ['checkpoint-best', 'checkpoint-last', 'checkpoint'];

export const artifactsRouter = createTRPCRouter({
  list: publicProcedure.input(z.object({ runId: RunIdSchema }).strict()).query(async ({ ctx, input }) => {
    const run = await requireRun(ctx.store, input.runId);
    const artifacts = await ctx.store.artifacts(run.id);
    return artifacts.map((a) => ({
      ...a,
      fileName: path.basename(a.path),
      downloadUrl: `/api/artifacts/${encodeURIComponent(run.id)}/${a.id}`,
    }));
  }),

  validationImages: publicProcedure.input(z.object({ runId: RunIdSchema }).strict()).query(async ({ ctx, input }) => {
    const run = await requireRun(ctx.store, input.runId);
    return readValidationImages(ctx.env.dataDir, run.runDir, await ctx.store.artifacts(run.id));
  }),

  /** Finished runs whose model the browser can load (Try it), newest first, with the teacher they were distilled from. */
  models: publicProcedure.query(async ({ ctx }) => {
    const page = await ctx.store.listRuns({ page: 1, pageSize: 200, filter: { status: ['done'] }, sort: { field: 'createdAt', dir: 'desc' } });
    const out: Array<{ runId: string; name: string; model: string; strategy: string; teacher: string | null; map50: number | null; kind: string; url: string; bytes: number }> = [];
    for (const row of page.rows) {
      const [run, artifacts] = await Promise.all([ctx.store.getRun(row.id), ctx.store.artifacts(row.id)]);
      const checkpoint = MODEL_KINDS.map((k) => artifacts.filter((a) => a.kind === k).at(-1)).find((a) => a !== undefined);
      if (!run || !checkpoint) continue;
      const summary = configSummary(run.config);
      out.push({
        runId: run.id,
        name: run.name,
        model: summary.model,
        strategy: summary.strategy,
        teacher: summary.teacher,
        map50: row.result?.map50 ?? null,
        kind: checkpoint.kind,
        url: `/api/artifacts/${encodeURIComponent(run.id)}/${checkpoint.id}`,
        bytes: checkpoint.bytes,
      });
    }
    return out;
  }),
});
