/**
 * Presets come from @distillery/core (the presets engineer owns them). We read whichever of its
 * exports exists — `presets` (record), `getPreset(name)`/`listPresets()` — so the CLI works before
 * and after they land; with none, only config files and command-line options make a run.
 */
import * as core from '@distillery/core';

type PresetValue = Record<string, unknown>;
const exports = core as unknown as Record<string, unknown>;

function presetRecord(): Record<string, PresetValue> | null {
  const record = exports['presets'] ?? exports['PRESETS'];
  return record && typeof record === 'object' ? (record as Record<string, PresetValue>) : null;
}

export function listPresetNames(): string[] {
  const list = exports['listPresets'];
  if (typeof list === 'function') {
    const names = (list as () => Array<string | { name: string }>)();
    return names.map((n) => (typeof n === 'string' ? n : n.name));
  }
  return Object.keys(presetRecord() ?? {});
}

/** The preset's config (plain object, validated later with the rest), or null when unknown. */
export function findPreset(name: string): PresetValue | null {
  const get = exports['getPreset'];
  if (typeof get === 'function') {
    try {
      const value = (get as (n: string) => unknown)(name);
      if (value && typeof value === 'object') {
        const v = value as PresetValue;
        // A preset may be `{ name, config }` or the config itself.
        return (v['config'] && typeof v['config'] === 'object' ? v['config'] : v) as PresetValue;
      }
    } catch {
      return null;
    }
    return null;
  }
  const value = presetRecord()?.[name];
  if (!value) return null;
  return (value['config'] && typeof value['config'] === 'object' ? value['config'] : value) as PresetValue;
}
