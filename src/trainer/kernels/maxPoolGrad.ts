// MaxPoolGrad as one pass over the pooling windows. tfjs-wasm's MaxPoolGrad took 23 of 121 ms of a
// CNN training step (2×2 pooling of 64×26×26×32); the cpu kernel first builds a buffer of max
// positions, then visits every window of every input pixel. Same meaning as the stock kernels: each
// window's gradient goes to the first maximum in row-major order, and overlapping windows add up.
import * as tf from '@tensorflow/tfjs';
import { computeRaw, hasRawData } from './rawData';
import { overrideKernel, runStock } from './registry';

type PoolInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;

export function maxPoolBackprop(x: ArrayLike<number>, dy: ArrayLike<number>, dx: Float32Array, info: PoolInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const { top, left } = info.padInfo;
  dx.fill(0);
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      const rCorner = yR * strideHeight - top;
      let rMin = rCorner;
      while (rMin < 0) rMin += dilationHeight;
      const rMax = Math.min(inHeight, rCorner + effectiveFilterHeight);
      for (let yC = 0; yC < outWidth; yC++) {
        const cCorner = yC * strideWidth - left;
        let cMin = cCorner;
        while (cMin < 0) cMin += dilationWidth;
        const cMax = Math.min(inWidth, cCorner + effectiveFilterWidth);
        best.fill(-Infinity);
        where.fill(-1);
        for (let xR = rMin; xR < rMax; xR += dilationHeight) {
          for (let xC = cMin; xC < cMax; xC += dilationWidth) {
            const base = ((b * inHeight + xR) * inWidth + xC) * channels;
            for (let d = 0; d < channels; d++) {
              const v = x[base + d];
              if (v > best[d]) {
                best[d] = v;
                where[d] = base + d;
              }
            }
          }
        }
        const o = ((b * outHeight + yR) * outWidth + yC) * channels;
        for (let d = 0; d < channels; d++) if (where[d] >= 0) dx[where[d]] += dy[o + d];
      }
    }
  }
}

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function registerMaxPoolGradKernel(backend: string): void {
  overrideKernel('MaxPoolGrad', backend, (stock) => (args) => {
    const { dy, input } = args.inputs as unknown as { dy: tf.Tensor4D; input: tf.Tensor4D };
    const attrs = args.attrs as unknown as MaxPoolGradAttrs;
    if (input.dtype !== 'float32' || dy.dtype !== 'float32' || !hasRawData(args.backend)) {
      return runStock(stock, args, 'MaxPoolGrad', backend, `for ${input.dtype} input`);
    }
    const info = tf.backend_util.computePool2DInfo(input.shape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
    return computeRaw(args.backend, [input, dy], input.shape, ([x, dyValues], dx) => maxPoolBackprop(x, dyValues, dx, info));
  });
}
