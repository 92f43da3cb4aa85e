// Every shipped VOC config builds upstream's network: parse_model printout, state_dict keys, order and
// PyTorch shapes (architectures.json), and thop params/MACs fused and unfused (params_flops.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, getZooConfig, torchShape, zooNames } from '../src/index.ts';
import { GOLDEN, HAS_GOLDEN } from './shared-dir.ts';

interface Arch {
  parse_model_printout: string | string[];
  detect_from: number[];
  stride: number[];
  state_dict_shapes: Record<string, number[]>;
}
interface Counts {
  params: number;
  params_fused: number;
  sizes: Record<string, { unfused_thop_MACs: number; cal_flop_fused_thop_MACs: number; cal_flop_fused_thop_params: number }>;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.skipIf(!HAS_GOLDEN)('architectures.json', () => {
  const arch = HAS_GOLDEN ? (JSON.parse(readFileSync(path.join(GOLDEN, 'architectures.json'), 'utf8')) as Record<string, Arch>) : {};
  for (const [file, a] of Object.entries(arch)) {
    it(`${file}: printout, Detect inputs, strides, state_dict keys and shapes`, () => {
      const stem = file.replace(/\.yaml$/, '');
      expect(getZooConfig(stem)).toBeDefined();
      const m = buildModel(stem, { init: 'zeros' });
      try {
        const theirs = (Array.isArray(a.parse_model_printout) ? a.parse_model_printout : a.parse_model_printout.split('\n')).map((l) => l.trimEnd()).filter((l) => l.length > 0);
        expect(m.summary().split('\n').map((l) => l.trimEnd())).toEqual(theirs);
        expect(m.layers[m.detectIndex].from).toEqual(a.detect_from);
        expect(m.strides).toEqual(a.stride);
        const mine = m.namedEntries().map(([k, e]) => [k, torchShape(e.tensor.shape, e.layout)]);
        expect(mine).toEqual(Object.entries(a.state_dict_shapes));
      } finally {
        m.dispose();
      }
    });
  }
});

describe.skipIf(!HAS_GOLDEN)('params_flops.json (thop 0.0.31 rules, 640x640, nc=20)', () => {
  const counts = HAS_GOLDEN ? (JSON.parse(readFileSync(path.join(GOLDEN, 'params_flops.json'), 'utf8')) as { models: Record<string, Counts> }).models : {};
  for (const [file, c] of Object.entries(counts)) {
    it(`${file}`, () => {
      const stem = file.replace(/\.yaml$/, '');
      expect(zooNames()).toContain(stem);
      const m = buildModel(stem, { nc: 20, init: 'zeros' });
      try {
        expect(m.numParameters()).toBe(c.params);
        for (const [size, s] of Object.entries(c.sizes)) {
          const [h, w] = size.split('x').map(Number);
          const unfused = m.profile(h, w, false);
          const fused = m.profile(h, w, true);
          expect(unfused.params).toBe(c.params);
          expect(fused.params).toBe(s.cal_flop_fused_thop_params);
          expect(unfused.macs).toBe(s.unfused_thop_MACs);
          expect(fused.macs).toBe(s.cal_flop_fused_thop_MACs);
        }
      } finally {
        m.dispose();
      }
    }, 60_000);
  }
});
