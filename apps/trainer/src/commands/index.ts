/**
 * Every CLI command, one file each in this folder, exporting `register(program)`.
 * To add a command: ONE import line and ONE call below.
 */
import type { Command } from 'commander';
import { register as registerRun } from './run.ts';
import { register as registerResume } from './resume.ts';
import { register as registerWorker } from './worker.ts';
import { register as registerRuns } from './runs.ts';
import { register as registerTable } from './table.ts';
import { register as registerPrune } from './prune.ts';
import { register as registerQuickstart } from './quickstart.ts';
import { register as registerGolden } from './golden.ts';
import { register as registerEval } from './eval.ts';
import { register as registerModels } from './models.ts';
import { register as registerPresets } from './presets.ts';

export function registerCommands(program: Command): void {
  registerRun(program);
  registerResume(program);
  registerWorker(program);
  registerRuns(program);
  registerTable(program);
  registerPrune(program);
  registerQuickstart(program);
  registerGolden(program);
  registerEval(program);
  registerModels(program);
  registerPresets(program);
}
