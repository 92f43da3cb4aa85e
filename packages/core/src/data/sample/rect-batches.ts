/**
 * Upstream rectangular batches (`rect=True`, used by test.py with pad 0.5): images sorted by aspect
 * ratio h/w, batched in that order, and each batch letterboxed to the smallest stride-multiple shape
 * that fits its most extreme aspect ratio at `img`: ceil(shape · img / stride + pad) · stride.
 */
export interface RectPlan {
  /** Dataset indices in the order they are batched. */
  order: number[];
  /** [h, w] per batch. */
  shapes: [number, number][];
  batchSize: number;
}

export function rectBatches(sizes: { width: number; height: number }[], img: number, batchSize: number, stride = 32, pad = 0.5): RectPlan {
  const ar = sizes.map((s) => s.height / s.width);
  // stable sort, as numpy argsort on distinct values; ties keep dataset order
  const order = ar.map((_, i) => i).sort((a, b) => ar[a] - ar[b] || a - b);
  const nb = Math.ceil(order.length / batchSize);
  const shapes: [number, number][] = [];
  for (let i = 0; i < nb; i++) {
    const ari = order.slice(i * batchSize, (i + 1) * batchSize).map((k) => ar[k]);
    const mini = Math.min(...ari);
    const maxi = Math.max(...ari);
    let shape: [number, number] = [1, 1];
    if (maxi < 1) shape = [maxi, 1];
    else if (mini > 1) shape = [1, 1 / mini];
    shapes.push([Math.ceil((shape[0] * img) / stride + pad) * stride, Math.ceil((shape[1] * img) / stride + pad) * stride]);
  }
  return { order, shapes, batchSize };
}
