import Table from 'cli-table3';
import type { Command } from 'commander';
import type { StudyOverrides } from '@distillery/core';
import { intOption } from '../config/build-config.ts';
import { stopOnSignals } from '../execution/stop-signals.ts';
import { prepareQuickstart, QUICKSTART_DEFAULTS, type QuickstartSize } from '../quickstart/quickstart-study.ts';
import { runStudy } from '../study/run-study.ts';
import { home, leaseMs, openStore, plainStyle } from './shared.ts';

interface QuickstartOptions {
  epochs?: number;
  img?: number;
  images?: number;
  backend?: string;
  workers?: number;
  json?: boolean;
}

const f = (v: number | null | undefined, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '' : v.toFixed(d));

export function register(program: Command): void {
  program
    .command('quickstart')
    .description('generate the demo data set if needed, run a short but real distillation study on it (teacher, baseline student, distilled student) and print the table')
    .option('--epochs <n>', `epochs of every stage (default: teacher ${QUICKSTART_DEFAULTS.teacherEpochs}, students ${QUICKSTART_DEFAULTS.studentEpochs})`, intOption('epochs'))
    .option('--img <n>', `image size (default ${QUICKSTART_DEFAULTS.img})`, intOption('img'))
    .option('--images <n>', `training images to generate (default ${QUICKSTART_DEFAULTS.images})`, intOption('images'))
    .option('--backend <name>', 'compute engine: auto, tensorflow-gpu, tensorflow, wasm, cpu')
    .option('--workers <n>', 'data-parallel training threads (0 = cores)', intOption('workers'))
    .option('--json', 'print one JSON object at the end (progress goes to stderr)')
    .action(async (opts: QuickstartOptions) => {
      const size: QuickstartSize = {
        ...QUICKSTART_DEFAULTS,
        ...(opts.img !== undefined ? { img: opts.img } : {}),
        ...(opts.images !== undefined ? { images: opts.images } : {}),
        ...(opts.epochs !== undefined ? { teacherEpochs: opts.epochs, studentEpochs: opts.epochs } : {}),
      };
      const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
      const t0 = performance.now();
      log(`quickstart: generating/checking the demo data set (${size.images} training images)…`);
      const { study, data } = await prepareQuickstart(home(), size);
      log(`quickstart: data ${data}`);
      const overrides: StudyOverrides = {};
      if (opts.backend !== undefined) overrides.backend = opts.backend as StudyOverrides['backend'];
      if (opts.workers !== undefined) overrides.workers = opts.workers;
      const store = await openStore();
      const stop = stopOnSignals();
      try {
        const { studyId, stages } = await runStudy(store, study, {
          overrides,
          stop: stop.signal,
          home: home(),
          leaseMs: leaseMs(),
          json: opts.json === true,
          onStage: (stage, i, n, runId) => log(`\n== stage ${i + 1}/${n}: ${stage} (run ${runId}) ==`),
        });
        const rows = [];
        for (const s of stages) rows.push({ stage: s.stage, runId: s.runId, status: s.outcome.status, seconds: s.seconds, result: await store.result(s.runId) });
        const byStage = new Map(rows.map((r) => [r.stage, r]));
        const base = byStage.get('baseline')?.result;
        const distilled = byStage.get('student')?.result;
        const gain = base && distilled ? { map50: distilled.map50 - base.map50, map5095: distilled.map5095 - base.map5095 } : null;
        const seconds = (performance.now() - t0) / 1000;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ studyId, seconds, stages: rows, distillationGain: gain })}\n`);
        } else {
          const table = new Table({ style: plainStyle(), head: ['stage', 'run', 'status', 'P', 'R', 'mAP@.5', 'mAP@.5:.95', 'params', `GMACs@${size.img}`, 'time'] });
          for (const r of rows)
            table.push([r.stage, r.runId, r.status, f(r.result?.precision), f(r.result?.recall), f(r.result?.map50), f(r.result?.map5095), r.result?.params ?? '', f(r.result?.gmacs, 3), `${r.seconds.toFixed(0)} s`]);
          log(`\nstudy ${studyId} (${study.name}), ${seconds.toFixed(0)} s in all\n${table.toString()}`);
          if (gain) log(`distilled − baseline student: mAP@.5 ${gain.map50 >= 0 ? '+' : ''}${gain.map50.toFixed(3)}, mAP@.5:.95 ${gain.map5095 >= 0 ? '+' : ''}${gain.map5095.toFixed(3)}`);
          log(`runs are in ${store.location}; see them with \`pnpm trainer runs\` (or the dashboard: \`pnpm dev\`)`);
        }
        process.exitCode = rows.length === study.stages.length && rows.every((r) => r.status === 'done') ? 0 : rows.some((r) => r.status === 'interrupted') ? 130 : 1;
      } finally {
        stop.dispose();
        await store.close();
      }
    });
}
