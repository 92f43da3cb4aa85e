// Where kernels may trade float32 accuracy for speed. Inside `withFastInference` (what
// YoloModel.predict runs in) the convolution may take Winograd F(4x4, 3x3): 4x fewer multiplies than
// direct, but its transforms multiply the rounding error of a YOLO head by ~2 (yolov5s_voc at
// 256x320: 1.1e-3 vs 4.9e-4 from exact float64). Everywhere else (training, `forward`, the golden
// checks) kernels keep within a few float32 roundings of the direct computation, as PyTorch does.
// Like PyTorch's `allow_tf32`, a precision choice made per call site, not per model.

let fast = false;

/** Whether the current computation runs inside `withFastInference`. */
export function inFastInference(): boolean {
  return fast;
}

/** Runs `fn` with the fastest kernels allowed (see above). */
export function withFastInference<R>(fn: () => R): R {
  const previous = fast;
  fast = true;
  try {
    return fn();
  } finally {
    fast = previous;
  }
}
