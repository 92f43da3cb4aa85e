/** The app router: one sub-router per domain. */
import { artifactsRouter } from '~/server/api/routers/artifacts.ts';
import { runsRouter } from '~/server/api/routers/runs.ts';
import { studiesRouter } from '~/server/api/routers/studies.ts';
import { tablesRouter } from '~/server/api/routers/tables.ts';
import { createCallerFactory, createTRPCRouter } from '~/server/api/trpc.ts';

export const appRouter = createTRPCRouter({
  runs: runsRouter,
  studies: studiesRouter,
  tables: tablesRouter,
  artifacts: artifactsRouter,
});

export type AppRouter = typeof appRouter;

/** Server-side caller (React Server Components, tests): `createCaller(ctx).runs.list(...)`. */
export const createCaller = createCallerFactory(appRouter);
