// Convolutions as our gemm loop reading the filter rows straight from the input (convForward.ts), where
// relaxed SIMD fuses the multiply-adds (as the trainer turns it on): against the cpu backend for a first
// layer of one channel, "same" padding (even and odd filters, asymmetric padding), a filter one column
// wide (written straight to the output), explicit padding, a wide filter on a narrow image (a product
// per output row), and through tf.conv2d and the fused kernel predict runs; and which convolutions
// stay with Winograd or XNNPACK.
import * as v8 from 'node:v8';
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { type Conv2DAttrs, GEMM_CONV_MIN_WORK, gemmConv, gemmConvGains } from '../src/convForward';
import type { TensorInfo } from '../src/rawData';
import { createRandom, startWasmWithOurKernels } from './testBackends';

v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

const TOLERANCE = 1e-5;

interface Case { x: number[]; filter: number[]; pad: 'valid' | 'same' | number; strides?: number | [number, number] }
const CASES: Case[] = [
  { x: [5, 28, 28, 1], filter: [3, 3, 1, 32], pad: 'valid' },
  { x: [3, 12, 10, 3], filter: [5, 5, 3, 8], pad: 'same' },
  { x: [2, 8, 9, 6], filter: [2, 2, 6, 4], pad: 'same' },
  { x: [2, 9, 7, 5], filter: [3, 1, 5, 12], pad: 'valid' },
  { x: [2, 6, 9, 8], filter: [1, 3, 8, 16], pad: 1 },
  { x: [1, 7, 7, 2], filter: [7, 7, 2, 4], pad: 'valid' },
  { x: [3, 12, 12, 8], filter: [5, 5, 8, 16], pad: 'valid' },
  // Strided, from 8 outputs a row: a product per output row, its rows sw pixels apart.
  { x: [3, 32, 32, 8], filter: [3, 3, 8, 16], pad: 'same', strides: 2 },
  { x: [2, 17, 20, 4], filter: [3, 3, 4, 8], pad: 'valid', strides: 2 },
  { x: [2, 20, 33, 6], filter: [5, 3, 6, 12], pad: 1, strides: [3, 2] },
];

function values(shape: number[], seed: number): Float32Array {
  const random = createRandom(seed);
  return Float32Array.from({ length: shape.reduce((x, y) => x * y, 1) }, () => random() * 2 - 1);
}

const attrsOf = (pad: Case['pad'], strides: Case['strides'] = 1): Conv2DAttrs => ({ strides, pad, dataFormat: 'NHWC', dilations: 1 });

async function convolved(backend: 'wasm' | 'cpu', c: Case, fused = false): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(values(c.x, 1), c.x as [number, number, number, number]);
    const w = tf.tensor4d(values(c.filter, 2), c.filter as [number, number, number, number]);
    const out = fused
      ? tf.fused.conv2d({ x, filter: w, strides: 1, pad: c.pad, bias: tf.tensor1d(values([c.filter[3]], 3)), activation: 'relu' })
      : tf.conv2d(x, w, 1, c.pad);
    return { shape: out.shape, values: out.dataSync() as Float32Array };
  });
}

function assertClose(ours: { shape: number[]; values: Float32Array }, cpu: { shape: number[]; values: Float32Array }): void {
  assert.deepEqual(ours.shape, cpu.shape);
  const scale = cpu.values.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-12);
  let worst = 0;
  for (let i = 0; i < cpu.values.length; i++) worst = Math.max(worst, Math.abs(ours.values[i] - cpu.values[i]) / scale);
  assert.ok(worst <= TOLERANCE, `relative error ${worst}`);
}

/** Whether gemmConv takes the convolution (its result freed at once). */
function takes(xShape: number[], filterShape: number[], attrs: Conv2DAttrs): boolean {
  return tf.tidy(() => {
    const out = gemmConv(tf.backend(), tf.zeros(xShape), tf.zeros(filterShape), attrs);
    if (out) tf.backend().disposeData((out as TensorInfo).dataId);
    return out !== null;
  });
}

