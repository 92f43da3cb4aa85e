/** Test helpers: where the shared golden data lives and how to read a model case of it. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { readSafetensorsFile } from '@distillery/models/node';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedDir = process.env.DISTILLERY_SHARED ?? path.resolve(repoRoot, '../shared');
export const goldenDir = path.join(sharedDir, 'golden');
export const hasGolden = existsSync(path.join(goldenDir, 'README.md'));

/**
 * tfjs-core alone registers no gradient functions; the engine (contract 8, @distillery/models) does.
 * Gradient tests run only where they are registered.
 */
export function gradientsRegistered(): boolean {
  return tf.getGradient('Multiply') !== undefined;
}

export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

/** Folders of the golden set that hold a model case (meta.json with build_targets + io.safetensors). */
export function modelCases(): string[] {
  if (!hasGolden) return [];
  return readdirSync(goldenDir).filter(
    (c) =>
      existsSync(path.join(goldenDir, c, 'io.safetensors')) &&
      existsSync(path.join(goldenDir, c, 'meta.json')),
  );
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export async function readTensors(file: string): Promise<Map<string, tf.Tensor>> {
  const st = await readSafetensorsFile(file);
  const out = new Map<string, tf.Tensor>();
  for (const [name, t] of st.tensors)
    out.set(name, tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32'));
  return out;
}

export function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
}
