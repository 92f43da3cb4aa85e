/** Studies and presets: what the launch form offers, and launching a whole study. */
import { RunConfigSchema } from '@distillery/core/config';
import { z } from 'zod';
import { createTRPCRouter, publicProcedure } from '~/server/api/trpc.ts';
import { launchStudy, listPresetOptions } from '~/server/presets/catalog.ts';

export const studiesRouter = createTRPCRouter({
  presets: publicProcedure.query(() => listPresetOptions()),

  list: publicProcedure.query(({ ctx }) => ctx.store.listStudies()),

  launch: publicProcedure
    .input(z.object({ preset: z.string().min(1).max(200), base: RunConfigSchema }).strict())
    .mutation(({ ctx, input }) => launchStudy(ctx.store, input.preset, input.base)),
});
