// Presets: the upstream train.py experiment types as run configs.
export { UPSTREAM_PRESETS, type Preset } from './upstream-presets.ts';
export {
  configReferences,
  getPreset,
  presetNames,
  resolvePreset,
  type PresetOverrides,
} from './resolve-preset.ts';