describe('convolutions as our gemm loop over the filter rows (fused multiply-adds)', () => {
  before(() => startWasmWithOurKernels());

  for (const c of CASES) {
    const name = `[${c.x}] ⊛ [${c.filter}] pad ${c.pad}${c.strides ? `, strides ${c.strides}` : ''}`;
    it(`${name}: our loop gives the cpu backend's convolution within ${TOLERANCE}`, async () => {
      await tf.setBackend('cpu');
      const cpu = tf.tidy(() => tf.conv2d(tf.tensor4d(values(c.x, 1), c.x as [number, number, number, number]),
        tf.tensor4d(values(c.filter, 2), c.filter as [number, number, number, number]), c.strides ?? 1, c.pad).dataSync() as Float32Array);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      const ours = tf.tidy(() => {
        const out = gemmConv(tf.backend(), tf.tensor4d(values(c.x, 1), c.x as [number, number, number, number]),
          tf.tensor4d(values(c.filter, 2), c.filter as [number, number, number, number]), attrsOf(c.pad, c.strides));
        assert.ok(out, 'the convolution must take our loop');
        const t = tf.engine().makeTensorFromTensorInfo(out as TensorInfo);
        return { shape: t.shape, values: t.dataSync() as Float32Array };
      });
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      assertClose(ours, { shape: ours.shape, values: cpu });
    });
  }

  it('runs a first layer of one channel as ours through tf.conv2d and the fused kernel (bias, ReLU) predict uses', async () => {
    const c = CASES[0];
    for (const fused of [false, true]) {
      const cpu = await convolved('cpu', c, fused);
      await tf.setBackend('wasm');
      const before = tf.memory().numTensors;
      assertClose(await convolved('wasm', c, fused), cpu);
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    }
  });

  it(`gives the cpu backend's convolution within ${TOLERANCE} over 80 seeded shapes, paddings and sizes down to one pixel`, async () => {
    const random = createRandom(77);
    const pick = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
    const pads: Case['pad'][] = ['valid', 'same', 0, 1, 2];
    let checked = 0;
    for (let k = 0; k < 80; k++) {
      const [kh, kw] = [pick(1, 5), pick(1, 5)];
      if (kh * kw === 1) continue;
      const pad = pads[pick(0, pads.length - 1)];
      const c: Case = { x: [pick(1, 3), pick(1, 12), pick(1, 12), pick(1, 9)], filter: [kh, kw, 0, 4 * pick(1, 5)], pad };
      c.filter[2] = c.x[3];
      const grow = pad === 'valid' ? 0 : pad === 'same' ? Infinity : 2 * pad;
      if (c.x[1] + grow < kh || c.x[2] + grow < kw) continue; // no output
      await tf.setBackend('cpu');
      const cpu = tf.tidy(() => tf.conv2d(tf.tensor4d(values(c.x, k), c.x as [number, number, number, number]),
        tf.tensor4d(values(c.filter, k + 100), c.filter as [number, number, number, number]), 1, c.pad).dataSync() as Float32Array);
      await tf.setBackend('wasm');
      const ours = tf.tidy(() => {
        const out = gemmConv(tf.backend(), tf.tensor4d(values(c.x, k), c.x as [number, number, number, number]),
          tf.tensor4d(values(c.filter, k + 100), c.filter as [number, number, number, number]), attrsOf(c.pad));
        assert.ok(out, `[${c.x}] ⊛ [${c.filter}] pad ${c.pad} must take our loop`);
        const t = tf.engine().makeTensorFromTensorInfo(out as TensorInfo);
        return { shape: t.shape, values: t.dataSync() as Float32Array };
      });
      assert.equal(ours.values.length, cpu.length, `[${c.x}] ⊛ [${c.filter}] pad ${c.pad}`);
      assertClose(ours, { shape: ours.shape, values: cpu });
      checked++;
    }
    assert.ok(checked >= 50, `only ${checked} shapes had an output`);
  });

  it('takes one or two input channels always, three never, four or more from GEMM_CONV_MIN_WORK multiply-adds', () => {
    assert.ok(gemmConvGains(1, 1000));
    assert.ok(gemmConvGains(2, 1000));
    assert.ok(!gemmConvGains(3, GEMM_CONV_MIN_WORK * 4), 'an RGB image: XNNPACK');
    assert.ok(!gemmConvGains(32, GEMM_CONV_MIN_WORK - 1), 'too small');
    assert.ok(gemmConvGains(32, GEMM_CONV_MIN_WORK));
  });

  it('leaves 1×1 and dilated convolutions, strided ones of fewer than 8 outputs a row, and output channels not in fours, to the others', async () => {
    await tf.setBackend('wasm');
    assert.ok(!takes([2, 8, 8, 8], [1, 1, 8, 16], attrsOf('valid')), '1×1');
    assert.ok(!takes([2, 9, 9, 4], [3, 3, 4, 8], { ...attrsOf('same'), strides: 2 }), 'stride 2, 5 outputs a row');
    assert.ok(takes([2, 16, 16, 4], [3, 3, 4, 8], { ...attrsOf('same'), strides: 2 }), 'stride 2, 8 outputs a row');
    assert.ok(!takes([2, 9, 9, 4], [3, 3, 4, 8], { ...attrsOf('same'), dilations: 2 }), 'dilation 2');
    assert.ok(!takes([2, 9, 9, 4], [3, 3, 4, 6], attrsOf('same')), '6 output channels');
    assert.ok(!takes([2, 9, 9, 4], [3, 3, 4, 8], { ...attrsOf('same'), dataFormat: 'NCHW' }), 'NCHW');
  });
});
