// MaxPoolGrad as one pass over the pooling windows. tfjs-wasm's MaxPoolGrad is a large share of a
// small CNN's training step; the cpu kernel first builds a buffer of max positions, then visits every
// window of every input pixel. Same meaning as the stock kernels: each window's gradient goes to the
// first maximum in row-major order, and overlapping windows add up. On wasm the common 2×2/stride-2
// case runs as a SIMD loop on the heap; everything else, and the cpu backend, runs the JS loops below.
import * as tf from '@tensorflow/tfjs-core';
import { computeRaw, hasRawData, type WasmHeap } from './rawData';
import { overrideKernel, runStock } from './registry';
import { kernelChunks, runOnThreads, type SimdCall, splitRange } from './kernelThreads';
import { heapOffset, simdKernels } from './wasmSimd';

type PoolInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;

/** The common case — 2×2 windows, stride 2, no padding — without the general loop's bookkeeping. */
export function maxPool2x2Backprop(x: ArrayLike<number>, dy: ArrayLike<number>, dx: Float32Array,
  batch: number, height: number, width: number, channels: number): void {
  const outHeight = height >> 1;
  const outWidth = width >> 1;
  if (height % 2 || width % 2) dx.fill(0); // the last odd row / column is in no window
  const row = width * channels;
  for (let b = 0; b < batch; b++) {
    for (let yR = 0; yR < outHeight; yR++) {
      let p = (b * height + 2 * yR) * row;
      let o = (b * outHeight + yR) * outWidth * channels;
      for (let yC = 0; yC < outWidth; yC++, p += 2 * channels, o += channels) {
        for (let d = 0; d < channels; d++) {
          const i00 = p + d;
          const i01 = i00 + channels;
          const i10 = i00 + row;
          const i11 = i10 + channels;
          const v00 = x[i00];
          const v01 = x[i01];
          const v10 = x[i10];
          const v11 = x[i11];
          // First maximum in row-major order, exactly as the stock kernels: strict >, starting from
          // -Infinity (NaN never wins; an all -Infinity/NaN window passes no gradient).
          let best = -Infinity;
          let slot = -1;
          if (v00 > best) { best = v00; slot = 0; }
          if (v01 > best) { best = v01; slot = 1; }
          if (v10 > best) { best = v10; slot = 2; }
          if (v11 > best) slot = 3;
          const g = dy[o + d];
          dx[i00] = slot === 0 ? g : 0;
          dx[i01] = slot === 1 ? g : 0;
          dx[i10] = slot === 2 ? g : 0;
          dx[i11] = slot === 3 ? g : 0;
        }
      }
    }
  }
}

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
    const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
    const plain2x2 = filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 &&
      padInfo.top === 0 && padInfo.left === 0 && info.outHeight === input.shape[1] >> 1 && info.outWidth === input.shape[2] >> 1;
    const [n, height, width, channels] = input.shape;
    const simd = plain2x2 && channels % 4 === 0 ? simdKernels(args.backend) : null;
    if (simd) {
      const wasm = args.backend as unknown as WasmHeap;
      const dx = wasm.makeOutput(input.shape, 'float32');
      const [xBase, dyBase, dxBase] = [input, dy, dx].map((t) => heapOffset(args.backend, t));
      const image = height * width * channels * 4;
      const dyImage = info.outHeight * info.outWidth * channels * 4;
      // The last odd row / column is in no window: each chunk zeroes its images first.
      const odd = height % 2 === 1 || width % 2 === 1;
      runOnThreads(args.backend, splitRange(n, kernelChunks(args.backend)).map(([b0, b1]): SimdCall[] => [
        ...(odd ? [['zero', dxBase + b0 * image, (b1 - b0) * image] as SimdCall] : []),
        ['maxPoolGrad2x2', xBase + b0 * image, dyBase + b0 * dyImage, dxBase + b0 * image, b1 - b0, height, width, channels, info.outHeight, info.outWidth],
      ]));
      return dx;
    }
    return computeRaw(args.backend, [input, dy], input.shape, ([x, dyValues], dx) => {
      if (plain2x2) maxPool2x2Backprop(x, dyValues, dx, input.shape[0], input.shape[1], input.shape[2], input.shape[3]);
      else maxPoolBackprop(x, dyValues, dx, info);
    });
  });
}
