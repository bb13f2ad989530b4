// Sum over the leading axes — every bias gradient (Add's gradient sums dy over the broadcast axes,
// e.g. [64,26,26,32] → [32]). tfjs-wasm's Sum (and cpu's) first transposes the reduced axes to the
// end; one pass down the rows, accumulating in float64, needs no copy.
import * as tf from '@tensorflow/tfjs';
import { computeRaw, hasRawData } from './rawData';
import { overrideKernel } from './registry';

/** out[c] = Σ_r x[r·cols + c]. */
export function sumRows(x: ArrayLike<number>, rows: number, cols: number, out: Float32Array): void {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) acc[c] += x[base + c];
  }
  out.set(acc);
}

export function registerLeadingSumKernel(backend: string): void {
  overrideKernel('Sum', backend, (stock) => (args) => {
    const { x } = args.inputs as unknown as { x: tf.Tensor };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[] | null; keepDims: boolean };
    const axes = tf.util.parseAxisParam(axis ?? x.shape.map((_, i) => i), x.shape).sort((a, b) => a - b);
    const leading = axes.length > 0 && axes.length < x.rank && axes.every((a, i) => a === i);
    if (stock && (!leading || x.dtype !== 'float32' || !hasRawData(args.backend))) return stock.kernelFunc(args);
    const rows = x.shape.slice(0, axes.length).reduce((a, b) => a * b, 1);
    const inner = x.shape.slice(axes.length);
    const cols = inner.reduce((a, b) => a * b, 1);
    const outShape = keepDims ? [...axes.map(() => 1), ...inner] : inner;
    return computeRaw(args.backend, [x], outShape, ([values], out) => sumRows(values, rows, cols, out));
  });
}
