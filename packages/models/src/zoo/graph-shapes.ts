import type { Profiler, Shape4 } from '../flops/profiler.ts';
import type { GraphNode } from './parse-model.ts';

/**
 * Propagates an NHWC input shape through the layer graph (no tensors), accumulating thop counts in `p`.
 * Returns each layer's output shape (Detect: its first input's shape, unused).
 */
export function traceShapes(nodes: GraphNode[], input: Shape4, p: Profiler): Shape4[] {
  const shapes: Shape4[] = [];
  const at = (j: number) => (j === -1 ? input : shapes[j]);
  for (const node of nodes) {
    const ins = node.info.inputs.map(at);
    if (node.kind === 'block') shapes.push(node.module.profile(ins[0], p));
    else if (node.kind === 'concat') {
      const [, h, w] = ins[0];
      const bad = ins.findIndex((s) => s[1] !== h || s[2] !== w);
      if (bad >= 0) {
        throw new Error(
          `layer ${node.info.index} (Concat): input layer ${node.info.inputs[bad]} is ${ins[bad][1]}x${ins[bad][2]}, layer ${node.info.inputs[0]} is ${h}x${w} (input ${input[1]}x${input[2]})`,
        );
      }
      shapes.push(node.module.outShape(ins));
    } else shapes.push(ins[0]);
  }
  return shapes;
}
