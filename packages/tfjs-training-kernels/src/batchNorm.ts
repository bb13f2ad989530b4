// FusedBatchNorm (a batch norm's forward pass) on wasm as our SIMD loop split over the kernel threads:
// out = offset + (x − mean) · scale / √(variance + ε) per channel, the stock kernel's operations in its
// order, with √(variance + ε) taken once per channel. tfjs-wasm's runs on the calling thread; a CIFAR
// ResNet-18 has 20 of them a step. Statistics, scale and offset of one value per channel (channels in
// fours) and float32 x; anything else goes to the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo, WasmHeap } from './rawData';
import { overrideKernel, runStock } from './registry';
import { MIN_VECTORS_PER_CHUNK, runSplit } from './kernelThreads';
import { heapOffset, simdKernels } from './wasmSimd';

interface BatchNormInputs { x: TensorInfo; mean: TensorInfo; variance: TensorInfo; offset?: TensorInfo; scale?: TensorInfo }

export function registerBatchNormKernel(backend: string): void {
  if (backend !== 'wasm') return;
  overrideKernel('FusedBatchNorm', backend, (stock) => (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as unknown as BatchNormInputs;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    const channels = x.shape[x.shape.length - 1];
    const perChannel = (t: TensorInfo | undefined) => !t || (t.dtype === 'float32' && tf.util.sizeFromShape(t.shape) === channels && t.shape[t.shape.length - 1] === channels);
    const fits = x.dtype === 'float32' && x.shape.length >= 1 && channels % 4 === 0 && [mean, variance, offset, scale].every(perChannel);
    const simd = fits ? simdKernels(args.backend) : null;
    if (!simd) return runStock(stock, args, 'FusedBatchNorm', backend, 'with these inputs');
    const wasm = args.backend as unknown as WasmHeap;
    const out = wasm.makeOutput(x.shape, 'float32');
    const rows = tf.util.sizeFromShape(x.shape) / Math.max(1, channels);
    if (rows === 0 || channels === 0) return out;
    // √(variance + ε) per channel, and a scale of 1 and an offset of 0 where they are left out.
    const columns = wasm.makeOutput([3, channels], 'float32');
    try {
      const c = wasm.typedArrayFromHeap(columns) as Float32Array;
      const v = wasm.typedArrayFromHeap(variance);
      const epsilon = Math.fround(varianceEpsilon);
      for (let i = 0; i < channels; i++) c[i] = Math.fround(Math.sqrt(Math.fround(v[i] + epsilon)));
      c.fill(1, channels, 2 * channels);
      c.fill(0, 2 * channels);
      const columnsBase = heapOffset(args.backend, columns);
      const [xBase, meanBase, outBase] = [x, mean, out].map((t) => heapOffset(args.backend, t));
      const scaleBase = scale ? heapOffset(args.backend, scale) : columnsBase + channels * 4;
      const offsetBase = offset ? heapOffset(args.backend, offset) : columnsBase + 2 * channels * 4;
      const row = channels * 4;
      runSplit(args.backend, rows, (r0, r1) => ['batchNormRows', xBase + r0 * row, meanBase, columnsBase, scaleBase, offsetBase, outBase + r0 * row, r1 - r0, row],
        Math.ceil(MIN_VECTORS_PER_CHUNK / (channels / 4)));
      return out;
    } finally {
      wasm.disposeData(columns.dataId);
    }
  });
}
