import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@distillery/models/node';
import { buildModel, setSimdKernelsEnabled } from '@distillery/models';
await initEngine({ threads: process.env.T ?? 'auto' });
setSimdKernelsEnabled(process.env.SIMD !== '0');
for (const name of (process.env.M ?? 'mobile-yolo5s_voc,yolov5s_voc').split(',')) {
  const model = buildModel(name, { seed: 0 });
  model.fuse();
  const x = tf.randomUniform([1, 640, 640, 3]) as tf.Tensor4D;
  for (let i = 0; i < 3; i++) { const y = model.predict(x); y.dataSync(); y.dispose(); }
  const by = new Map<string, [number, number]>();
  const N = 3;
  for (let i = 0; i < N; i++) {
    const p = await tf.profile(() => { const y = model.predict(x); y.dataSync(); return y; });
    for (const k of p.kernels) {
      const key = k.name + (k.name.includes('Conv') ? ' ' + JSON.stringify(k.inputShapes[1]) : '');
      const v = by.get(key) ?? [0, 0];
      v[0] += (k.kernelTimeMs as number) / N; v[1] += 1 / N;
      by.set(key, v);
    }
  }
  const rows = [...by].sort((a, b) => b[1][0] - a[1][0]);
  const total = rows.reduce((s, r) => s + r[1][0], 0);
  console.log(name, 'total kernel ms', total.toFixed(1));
  const agg = new Map<string, number>();
  for (const [k, v] of rows) { const n = k.split(' ')[0]; agg.set(n, (agg.get(n) ?? 0) + v[0]); }
  console.log([...agg].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(' | '));
  for (const [k, v] of rows.slice(0, Number(process.env.TOP ?? 12))) console.log('  ', k, v[0].toFixed(2), 'x', v[1]);
}
process.exit(0);
