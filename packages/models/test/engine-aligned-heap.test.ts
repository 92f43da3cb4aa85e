import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { alignHeapAllocations, HEAP_ALIGNMENT, type HeapAllocator } from '../src/engine/simd/aligned-heap.ts';

/** A bump allocator with 8-byte alignment, as emscripten's malloc guarantees, recording what it frees. */
function fakeHeap() {
  let next = 8;
  const live = new Set<number>();
  const freed: number[] = [];
  const heap: HeapAllocator = {
    _malloc: (bytes: number) => {
      const p = next;
      next += Math.ceil(bytes / 8) * 8 + 8;
      live.add(p);
      return p;
    },
    _free: (p: number) => {
      if (!live.delete(p)) throw new Error(`free of ${p}, which malloc did not return`);
      freed.push(p);
    },
  };
  return { heap, live, freed, allocate: (bytes: number) => heap._malloc!(bytes) };
}

describe('aligned heap allocations', () => {
  it('returns cache-line-aligned blocks and frees the block malloc returned', () => {
    const f = fakeHeap();
    alignHeapAllocations(f.heap);
    const blocks = [3, 100, 4096, 12].map((bytes) => ({ bytes, at: f.heap._malloc!(bytes) }));
    for (const { at } of blocks) expect(at % HEAP_ALIGNMENT).toBe(0);
    // Blocks do not overlap: each aligned range ends before the next begins.
    const sorted = [...blocks].sort((a, b) => a.at - b.at);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i - 1].at + sorted[i - 1].bytes).toBeLessThanOrEqual(sorted[i].at);
    for (const { at } of blocks) f.heap._free!(at);
    // The wrapper's own probe allocation was freed too; nothing is left.
    expect(f.live.size).toBe(0);
  });

  it('passes pointers it did not hand out straight to free, and wraps a heap once', () => {
    const f = fakeHeap();
    const foreign = f.allocate(40); // allocated before wrapping, as C++ code would
    alignHeapAllocations(f.heap);
    const wrapped = f.heap._malloc;
    alignHeapAllocations(f.heap);
    expect(f.heap._malloc).toBe(wrapped);
    f.heap._free!(foreign);
    expect(f.freed).toContain(foreign);
  });

  it('the wasm backend keeps working with its allocator wrapped', async () => {
    await tf.setBackend('wasm');
    const heap = (tf.backend() as unknown as { wasm: HeapAllocator }).wasm;
    alignHeapAllocations(heap);
    const a = tf.tensor1d([1, 2, 3, 4, 5]);
    const b = tf.add(a, 1);
    expect(Array.from(b.dataSync())).toEqual([2, 3, 4, 5, 6]);
    const offset = (tf.backend() as unknown as { dataIdMap: { get(id: object): { memoryOffset: number } } }).dataIdMap.get(b.dataId).memoryOffset;
    expect(offset % HEAP_ALIGNMENT).toBe(0);
    a.dispose();
    b.dispose();
  });
});
