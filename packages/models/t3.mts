import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '@distillery/models/node';
import { buildModel, setSimdKernelsEnabled } from '@distillery/models';
const e = await initEngine({ threads: process.env.T ?? 'auto' });
console.log(e.reason);
setSimdKernelsEnabled(process.env.SIMD !== '0');
for (const name of ['mobile-yolo5s_voc', 'yolov5s_voc']) {
  const model = buildModel(name, { seed: 0 });
  model.fuse();
  const x = tf.randomUniform([1, 640, 640, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const times: number[] = [];
  let sum = 0;
  for (let i = 0; i < 8; i++) { const t = performance.now(); const y = model.predict(x); const d = y.dataSync(); sum = d.reduce((a, b) => a + b, 0); y.dispose(); times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  console.log(name, 'median ms', times[4].toFixed(1), 'img/s', (1000 / times[4]).toFixed(2), 'checksum', sum);
}
process.exit(0);
