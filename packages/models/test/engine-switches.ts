/** Test helpers that switch an engine setting for one call and always restore it. */
import { setSimdHelpers, setSimdKernelsEnabled } from '../src/engine/simd/simd-module.ts';

/** Runs `fn` with the SIMD kernels' helper threads detached, so every part runs on this thread. */
export function onOneThread<T>(fn: () => T): T {
  const helpers = setSimdHelpers(undefined);
  try {
    return fn();
  } finally {
    setSimdHelpers(helpers);
  }
}

/** Runs `fn` with the SIMD kernels on or off (off: each kernel takes its JS loop). */
export function withSimdKernels<T>(on: boolean, fn: () => T): T {
  const previous = setSimdKernelsEnabled(on);
  try {
    return fn();
  } finally {
    setSimdKernelsEnabled(previous);
  }
}
