/** Where /work/shared lives (tests skip cases that need it when it does not exist). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SHARED = process.env.DISTILLERY_SHARED ?? path.resolve(repoRoot, '../shared');
export const EVAL_REAL = path.join(SHARED, 'golden', 'eval-real');
export const EVAL_SYNTH = path.join(SHARED, 'golden', 'eval');
export const hasEvalReal = existsSync(path.join(EVAL_REAL, 'manifest.json'));
export const hasEvalSynth = existsSync(path.join(EVAL_SYNTH, 'metrics.json'));
