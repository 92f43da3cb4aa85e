// Cache-line-aligned tensors on the tfjs wasm heap. Emscripten's malloc returns 8-byte aligned
// blocks, so about half of the tensors start at 8 mod 16: every fourth 16-byte SIMD load or store
// of such a tensor straddles two cache lines, which costs our GEMM and convolution kernels ~10%
// (1x1 768→256 at 40x40: 25 vs 28 GMAC/s on one thread). The backend allocates every tensor from
// JS through the module's `_malloc`/`_free`, so wrapping those two aligns them all; blocks that
// C++ allocates itself (XNNPACK's buffers, results it hands to JS to free) pass through unchanged.

/** The emscripten module functions wrapped here. */
export interface HeapAllocator {
  _malloc?: (bytes: number) => number;
  _free?: (pointer: number) => void;
}

/** Bytes of alignment: a cache line (and so every SIMD width). */
export const HEAP_ALIGNMENT = 64;
/** What the underlying malloc already guarantees. */
const MALLOC_ALIGNMENT = 8;

const aligned = new WeakSet<HeapAllocator>();

/** Makes the module's `_malloc` return `HEAP_ALIGNMENT`-aligned blocks (idempotent). */
export function alignHeapAllocations(heap: HeapAllocator): void {
  if (aligned.has(heap) || heap._malloc === undefined || heap._free === undefined) return;
  // Emscripten's exports are lazy stubs that replace themselves with the raw export on first call:
  // make that happen now, so the stub cannot later overwrite the wrapper.
  heap._free(heap._malloc(MALLOC_ALIGNMENT));
  const malloc = heap._malloc;
  const free = heap._free;
  /** Aligned address → the block malloc returned, for blocks that had to be shifted. */
  const shifted = new Map<number, number>();
  heap._malloc = (bytes: number): number => {
    const block = malloc(bytes + HEAP_ALIGNMENT - MALLOC_ALIGNMENT) >>> 0;
    if (block === 0) return 0;
    const address = Math.ceil(block / HEAP_ALIGNMENT) * HEAP_ALIGNMENT;
    if (address !== block) shifted.set(address, block);
    return address;
  };
  heap._free = (pointer: number): void => {
    const address = pointer >>> 0;
    const block = shifted.get(address);
    if (block === undefined) {
      free(pointer);
      return;
    }
    shifted.delete(address);
    free(block);
  };
  aligned.add(heap);
}
