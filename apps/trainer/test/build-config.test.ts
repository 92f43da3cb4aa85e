import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRunConfig } from '../src/config/build-config.ts';
import { UsageError } from '../src/errors.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'distillery-cfg-'));

describe('buildRunConfig', () => {
  it('applies overrides on a YAML file and records which fields they changed', () => {
    const file = path.join(tmp, 'run.yaml');
    fs.writeFileSync(file, 'epochs: 7\nimg: 320\nhyp:\n  lr0: 0.02\n');
    const config = buildRunConfig(file, { epochs: 2, batch: 4 });
    expect(config.epochs).toBe(2);
    expect(config.img).toBe(320);
    expect(config.batch).toBe(4);
    expect(config.hyp.lr0).toBe(0.02);
    expect(config.hyp.momentum).toBe(0.937); // schema default
    expect(config.overrides).toEqual(['epochs=2', 'batch=4']);
  });

  it('names the bad field and the file', () => {
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ hyp: { lr0: -1 } }));
    expect(() => buildRunConfig(file)).toThrow(UsageError);
    expect(() => buildRunConfig(file)).toThrow(/bad\.json.*hyp\.lr0/);
    expect(() => buildRunConfig(undefined, { img: 100 })).toThrow(/img: must be a multiple of 32/);
    expect(() => buildRunConfig(path.join(tmp, 'missing.yaml'))).toThrow(/missing\.yaml: config file not found/);
    fs.writeFileSync(path.join(tmp, 'list.yaml'), '- 1\n- 2\n');
    expect(() => buildRunConfig(path.join(tmp, 'list.yaml'))).toThrow(/must be a mapping/);
  });

  it('resolves a preset with core, recording each override as field=value', () => {
    const config = buildRunConfig('dmvocs', { epochs: 3, img: 320, data: 'demo', weights: null, teacher: 'm3k9x2ab-7f2q1' });
    expect(config.preset).toBe('dmvocs');
    expect(config.model).toBe('mobile-yolo5s_voc');
    expect(config.epochs).toBe(3);
    expect(config.weights).toBeUndefined();
    expect(config.strategies[0]).toMatchObject({ kind: 'distill-output', teacher: 'm3k9x2ab-7f2q1' });
    expect(config.overrides).toEqual(expect.arrayContaining(['epochs=3', 'img=320', 'data=demo', 'weights=none', 'teacher=m3k9x2ab-7f2q1']));
    // a file naming a preset: its fields count as overrides too
    const file = path.join(tmp, 'from-preset.yaml');
    fs.writeFileSync(file, 'preset: mvocs\ndata: demo\nepochs: 5\n');
    expect(buildRunConfig(file, { img: 64 }).overrides).toEqual(expect.arrayContaining(['epochs=5', 'img=64']));
    expect(() => buildRunConfig('mvocs', { teacher: 'x' })).toThrow(/does not distil/);
    // the presets name Pascal VOC, which is not shipped: a clear pointer to --data
    expect(() => buildRunConfig('mvocs')).toThrow(/data: "voc" .*--data/);
  });

  it('rejects unknown presets and missing data/weights paths', () => {
    expect(() => buildRunConfig('surely-not-a-preset')).toThrow(/unknown preset "surely-not-a-preset" \(known: vocs, /);
    expect(() => buildRunConfig(undefined, { data: path.join(tmp, 'nope.yaml') })).toThrow(/data: .* does not exist/);
    expect(() => buildRunConfig(undefined, { weights: './nope.safetensors' })).toThrow(/weights: .* does not exist/);
    expect(buildRunConfig(undefined, { weights: 'm3k9x2ab-7f2q1' }).weights).toBe('m3k9x2ab-7f2q1'); // a run id
  });
});
