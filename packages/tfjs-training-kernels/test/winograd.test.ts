// Winograd F(2×2, 3×3) and F(4×4, 3×3) on wasm (src/winograd.ts) against the cpu
// backend's stock convolution kernels: forward, filter gradient and input gradient, both tile sizes,
// over odd sizes, partial tiles, size-1 edges and asymmetric explicit padding; relative error ≤ 1e-4.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useOurKernels, useStockKernels } from '../src/index';
import type { TensorInfo } from '../src/rawData';
import { winogradConv, winogradFilterGradient, winogradInputGradient, winogradTileFor } from '../src/winograd';
import { createRandom, startWasmWithOurKernels } from './testBackends';

const TOLERANCE = 1e-4;
type Explicit = [[number, number], [number, number], [number, number], [number, number]];

let seed = 100;
function normal(shape: number[]): Float32Array {
  const random = createRandom(seed++);
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < values.length; i++) values[i] = Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
  return values;
}

function relativeError(ours: Float32Array, reference: Float32Array): number {
  assert.equal(ours.length, reference.length);
  let scale = 1e-12;
  for (const v of reference) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i] - reference[i]) / scale);
  return worst;
}

/** Runs `f` on the cpu backend with its stock kernels and returns the values. */
async function onCpu(f: () => tf.Tensor): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend('cpu');
  useStockKernels('cpu');
  try {
    const t = tf.tidy(f);
    const out = { shape: t.shape, values: Float32Array.from(t.dataSync()) };
    t.dispose();
    return out;
  } finally {
    useOurKernels('cpu');
  }
}

/** Runs one of ours on wasm tensors and returns the values; checks nothing is left on the heap. */
async function onWasm(inputs: [Float32Array, number[]][], f: (backend: unknown, ...xs: TensorInfo[]) => TensorInfo | null): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend('wasm');
  const backend = tf.findBackend('wasm')!;
  const xs = inputs.map(([values, shape]) => tf.tensor(values, shape));
  const before = backend.numDataIds();
  const info = f(backend, ...xs);
  assert.ok(info, 'the Winograd kernel should run on wasm');
  assert.equal(backend.numDataIds(), before + 1, 'scratch tensors were left on the heap');
  const out = tf.engine().makeTensorFromTensorInfo(info);
  const result = { shape: out.shape, values: Float32Array.from(out.dataSync()) };
  tf.dispose([out, ...xs]);
  return result;
}

before(() => startWasmWithOurKernels());

// [n, h, w, ci, co], padding as [top, bottom, left, right]
type Case = [number[], [number, number, number, number]];
const CASES: Case[] = [
  [[2, 8, 8, 4, 4], [0, 0, 0, 0]],
  [[3, 7, 9, 8, 12], [1, 1, 1, 1]],
  [[1, 13, 13, 32, 64], [0, 0, 0, 0]],
  [[2, 5, 4, 16, 16], [0, 0, 0, 0]],
  [[1, 1, 1, 4, 4], [1, 1, 1, 1]],
  [[2, 3, 3, 4, 8], [0, 0, 0, 0]],
  [[1, 3, 1, 4, 4], [1, 1, 1, 1]],
  [[4, 11, 6, 12, 4], [1, 1, 1, 1]],
  [[1, 10, 7, 8, 8], [2, 0, 1, 2]],
  [[2, 6, 9, 4, 16], [0, 1, 2, 0]],
  [[1, 17, 17, 20, 24], [1, 1, 1, 1]],
  [[11, 6, 5, 8, 8], [1, 1, 1, 1]], // more images than the filter gradient's parts, unevenly split
  [[3, 4, 4, 64, 96], [1, 1, 1, 1]], // a deep layer's small maps: the filter gradient sums all tiles at once
];

describe('Winograd convolutions on wasm against the cpu kernels', () => {
  for (const [[n, h, w, ci, co], [top, bottom, left, right]] of CASES) {
    const pad: Explicit = [[0, 0], [top, bottom], [left, right], [0, 0]];
    const outH = h + top + bottom - 2;
    const outW = w + left + right - 2;
    for (const m of [2, 4] as const) {
      const name = `F(${m}×${m}) x [${n},${h},${w},${ci}] → ${co}, padding ${top}/${bottom}/${left}/${right}`;
      it(`forward: ${name}`, async () => {
        const x = normal([n, h, w, ci]);
        const g = normal([3, 3, ci, co]);
        const reference = await onCpu(() => tf.conv2d(tf.tensor4d(x, [n, h, w, ci]), tf.tensor4d(g, [3, 3, ci, co]), 1, pad));
        const ours = await onWasm([[x, [n, h, w, ci]], [g, [3, 3, ci, co]]], (b, xt, gt) => winogradConv(b, xt, gt, top, left, outH, outW, m));
        assert.deepEqual(ours.shape, reference.shape);
        const err = relativeError(ours.values, reference.values);
        assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)}`);
      });
      it(`filter gradient: ${name}`, async () => {
        const x = normal([n, h, w, ci]);
        const dy = normal([n, outH, outW, co]);
        const reference = await onCpu(() => tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, [n, h, w, ci]), dy: tf.tensor4d(dy, [n, outH, outW, co]) },
            { strides: 1, pad, dataFormat: 'NHWC', filterShape: [3, 3, ci, co] }) as tf.Tensor);
        const ours = await onWasm([[x, [n, h, w, ci]], [dy, [n, outH, outW, co]]], (b, xt, dyt) => winogradFilterGradient(b, xt, dyt, top, left, m));
        assert.deepEqual(ours.shape, reference.shape);
        const err = relativeError(ours.values, reference.values);
        assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)}`);
      });
      it(`input gradient: ${name}`, async () => {
        const g = normal([3, 3, ci, co]);
        const dy = normal([n, outH, outW, co]);
        const reference = await onCpu(() => tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(dy, [n, outH, outW, co]), filter: tf.tensor4d(g, [3, 3, ci, co]) },
          { strides: 1, pad, dataFormat: 'NHWC', inputShape: [n, h, w, ci] }) as tf.Tensor);
        const ours = await onWasm([[dy, [n, outH, outW, co]], [g, [3, 3, ci, co]]], (b, dyt, gt) => winogradInputGradient(b, dyt, gt, [n, h, w, ci], top, left, m));
        assert.deepEqual(ours.shape, reference.shape);
        const err = relativeError(ours.values, reference.values);
        assert.ok(err <= TOLERANCE, `relative error ${err.toExponential(2)}`);
      });
    }
  }
});

describe('Winograd tile size', () => {
  it('takes F(4×4) where it needs fewer multiplies and F(2×2) for tiny outputs', () => {
    assert.equal(winogradTileFor(11, 11), 4); // 9 tiles × 36 = 324 against 36 × 16 = 576
    assert.equal(winogradTileFor(13, 13), 4);
    assert.equal(winogradTileFor(1, 1), 2); // 1 × 16 against 1 × 36
    assert.equal(winogradTileFor(2, 2), 2);
    assert.equal(winogradTileFor(6, 2), 2); // 3 × 16 = 48 against 2 × 36 = 72
  });
  it('is not used on the cpu backend', async () => {
    await tf.setBackend('cpu');
    const x = tf.ones([1, 4, 4, 4]);
    const g = tf.ones([3, 3, 4, 4]);
    assert.equal(winogradConv(tf.findBackend('cpu'), x, g, 0, 0, 2, 2), null);
    tf.dispose([x, g]);
  });
});
