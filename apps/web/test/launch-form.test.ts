/** The launch form's model: every schema field is a form field, and bad values become field errors. */
import { RunConfigSchema } from '@distillery/core/config';
import { RUN_STATUSES } from '@distillery/db';
import { describe, expect, it } from 'vitest';
import { buildInput, leaves, RUN_FIELDS, validateForm, valuesFromConfig } from '~/components/launch/form-state.ts';
import { RUN_STATUS_LIST } from '~/shared/run-statuses.ts';

const defaults = RunConfigSchema.parse({});

describe('launch form fields', () => {
  it('offers every hyper-parameter and run setting of the schema', () => {
    const keys = leaves(RUN_FIELDS).map((f) => f.path.join('.'));
    for (const k of Object.keys(defaults.hyp)) expect(keys).toContain(`hyp.${k}`);
    for (const k of ['model', 'data', 'img', 'batch', 'epochs', 'optimizer', 'weights', 'strategies', 'prune', 'backend', 'seed', 'eval.confThres']) expect(keys).toContain(k);
    expect(keys).not.toContain('overrides');
  });

  it('round-trips a config through the form unchanged', () => {
    const config = RunConfigSchema.parse({ name: 'x', img: 320, strategies: [{ kind: 'sparsity' }], prune: { mode: 'ratio', ratio: 0.5 } });
    const checked = validateForm(valuesFromConfig(config));
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(checked.config).toEqual({ ...config, preset: undefined, overrides: [] });
  });

  it('reports each bad field under its own path', () => {
    const values = valuesFromConfig(defaults);
    values['img'] = '100';
    values['epochs'] = 'many';
    values['hyp.lr0'] = '-0.1';
    values['strategies'] = '[{"kind": "distill-output"}]';
    values['prune'] = '{not json';
    const checked = validateForm(values);
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(Object.keys(checked.errors).sort()).toEqual(['epochs', 'hyp.lr0', 'img', 'prune', 'strategies.0.teacher'].sort());
    expect(checked.errors['img']![0]).toContain('multiple of 32');
    expect(checked.errors['prune']![0]).toContain('not valid JSON');
  });

  it('treats an empty optional field as absent and an empty required number as an error-free default', () => {
    const values = valuesFromConfig(defaults);
    values['weights'] = '';
    values['batch'] = '';
    const { input } = buildInput(values);
    expect('weights' in input).toBe(false);
    const checked = validateForm(values);
    expect(checked.ok && checked.config.batch).toBe(defaults.batch);
  });

  it('uses the same run statuses as the database', () => {
    expect([...RUN_STATUS_LIST]).toEqual([...RUN_STATUSES]);
  });
});
