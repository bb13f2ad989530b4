// UnsortedSegmentSum — the gradient of Gather, so of every Embedding layer. Stock tfjs-wasm has no
// such kernel (an Embedding cannot train there), and the cpu kernel makes one masked pass over all
// of x per segment: O(numSegments · size(x)), seconds for a vocabulary of thousands. Here it is one
// ScatterNd, which adds the updates of repeated indices: O(size(x) + size(out)). (A SIMD row
// scatter-add was tried and was no faster.)
import * as tf from '@tensorflow/tfjs-core';
import { overrideKernel, runStock } from './registry';

/** out[s, ...] = Σ_{i: ids[i] = s} x[i, ...] for 1-D ids; ids outside [0, numSegments) are dropped. */
export function unsortedSegmentSum(x: tf.Tensor, segmentIds: tf.Tensor1D, numSegments: number): tf.Tensor {
  const n = segmentIds.shape[0];
  const inner = x.shape.slice(1);
  const ids = segmentIds.dataSync(); // cpu and wasm hold data in memory: reading n indices costs microseconds
  let valid = true;
  for (let i = 0; i < ids.length; i++) {
    if (!(ids[i] >= 0 && ids[i] < numSegments)) {
      valid = false;
      break;
    }
  }
  return tf.tidy(() => {
    if (n === 0) return tf.zeros([numSegments, ...inner], x.dtype);
    const values = x.dtype === 'float32' || x.dtype === 'int32' ? x : tf.cast(x, 'float32');
    if (valid) {
      const out = tf.scatterND(tf.reshape(tf.cast(segmentIds, 'int32'), [n, 1]), values, [numSegments, ...inner]);
      return out.dtype === x.dtype ? out : tf.cast(out, x.dtype);
    }
    // Route the rows of out-of-range ids to an extra segment, then drop it.
    const ids32 = tf.cast(segmentIds, 'int32');
    const inRange = tf.logicalAnd(tf.greaterEqual(ids32, 0), tf.less(ids32, numSegments));
    const routed = tf.where(inRange, ids32, tf.fill([n], numSegments, 'int32'));
    const out = tf.scatterND(tf.reshape(routed, [n, 1]), values, [numSegments + 1, ...inner]);
    const kept = tf.slice(out, 0, numSegments);
    return kept.dtype === x.dtype ? kept : tf.cast(kept, x.dtype);
  });
}

export function registerSegmentSumKernel(backend: string): void {
  overrideKernel('UnsortedSegmentSum', backend, (stock) => (args) => {
    const { x, segmentIds } = args.inputs as unknown as { x: tf.Tensor; segmentIds: tf.Tensor };
    const { numSegments } = args.attrs as unknown as { numSegments: number };
    if (segmentIds.rank === 1 && x.rank >= 1 && x.shape[0] === segmentIds.shape[0] && (x.dtype === 'float32' || x.dtype === 'int32')) {
      return unsortedSegmentSum(x, segmentIds as tf.Tensor1D, numSegments);
    }
    if (stock) return stock.kernelFunc(args);
    // No stock kernel (wasm): TensorFlow's meaning — ids of any rank index the leading axes of x.
    if (segmentIds.rank >= 1 && x.shape.slice(0, segmentIds.rank).every((d, i) => d === segmentIds.shape[i])) {
      return tf.tidy(() => unsortedSegmentSum(
        tf.reshape(x, [segmentIds.size, ...x.shape.slice(segmentIds.rank)]), tf.reshape(segmentIds, [-1]) as tf.Tensor1D, numSegments));
    }
    return runStock(stock, args, 'UnsortedSegmentSum', backend, `with segmentIds shaped [${segmentIds.shape}] for x shaped [${x.shape}]`);
  });
}
