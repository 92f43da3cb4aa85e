/** Splits a batch into contiguous per-replica shares (targets re-indexed to each share). */

export interface BatchPart {
  images: Float32Array;
  shape: [number, number, number];
  targets: Float32Array;
  nTargets: number;
}

/** Shares as equal as possible, the first ones larger; never an empty share (fewer shares instead). */
export function shardSizes(batch: number, replicas: number): number[] {
  const n = Math.max(1, Math.min(batch, replicas));
  return Array.from({ length: n }, (_, r) => Math.floor(batch / n) + (r < batch % n ? 1 : 0));
}

export function splitBatch(b: BatchPart, replicas: number): BatchPart[] {
  const [bs, h, w] = b.shape;
  const per = h * w * 3;
  let start = 0;
  return shardSizes(bs, replicas).map((size) => {
    const rows: number[] = [];
    for (let i = 0; i < b.nTargets; i++) {
      const img = b.targets[i * 6];
      if (img >= start && img < start + size) {
        rows.push(img - start, ...b.targets.subarray(i * 6 + 1, i * 6 + 6));
      }
    }
    const part: BatchPart = {
      images: b.images.slice(start * per, (start + size) * per),
      shape: [size, h, w],
      targets: Float32Array.from(rows),
      nTargets: rows.length / 6,
    };
    start += size;
    return part;
  });
}
