import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGradient, conv2dInputGradient } from '../src/convBackprop';

function maxRelError(a: tf.Tensor, b: tf.Tensor): number {
  const x = a.dataSync();
  const y = b.dataSync();
  assert.equal(x.length, y.length);
  const scale = Math.max(1e-6, ...Array.from(y, Math.abs));
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / scale);
  return worst;
}

// The stock cpu kernels are the reference (these tests call our functions directly, unregistered).
const stockFilter = (x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], strides: number, pad: 'same' | 'valid') =>
  tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape }) as tf.Tensor4D;
const stockInput = (shape: number[], dy: tf.Tensor4D, filter: tf.Tensor4D, pad: 'same' | 'valid') =>
  tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: 1, pad, dataFormat: 'NHWC', inputShape: shape }) as tf.Tensor4D;

const CASES = [
  { n: 2, h: 8, w: 8, ci: 1, co: 4, k: 3, stride: 1, pad: 'valid' as const },
  { n: 3, h: 7, w: 9, ci: 2, co: 3, k: 3, stride: 1, pad: 'same' as const },
  { n: 1, h: 10, w: 10, ci: 3, co: 2, k: 5, stride: 2, pad: 'same' as const },
  { n: 2, h: 9, w: 9, ci: 2, co: 2, k: 3, stride: 2, pad: 'valid' as const },
  { n: 1, h: 5, w: 6, ci: 1, co: 1, k: 1, stride: 1, pad: 'valid' as const },
  { n: 4, h: 6, w: 6, ci: 5, co: 3, k: 2, stride: 1, pad: 'same' as const },
  { n: 1, h: 4, w: 4, ci: 1, co: 1, k: 4, stride: 1, pad: 'valid' as const },
];

before(async () => {
  tf.env().set('PROD', true);
  assert.ok(await tf.setBackend('cpu'));
});

describe('Conv2D backprop as forward convolutions', () => {
  for (const c of CASES) {
    const name = `${c.n}×${c.h}×${c.w}×${c.ci} → ${c.co} filters ${c.k}×${c.k}, stride ${c.stride}, ${c.pad}`;
    it(`filter gradient matches the cpu kernel to 1e-4: ${name}`, () => {
      tf.tidy(() => {
        const x = tf.randomNormal([c.n, c.h, c.w, c.ci], 0, 1, 'float32', 1) as tf.Tensor4D;
        const w = tf.randomNormal([c.k, c.k, c.ci, c.co], 0, 1, 'float32', 2) as tf.Tensor4D;
        const y = tf.conv2d(x, w, c.stride, c.pad);
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3) as tf.Tensor4D;
        const ours = conv2dFilterGradient(x, dy, w.shape, c.stride, c.pad);
        assert.deepEqual(ours.shape, w.shape);
        assert.ok(maxRelError(ours, stockFilter(x, dy, w.shape, c.stride, c.pad)) < 1e-4);
      });
    });
    if (c.stride !== 1) continue;
    it(`input gradient matches the cpu kernel to 1e-4: ${name}`, () => {
      tf.tidy(() => {
        const x = tf.randomNormal([c.n, c.h, c.w, c.ci], 0, 1, 'float32', 4) as tf.Tensor4D;
        const w = tf.randomNormal([c.k, c.k, c.ci, c.co], 0, 1, 'float32', 5) as tf.Tensor4D;
        const y = tf.conv2d(x, w, 1, c.pad);
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 6) as tf.Tensor4D;
        const ours = conv2dInputGradient(x.shape, dy, w, c.pad);
        assert.deepEqual(ours.shape, x.shape);
        assert.ok(maxRelError(ours, stockInput(x.shape, dy, w, c.pad)) < 1e-4);
      });
    });
  }
});
