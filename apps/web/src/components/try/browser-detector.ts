/**
 * Running a finished run's checkpoint in the browser. The checkpoint is one safetensors file whose
 * plain upstream keys hold the (EMA) weights in tfjs layout and whose metadata carries the model
 * YAML, nc, names and image size; @distillery/models (browser-safe entry) builds the network,
 * @distillery/eval does the NMS. tfjs runs on WebGL, WASM (binaries served by this dashboard) or CPU.
 *
 * Everything tfjs is imported lazily, so the other pages never load it.
 */
import type { Tensor, Tensor4D } from '@tensorflow/tfjs-core';

export type BrowserBackend = 'webgl' | 'wasm' | 'cpu';

export interface Detection {
  box: [number, number, number, number];
  score: number;
  cls: number;
}

export interface DetectResult {
  detections: Detection[];
  /** Preprocess + forward + NMS, after a warm-up call. */
  ms: number;
}

export interface BrowserDetector {
  label: string;
  names: string[];
  img: number;
  backend: string;
  detect(image: HTMLImageElement | HTMLCanvasElement, options?: { confThres?: number; iouThres?: number }): Promise<DetectResult>;
  dispose(): void;
}

interface SafeTensor {
  dtype: string;
  shape: number[];
  data: Float32Array | Int32Array;
}

/** Prefixes of the training state in a checkpoint; the model weights are the keys without one. */
const TRAINING_PREFIXES = ['train.model/', 'train.extra/', 'optim/', 'accum/'];

export async function setBackend(backend: BrowserBackend): Promise<string> {
  const tf = await import('@tensorflow/tfjs-core');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(`${window.location.origin}/api/tfjs-wasm/`);
  }
  // @distillery/models registers the cpu/wasm/webgl backends (and its kernels) on import.
  await import('@distillery/models');
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend "${backend}" is not available in this browser`);
  await tf.ready();
  return tf.getBackend();
}

export async function loadBrowserDetector(url: string, label: string): Promise<BrowserDetector> {
  const [tf, models, evaluation] = await Promise.all([import('@tensorflow/tfjs-core'), import('@distillery/models'), import('@distillery/eval')]);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${label}: checkpoint download failed (${response.status})`);
  const file = models.decodeSafetensors(new Uint8Array(await response.arrayBuffer()), url);
  const meta = file.metadata as Record<string, string>;
  if (!meta.model_yaml) throw new Error(`${label}: the checkpoint has no model_yaml metadata (not a distillery checkpoint?)`);
  const nc = Number(meta.nc);
  const img = Number(meta.img) || 640;
  const names = (() => {
    try {
      return (JSON.parse(meta.names ?? 'null') as string[] | null) ?? [];
    } catch {
      return [];
    }
  })();
  const model = models.buildModel(meta.model_yaml, Number.isFinite(nc) ? { nc } : {});
  const weights = new Map<string, Tensor>();
  for (const [key, t] of (file.tensors as Map<string, SafeTensor>).entries()) {
    if (TRAINING_PREFIXES.some((p) => key.startsWith(p))) continue;
    weights.set(key, tf.tensor(t.data, t.shape, t.data instanceof Int32Array ? 'int32' : 'float32'));
  }
  const report = model.loadStateDict(weights, { strict: false, source: label });
  for (const t of weights.values()) t.dispose();
  if (report.missing.length > 0 || report.mismatched.length > 0) {
    throw new Error(`${label}: checkpoint does not fit its model (${report.missing.length} missing, ${report.mismatched.length} mis-shaped)`);
  }

  const canvas = document.createElement('canvas');
  canvas.width = img;
  canvas.height = img;
  const context = canvas.getContext('2d', { willReadFrequently: true })!;

  async function run(image: HTMLImageElement | HTMLCanvasElement, confThres: number, iouThres: number): Promise<Detection[]> {
    const w = image instanceof HTMLImageElement ? image.naturalWidth : image.width;
    const h = image instanceof HTMLImageElement ? image.naturalHeight : image.height;
    // Letterbox to img × img with the upstream grey (114), keeping the aspect ratio.
    const r = Math.min(img / w, img / h);
    const nw = Math.round(w * r);
    const nh = Math.round(h * r);
    const dx = (img - nw) / 2;
    const dy = (img - nh) / 2;
    context.fillStyle = 'rgb(114,114,114)';
    context.fillRect(0, 0, img, img);
    context.drawImage(image, dx, dy, nw, nh);
    const decoded = tf.tidy(() => {
      const x = tf.div(tf.cast(tf.browser.fromPixels(canvas), 'float32'), 255).expandDims(0) as Tensor4D;
      return model.predict(x);
    });
    const [, , no] = decoded.shape;
    const rows = await decoded.data();
    decoded.dispose();
    const kept = evaluation.nonMaxSuppression(rows, no, { confThres, iouThres });
    const out: Detection[] = [];
    for (let i = 0; kept && i < kept.length; i += 6) {
      out.push({
        box: [(kept[i]! - dx) / r, (kept[i + 1]! - dy) / r, (kept[i + 2]! - dx) / r, (kept[i + 3]! - dy) / r],
        score: kept[i + 4]!,
        cls: kept[i + 5]!,
      });
    }
    return out;
  }

  let warmedUp = false;
  return {
    label,
    names,
    img,
    backend: tf.getBackend(),
    async detect(image, options = {}) {
      const conf = options.confThres ?? 0.25;
      const iou = options.iouThres ?? 0.45;
      if (!warmedUp) {
        await run(image, conf, iou); // shader compilation / wasm warm-up is not the model's time
        warmedUp = true;
      }
      const start = performance.now();
      const detections = await run(image, conf, iou);
      return { detections, ms: performance.now() - start };
    },
    dispose() {
      for (const [, p] of model.namedParameters()) p.dispose();
      for (const [, b] of model.namedBuffers()) b.dispose();
    },
  };
}
