// Transformed Winograd filters (U = G g Gᵀ) kept on the heap between calls. An inference forward
// runs the same weights again and again, and F(4x4, 3x3)'s transform writes 4x the filter's size
// (3 ms per yolov5s_voc forward, more than the products it saves on small maps). Keyed by the
// filter's tfjs dataId: the data behind a dataId never changes (new weights get a new dataId), so a
// hit is always current. Only fast inference (engine/inference-mode.ts, YoloModel.predict) caches:
// training's weights change every step and would only fill the heap. Least recently used entries
// are freed past a byte budget.
import type { WasmMemory, SimdHeap } from './simd-module.ts';
import { inFastInference } from '../inference-mode.ts';

/** Heap bytes the cached filters of one backend may take. */
export const WINOGRAD_FILTER_CACHE_BYTES = 128 * 1024 * 1024;

interface Entry {
  pointer: number;
  bytes: number;
}

class FilterCache {
  /** Insertion order = recency (a hit is moved to the end). */
  private readonly entries = new Map<string, Map<object, Entry>>();
  private readonly order = new Map<Entry, { variant: string; dataId: object }>();
  private used = 0;

  constructor(private readonly heap: SimdHeap<unknown>) {}

  get(variant: string, dataId: object): number | undefined {
    const entry = this.entries.get(variant)?.get(dataId);
    if (entry === undefined) return undefined;
    const key = this.order.get(entry)!;
    this.order.delete(entry);
    this.order.set(entry, key);
    return entry.pointer;
  }

  /** Allocates and fills an entry (or returns undefined when it would not fit the budget). */
  put(variant: string, dataId: object, bytes: number, fill: (pointer: number) => void): number | undefined {
    if (bytes > WINOGRAD_FILTER_CACHE_BYTES / 2) return undefined;
    while (this.used + bytes > WINOGRAD_FILTER_CACHE_BYTES) this.evictOldest();
    const entry = { pointer: this.heap.allocate(bytes), bytes };
    try {
      fill(entry.pointer);
    } catch (e) {
      this.heap.release(entry.pointer);
      throw e;
    }
    let byId = this.entries.get(variant);
    if (byId === undefined) this.entries.set(variant, (byId = new Map()));
    byId.set(dataId, entry);
    this.order.set(entry, { variant, dataId });
    this.used += bytes;
    return entry.pointer;
  }

  private evictOldest(): void {
    const [entry, key] = this.order.entries().next().value as [Entry, { variant: string; dataId: object }];
    this.order.delete(entry);
    this.entries.get(key.variant)?.delete(key.dataId);
    this.heap.release(entry.pointer);
    this.used -= entry.bytes;
  }
}

const caches = new WeakMap<WasmMemory, FilterCache>();

/**
 * The transformed filter of `dataId` for `variant` (e.g. 'F4'), computed by `fill` into fresh heap
 * memory on a miss. `run` gets its address; outside fast inference, or where the cache has no room,
 * it gets scratch instead.
 */
export function withTransformedFilter<R>(
  heap: SimdHeap<unknown>,
  variant: string,
  dataId: object,
  bytes: number,
  fill: (pointer: number) => void,
  run: (pointer: number) => R,
): R {
  let cache = caches.get(heap.memory);
  if (cache === undefined) caches.set(heap.memory, (cache = new FilterCache(heap)));
  // Training changes its weights every step: only inference (withFastInference) reuses them.
  const cached = inFastInference() ? (cache.get(variant, dataId) ?? cache.put(variant, dataId, bytes, fill)) : undefined;
  if (cached !== undefined) return run(cached);
  return heap.withScratch(bytes, (pointer) => {
    fill(pointer);
    return run(pointer);
  });
}
