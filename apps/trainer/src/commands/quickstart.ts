import Table from 'cli-table3';
import type { Command } from 'commander';
import * as core from '@distillery/core';
import { intOption } from '../config/build-config.ts';
import { stopOnSignals } from '../execution/stop-signals.ts';
import { runStudy, type StudyDefinition } from '../study/run-study.ts';
import { home, leaseMs, openStore } from './shared.ts';

/** The quickstart study is data from core (`quickstartStudy`): teacher, baseline student, distilled student. */
function quickstartStudy(): StudyDefinition | null {
  const value = (core as unknown as Record<string, unknown>)['quickstartStudy'];
  const study = typeof value === 'function' ? (value as () => unknown)() : value;
  return study && typeof study === 'object' ? (study as StudyDefinition) : null;
}

export function register(program: Command): void {
  program
    .command('quickstart')
    .description('generate the demo data set if needed, run a short distillation study on it (teacher, baseline student, distilled student) and print the table')
    .option('--epochs <n>', 'epochs per stage (default: the study\'s)', intOption('epochs'))
    .option('--img <n>', 'image size (default: the study\'s)', intOption('img'))
    .option('--backend <name>', 'compute engine')
    .option('--json', 'print one JSON object at the end')
    .action(async (opts: { epochs?: number; img?: number; backend?: string; json?: boolean }) => {
      const study = quickstartStudy();
      if (!study) throw new Error('quickstart: @distillery/core does not export its quickstart study yet');
      const store = await openStore();
      const stop = stopOnSignals();
      try {
        const overrides = { epochs: opts.epochs, img: opts.img, backend: opts.backend };
        const { studyId, stages } = await runStudy(store, study, { overrides, stop: stop.signal, home: home(), leaseMs: leaseMs(), json: opts.json === true });
        const rows = [];
        for (const s of stages) rows.push({ stage: s.stage, runId: s.runId, status: s.outcome.status, result: await store.result(s.runId) });
        if (opts.json) process.stdout.write(`${JSON.stringify({ studyId, stages: rows })}\n`);
        else {
          const table = new Table({ head: ['stage', 'run', 'status', 'P', 'R', 'mAP@.5', 'mAP@.5:.95', 'params', 'GMACs'] });
          const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '' : v.toFixed(d));
          for (const r of rows)
            table.push([r.stage, r.runId, r.status, f(r.result?.precision), f(r.result?.recall), f(r.result?.map50), f(r.result?.map5095), r.result?.params ?? '', f(r.result?.gmacs, 2)]);
          process.stdout.write(`study ${studyId} (${study.name})\n${table.toString()}\n`);
        }
        process.exitCode = rows.length === study.stages.length && rows.every((r) => r.status === 'done') ? 0 : rows.some((r) => r.status === 'interrupted') ? 130 : 1;
      } finally {
        stop.dispose();
        await store.close();
      }
    });
}
