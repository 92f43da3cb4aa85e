/**
 * Artifacts: a run's checkpoints and other files (download links point at /api/artifacts/...,
 * which serves only files inside the data folder), and its validation images.
 */
import path from 'node:path';
import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '~/server/api/trpc.ts';
import { RunIdSchema, requireRun } from '~/server/runs/require-run.ts';
import { readValidationImages } from '~/server/runs/validation-images.ts';

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
});
