import { ZOO_CONFIGS } from './configs/index.ts';

/** Names of the shipped configs (YAML file stems), e.g. `yolov5s_voc`, `mobile-yolo5s_voc`. */
export function zooNames(): string[] {
  return Object.keys(ZOO_CONFIGS);
}

/** The YAML text of a shipped config (a trailing `.yaml` is accepted), or undefined. */
export function getZooConfig(name: string): string | undefined {
  const stem = name.replace(/\.yaml$/, '').replace(/^models\//, '');
  return Object.hasOwn(ZOO_CONFIGS, stem) ? ZOO_CONFIGS[stem] : undefined;
}
