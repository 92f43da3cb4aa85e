/**
 * Run references in a config — `weights` and each distillation `teacher` — in the forms a user or a
 * preset writes them: a run id, a checkpoint path, `@preset:<name>` ("a finished run of that preset"),
 * `pretrained:<what>` (public upstream weights). Two moments:
 * - when a run is created, `pinReferences` replaces `@preset:` by the id of the newest finished run of
 *   that preset and checks that run ids exist, so the stored config says exactly what it used and a bad
 *   reference is a usage error before anything is written;
 * - when it executes, `resolveForTraining` turns run ids into their checkpoint files (what core's
 *   `train` reads) and `pretrained:` into a file under `$DISTILLERY_HOME/pretrained/`, or, when that
 *   file is not there, into "from scratch" with a log line saying so.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunConfig } from '@distillery/core';
import type { RunStore } from '@distillery/db';
import { UsageError } from '../errors.ts';

type Slot = 'weights' | 'teacher';

interface Ref {
  field: string;
  slot: Slot;
  value: string;
  set(config: RunConfig, value: string | undefined): RunConfig;
}

function refsOf(config: RunConfig): Ref[] {
  const refs: Ref[] = [];
  if (config.weights)
    refs.push({ field: 'weights', slot: 'weights', value: config.weights, set: (c, v) => ({ ...c, weights: v }) });
  // Stored configs were validated when written; older or hand-made ones may lack fields.
  (config.strategies ?? []).forEach((s, i) => {
    if ('teacher' in s)
      refs.push({
        field: `strategies.${i}.teacher`,
        slot: 'teacher',
        value: s.teacher,
        set: (c, v) => ({ ...c, strategies: c.strategies.map((x, j) => (j === i && 'teacher' in x && v ? { ...x, teacher: v } : x)) }),
      });
  });
  return refs;
}

const PRESET_REF = /^@preset:(.+)$/;
const PRETRAINED_REF = /^pretrained:(.+)$/;

/** A reference that names a run, not a file: no path separator, no extension, no scheme. */
const looksLikeRunId = (v: string) => !/[/\\.:@]/.test(v);

async function newestFinishedRun(store: RunStore, preset: string): Promise<string | null> {
  const page = await store.listRuns({ pageSize: 1, sort: { field: 'createdAt', dir: 'desc' }, filter: { preset, status: ['done'] } });
  return page.rows[0]?.id ?? null;
}

/**
 * Before the run is stored: `@preset:X` → a finished run of X; run ids must exist. `requireFinished`
 * (the run is about to execute here, not queued): a referenced run that is still queued or running has
 * no checkpoint to hand on yet (a worker would wait for it), so that is a usage error saying so.
 */
export async function pinReferences(store: RunStore, config: RunConfig, opts: { requireFinished?: boolean } = {}): Promise<RunConfig> {
  let out = config;
  for (const ref of refsOf(config)) {
    const preset = PRESET_REF.exec(ref.value);
    if (preset) {
      const id = await newestFinishedRun(store, preset[1]);
      if (!id)
        throw new UsageError(
          `${ref.field}: "${ref.value}" needs a finished run of preset ${preset[1]}; run \`pnpm trainer run ${preset[1]}\` first or pass --${ref.slot} RUN_ID|CHECKPOINT`,
        );
      out = ref.set(out, id);
    } else if (looksLikeRunId(ref.value) && !fs.existsSync(ref.value)) {
      const run = await store.getRun(ref.value);
      if (!run) throw new UsageError(`${ref.field}: "${ref.value}" is neither a file nor a run id (see: pnpm trainer runs)`);
      if (opts.requireFinished && (run.status === 'queued' || run.status === 'running'))
        throw new UsageError(
          `${ref.field}: run ${run.id} (${run.name}) is ${run.status}, not finished; wait until it is done, or pass --queue so a worker runs this one after it`,
        );
    }
  }
  return out;
}

/** The checkpoint a finished (or interrupted) run hands on: its best, else its last. */
export async function checkpointOfRun(store: RunStore, runId: string): Promise<string> {
  const artifacts = await store.artifacts(runId);
  for (const kind of ['checkpoint-best', 'checkpoint-last', 'checkpoint']) {
    const found = artifacts.filter((a) => a.kind === kind && fs.existsSync(a.path)).pop();
    if (found) return found.path;
  }
  throw new Error(`run ${runId} has no checkpoint file to start from`);
}

export function pretrainedDir(home: string): string {
  return path.join(home, 'pretrained');
}

/** At execution: every reference becomes a file core's `train` can read (or is dropped, for pretrained weights). */
export async function resolveForTraining(store: RunStore, config: RunConfig, home: string, log: (line: string) => void): Promise<RunConfig> {
  let out = await pinReferences(store, config);
  for (const ref of refsOf(out)) {
    const pretrained = PRETRAINED_REF.exec(ref.value);
    if (pretrained) {
      const file = path.join(pretrainedDir(home), `${pretrained[1]}.safetensors`);
      if (fs.existsSync(file)) out = ref.set(out, file);
      else if (ref.slot === 'weights') {
        log(`weights: ${ref.value} is not available (no ${file}); training from scratch`);
        out = ref.set(out, undefined);
      } else throw new Error(`${ref.field}: ${ref.value} is not available (no ${file})`);
    } else if (looksLikeRunId(ref.value) && !fs.existsSync(ref.value)) {
      const file = await checkpointOfRun(store, ref.value);
      log(`${ref.field}: run ${ref.value} → ${file}`);
      out = ref.set(out, file);
    }
  }
  return out;
}
