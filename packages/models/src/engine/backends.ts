// The engine's backend names, in the order `auto` tries them. Browser-safe (no Node imports).

/** Backend names accepted by `initEngine` / `--backend` / `DISTILLERY_BACKEND`. */
export const ENGINE_BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type EngineBackend = (typeof ENGINE_BACKENDS)[number];
export type EngineBackendRequest = EngineBackend | 'auto';

export function isEngineBackend(name: string): name is EngineBackend {
  return (ENGINE_BACKENDS as readonly string[]).includes(name);
}

/** Thrown for an unknown backend name or a requested backend that cannot load. */
export class EngineError extends Error {
  override name = 'EngineError';
}
