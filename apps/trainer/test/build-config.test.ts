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
    expect(config.overrides).toEqual(['epochs', 'batch']);
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

  it('rejects unknown presets and missing data/weights paths', () => {
    expect(() => buildRunConfig('surely-not-a-preset')).toThrow(/unknown preset "surely-not-a-preset"/);
    expect(() => buildRunConfig(undefined, { data: path.join(tmp, 'nope.yaml') })).toThrow(/data: .* does not exist/);
    expect(() => buildRunConfig(undefined, { weights: './nope.safetensors' })).toThrow(/weights: .* does not exist/);
    expect(buildRunConfig(undefined, { weights: 'm3k9x2ab-7f2q1' }).weights).toBe('m3k9x2ab-7f2q1'); // a run id
  });
});
