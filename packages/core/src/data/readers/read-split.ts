/**
 * `readSplit`: one split of a described data set, from whichever reader the description selects,
 * with the bad-sample policy applied. Memoised per process, so each worker thread reads the (cached)
 * labels once and every later `loadSample` call is a lookup.
 */
import { DataError } from '../errors.ts';
import type { DatasetDescription } from '../description/schema.ts';
import type { BadSamplePolicy } from '../types.ts';
import type { ReadResult, SplitIndex } from './types.ts';
import { readVocImageSet } from './voc.ts';
import { readCocoSplit } from './coco.ts';
import { readYoloEntry } from './yolo.ts';

export interface ReadSplitOptions {
  badSamples?: BadSamplePolicy;
  cacheDir?: string;
}

const memo = new Map<string, Promise<SplitIndex>>();

export function readSplit(d: DatasetDescription, split: string, opts: ReadSplitOptions = {}): Promise<SplitIndex> {
  const key = JSON.stringify([d, split, opts.badSamples ?? 'stop', opts.cacheDir ?? null]);
  let p = memo.get(key);
  if (!p) {
    p = readSplitUncached(d, split, opts);
    memo.set(key, p);
    p.catch(() => memo.delete(key)); // a fixed file may be retried
  }
  return p;
}

/** Forgets memoised splits (tests; or after the files changed within one process). */
export function clearSplitMemo(): void {
  memo.clear();
}

export async function readSplitUncached(d: DatasetDescription, split: string, opts: ReadSplitOptions = {}): Promise<SplitIndex> {
  const entries = d.splits[split];
  if (!entries) {
    throw new DataError(d.root, `unknown split '${split}' (the description has ${Object.keys(d.splits).join(', ') || 'none'})`);
  }
  const parts: ReadResult[] = [];
  let names: string[] | undefined = d.names;
  for (const e of entries) {
    if (d.format === 'voc') parts.push(await readVocImageSet(d, e as (typeof d.splits)[string][number], opts));
    else if (d.format === 'yolo') parts.push(await readYoloEntry(d, e as string, opts));
    else {
      const r = await readCocoSplit(d, e as { annotations: string; images: string }, opts);
      if (names && r.names.join('\n') !== names.join('\n')) {
        throw new DataError(d.root, `split '${split}': the COCO files disagree on the category names`);
      }
      names = r.names;
      parts.push(r);
    }
  }
  const images = parts.flatMap((p) => p.records);
  const bad = parts.flatMap((p) => p.bad);
  if (bad.length > 0 && (opts.badSamples ?? 'stop') === 'stop') {
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more bad samples; badSamples: 'skip' leaves them out)` : '';
    throw new DataError(bad[0].file, bad[0].problem + more);
  }
  if (images.length === 0) {
    throw new DataError(d.root, `split '${split}' is empty: no images${bad.length ? ` (${bad.length} bad samples skipped)` : ''}`);
  }
  return { split, names: names ?? [], images, bad, fromCache: parts.every((p) => p.fromCache === true) };
}
