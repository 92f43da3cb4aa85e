// Gradient functions (and chained tensor methods such as `x.mul(y)`) for tfjs-core.
// @tensorflow/tfjs-core alone registers NO gradients: its Node bundle leaves them out and its ESM
// `dist/register_all_gradients.js` uses extensionless imports that Node cannot load. The union
// package @tensorflow/tfjs registers both on import, against the same tfjs-core instance (the
// registries are global), so importing it once is what makes `tf.grad`/`variableGrads` work.
import '@tensorflow/tfjs';
