/**
 * Runs: the paginated table, one run's details and live progress, launching, comparing.
 * Sorting, filtering and paging happen in the database (RunStore.listRuns), so the table stays
 * fast however many runs there are.
 */
import { RunConfigSchema } from '@distillery/core/config';
import { RUN_SORT_FIELDS, RUN_STATUSES, pendingDependencies, queuedRunsWaitingFor, type EpochRecord, type Run } from '@distillery/db';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { badRequest } from '~/server/api/errors.ts';
import { createTRPCRouter, publicProcedure } from '~/server/api/trpc.ts';
import { configSummary, durationSeconds } from '~/server/runs/config-summary.ts';
import { resolveLaunchConfig } from '~/server/presets/catalog.ts';
import { readRunLog } from '~/server/runs/logs.ts';
import { RunIdSchema, requireRun } from '~/server/runs/require-run.ts';

const TERMINAL = new Set(['done', 'failed', 'interrupted']);

export const ListRunsInput = z
  .object({
    page: z.number().int().min(1).max(1_000_000).default(1),
    pageSize: z.number().int().min(1).max(200).default(25),
    sort: z
      .object({ field: z.enum(RUN_SORT_FIELDS as unknown as [string, ...string[]]), dir: z.enum(['asc', 'desc']).default('desc') })
      .optional(),
    filter: z
      .object({
        status: z.array(z.enum(RUN_STATUSES)).max(RUN_STATUSES.length).optional(),
        search: z.string().max(200).optional(),
        preset: z.string().max(200).optional(),
        studyId: z.string().max(128).optional(),
        // Exact values of the runs' indexed config columns (the choices come from `runs.facets`).
        model: z.string().max(500).optional(),
        data: z.string().max(1000).optional(),
        strategy: z.string().max(200).optional(),
        img: z.number().int().min(0).max(100_000).optional(),
        epochs: z.number().int().min(0).max(1_000_000).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

function liveView(run: Run) {
  return {
    id: run.id,
    status: run.status,
    progress: run.progress,
    lastEpoch: run.lastEpoch,
    epochsPlanned: run.epochsPlanned,
    error: run.error,
    heartbeatAt: run.heartbeatAt,
    updatedAt: run.updatedAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
  };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

/** How often the live subscription looks at the database. */
export const LIVE_POLL_MS = 1000;

export const runsRouter = createTRPCRouter({
  list: publicProcedure.input(ListRunsInput).query(async ({ ctx, input }) => {
    const page = await ctx.store.listRuns({
      page: input.page,
      pageSize: input.pageSize,
      sort: input.sort ? { field: input.sort.field as (typeof RUN_SORT_FIELDS)[number], dir: input.sort.dir } : undefined,
      filter: input.filter,
    });
    // Model, data, img, epochs and strategy are columns of the summary rows: no config is read.
    const now = Date.now();
    // A queued row says what it waits for: the runs it depends on that are not done, or (empty) a worker.
    const waiting = await queuedRunsWaitingFor(ctx.store, page.rows);
    return {
      ...page,
      rows: page.rows.map((row) => ({ ...row, durationSeconds: durationSeconds(row, now), waitingFor: waiting.get(row.id) ?? null })),
    };
  }),

  /** The model / data / strategy / img / epochs values runs have, with counts: the table's filter choices. */
  facets: publicProcedure.query(({ ctx }) => ctx.store.runFacetValues()),

  get: publicProcedure.input(z.object({ id: RunIdSchema }).strict()).query(async ({ ctx, input }) => {
    const run = await requireRun(ctx.store, input.id);
    const [result, artifacts, study, dependencies] = await Promise.all([
      ctx.store.result(run.id),
      ctx.store.artifacts(run.id),
      run.studyId ? ctx.store.getStudy(run.studyId) : Promise.resolve(null),
      ctx.store.dependencies(run.id),
    ]);
    return {
      run,
      result,
      artifacts,
      study,
      dependencies,
      // null unless queued; empty: the run only waits for a free worker.
      waitingFor: run.status === 'queued' ? pendingDependencies(dependencies) : null,
      summary: configSummary(run.config),
      durationSeconds: durationSeconds(run),
    };
  }),

  epochs: publicProcedure.input(z.object({ id: RunIdSchema }).strict()).query(async ({ ctx, input }) => {
    await requireRun(ctx.store, input.id);
    return ctx.store.epochs(input.id);
  }),

  logs: publicProcedure
    .input(z.object({ id: RunIdSchema, maxBytes: z.number().int().min(1024).max(1 << 20).default(64 * 1024) }).strict())
    .query(async ({ ctx, input }) => {
      const run = await requireRun(ctx.store, input.id);
      return readRunLog(ctx.env.dataDir, run.runDir, await ctx.store.artifacts(run.id), input.maxBytes);
    }),

  /**
   * Live progress over server-sent events: the run's status and progress whenever they change, and
   * each epoch's metrics once. Reconnecting clients send the last event id (the last epoch they
   * have) and get only newer epochs. Ends when the run reaches a terminal status.
   */
  live: publicProcedure
    .input(z.object({ id: RunIdSchema, lastEventId: z.string().max(64).nullish() }).strict())
    .subscription(async function* ({ ctx, input, signal }) {
      await requireRun(ctx.store, input.id);
      const resumedFrom = input.lastEventId ? Number.parseInt(input.lastEventId.split(':')[0] ?? '', 10) : NaN;
      let sentEpoch = Number.isFinite(resumedFrom) ? resumedFrom : -1;
      let lastSeen = '';
      while (!signal?.aborted) {
        const run = await ctx.store.getRun(input.id);
        if (!run) return;
        const all: EpochRecord[] = run.lastEpoch !== null && run.lastEpoch > sentEpoch ? await ctx.store.epochs(run.id) : [];
        const epochs = all.filter((e) => e.epoch > sentEpoch);
        const fingerprint = `${run.updatedAt}:${run.heartbeatAt}:${run.status}`;
        if (epochs.length > 0 || fingerprint !== lastSeen) {
          sentEpoch = Math.max(sentEpoch, ...epochs.map((e) => e.epoch));
          lastSeen = fingerprint;
          yield tracked(`${sentEpoch}:${fingerprint}`, { run: liveView(run), epochs });
        }
        if (TERMINAL.has(run.status)) return;
        await sleep(LIVE_POLL_MS, signal);
      }
    }),

  /** Enqueues a run for `pnpm trainer worker`; the config is validated by the trainer's own schema. */
  launch: publicProcedure
    .input(
      z
        .object({ preset: z.string().max(200).nullish(), config: RunConfigSchema, priority: z.number().int().min(-100).max(100).default(0) })
        .strict(),
    )
    .mutation(async ({ ctx, input }) => {
      const config = resolveLaunchConfig(input.preset, input.config);
      const name = config.name ?? config.preset ?? `${config.model} on ${config.data}`;
      const run = await ctx.store.createRun({
        name,
        preset: config.preset ?? null,
        config: config as unknown as Record<string, unknown>,
        epochsPlanned: config.epochs,
        priority: input.priority,
        createdBy: 'dashboard',
        enqueue: true,
      });
      return { id: run.id, status: run.status };
    }),

  /** Two to ten runs side by side: configs, curves, final metrics. */
  compare: publicProcedure
    .input(z.object({ ids: z.array(RunIdSchema).min(2, 'pick at least two runs').max(10, 'at most ten runs') }).strict())
    .query(async ({ ctx, input }) => {
      const ids = [...new Set(input.ids)];
      if (ids.length < 2) throw badRequest('pick at least two different runs');
      return Promise.all(
        ids.map(async (id) => {
          const run = await requireRun(ctx.store, id);
          const [epochs, result] = await Promise.all([ctx.store.epochs(id), ctx.store.result(id)]);
          return { run, epochs, result, summary: configSummary(run.config) };
        }),
      );
    }),

  /** mAP against FLOPs for every finished run (the compare page's scatter). */
  scatter: publicProcedure.query(async ({ ctx }) => {
    const points: Array<{ id: string; name: string; preset: string | null; map50: number; map5095: number; gmacs: number; params: number; img: number }> = [];
    for (let page = 1; ; page++) {
      const batch = await ctx.store.listRuns({ page, pageSize: 500, filter: { status: ['done'] }, sort: { field: 'createdAt', dir: 'asc' } });
      for (const r of batch.rows) {
        if (r.result && r.result.gmacs !== null) points.push({ id: r.id, name: r.name, preset: r.preset, ...r.result, gmacs: r.result.gmacs });
      }
      if (page * batch.pageSize >= batch.total || batch.rows.length === 0) break;
    }
    return points;
  }),
});
