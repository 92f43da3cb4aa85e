/**
 * Presets and studies offered by the launch form, and the reference tables, all read from
 * @distillery/core (experiments are data; the dashboard only shows and enqueues them).
 * INTERIM: core's presets/reference modules have not landed yet; until then only a "custom" preset
 * (the schema's defaults) is offered and no reference tables exist.
 */
import { RunConfigSchema, type RunConfig } from '@distillery/core';
import type { ReferenceTable, RunStore } from '@distillery/db';
import { badRequest } from '~/server/api/errors.ts';

export interface PresetOption {
  name: string;
  title: string;
  description: string;
  kind: 'run' | 'study';
  /** The preset's resolved config (a study: its first stage's config, which the form edits). */
  config: RunConfig;
  stages: Array<{ name: string; preset: string; dependsOn: string[] }>;
}

export function listPresetOptions(): PresetOption[] {
  return [
    {
      name: 'custom',
      title: 'Custom run (schema defaults)',
      description: 'Every field at the trainer\u2019s default; edit what you need.',
      kind: 'run',
      config: RunConfigSchema.parse({}),
      stages: [],
    },
  ];
}

export function referenceTablesFromCore(): ReferenceTable[] {
  return [];
}

export async function launchStudy(_store: RunStore, preset: string, _base: RunConfig): Promise<{ id: string; runIds: string[] }> {
  throw badRequest(`unknown study preset ${JSON.stringify(preset)}`);
}
