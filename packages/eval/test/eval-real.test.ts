/** pycocotools and voc_eval reference numbers on real ground truth (../shared/golden/eval-real). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cocoEval, vocEval, type GroundTruth } from '../src/index.ts';
import { readDetectionsFile, readGroundTruth } from '../src/node.ts';
import { EVAL_REAL, SHARED, hasEvalReal } from './shared.ts';

interface ManifestEntry {
  case: string;
  gt: { file?: string; shared_path?: string };
  dets: string;
  expected: string;
}
interface VocExpected {
  summary: { mAP_11pt: number; mAP_allpt: number; num_classes_in_mean: number };
  per_class: Record<string, { npos: number; AP_11pt: number; AP_allpt: number }>;
}
interface Expected {
  pycocotools?: { stats_list: number[]; per_category: Record<string, { AP: number | null; AP50: number | null; AP75: number | null }> };
  voc_eval: { plus1: VocExpected; continuous: VocExpected };
}

const manifest: ManifestEntry[] = hasEvalReal ? JSON.parse(readFileSync(path.join(EVAL_REAL, 'manifest.json'), 'utf8')) : [];
const gtCache = new Map<string, GroundTruth>();
function gtFor(e: ManifestEntry): GroundTruth {
  const p = e.gt.file ? path.join(EVAL_REAL, e.gt.file) : path.join(SHARED, e.gt.shared_path ?? '');
  if (!gtCache.has(p)) gtCache.set(p, readGroundTruth(p));
  return gtCache.get(p)!;
}
const close = (a: number, b: number | null): void => expect(Math.abs(a - (b ?? -1))).toBeLessThanOrEqual(1e-6);

describe.skipIf(!hasEvalReal)('eval-real golden cases', () => {
  for (const e of manifest) {
    describe(e.case, () => {
      const expected = (): Expected => JSON.parse(readFileSync(path.join(EVAL_REAL, e.expected), 'utf8'));
      it('pycocotools stats and per-category AP', () => {
        const exp = expected();
        if (!exp.pycocotools) return;
        const gt = gtFor(e);
        const r = cocoEval(gt, readDetectionsFile(path.join(EVAL_REAL, e.dets), gt));
        r.stats.forEach((s, i) => close(s, exp.pycocotools!.stats_list[i]));
        for (const c of r.perCategory) {
          const pc = exp.pycocotools.per_category[String(c.category.id)];
          close(c.ap, pc.AP);
          close(c.ap50, pc.AP50);
          close(c.ap75, pc.AP75);
        }
      });
      for (const variant of ['plus1', 'continuous'] as const) {
        it(`voc_eval ${variant}`, () => {
          const exp = expected().voc_eval[variant];
          const gt = gtFor(e);
          const r = vocEval(gt, readDetectionsFile(path.join(EVAL_REAL, e.dets), gt), { continuous: variant === 'continuous' });
          close(r.map11, exp.summary.mAP_11pt);
          close(r.mapAll, exp.summary.mAP_allpt);
          expect(r.nClassesInMean).toBe(exp.summary.num_classes_in_mean);
          const ours = r.perClass.filter((c) => c.npos > 0);
          expect(ours.map((c) => c.category.name).sort()).toEqual(Object.keys(exp.per_class).sort());
          for (const c of ours) {
            const pc = exp.per_class[c.category.name];
            expect(c.npos).toBe(pc.npos);
            close(c.ap11, pc.AP_11pt);
            close(c.apAll, pc.AP_allpt);
          }
        });
      }
    });
  }
});
