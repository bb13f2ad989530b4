// Our training kernels against the cpu backend's stock kernels: each case runs
// the kernel for real on the wasm backend (and on cpu, where we register it too) and compares with
// the stock cpu result, relative error ≤ 1e-4 (max |ours − stock| / max |stock|).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { activeOverrides, useOurKernels, useStockKernels } from '../src/index';
import { takesOurTranspose } from '../src/transpose';
import { createRandom, startWasmWithOurKernels } from './testBackends';

const TOLERANCE = 1e-4;

interface Spec { shape: number[]; values: Float32Array | Int32Array; dtype: 'float32' | 'int32' }
interface Result { shape: number[]; values: Float32Array }

let seedCounter = 1;
function normal(shape: number[]): Spec {
  const random = createRandom(seedCounter++);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const u = Math.max(1e-12, random());
    values[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  }
  return { shape, values, dtype: 'float32' };
}
/** Small integers: many exact ties inside pooling windows. */
function tied(shape: number[]): Spec {
  const s = normal(shape);
  return { ...s, values: s.values.map((v) => Math.max(0, Math.round(v * 1.5))) };
}
const ints = (values: number[]): Spec => ({ shape: [values.length], values: Int32Array.from(values), dtype: 'int32' });

async function run(backend: 'wasm' | 'cpu', stock: boolean, kernelName: string, inputs: Record<string, Spec>, attrs: object): Promise<Result> {
  await tf.setBackend(backend);
  if (stock) useStockKernels(backend);
  const made: tf.Tensor[] = [];
  try {
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, s] of Object.entries(inputs)) made.push((tensors[name] = tf.tensor(s.values, s.shape, s.dtype)));
    const before = tf.memory().numTensors;
    const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    made.push(out);
    assert.equal(tf.memory().numTensors, before + 1, `${kernelName} on ${backend} leaked tensors`);
    return { shape: out.shape, values: Float32Array.from(out.dataSync()) };
  } finally {
    tf.dispose(made);
    if (stock) useOurKernels(backend);
  }
}

function relativeError(ours: Result, reference: Result): number {
  assert.deepEqual(ours.shape, reference.shape);
  let scale = 1e-12;
  for (const v of reference.values) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < ours.values.length; i++) worst = Math.max(worst, Math.abs(ours.values[i] - reference.values[i]) / scale);
  return worst;
}

/** Ours on wasm and on cpu against the stock cpu kernel (or an explicit reference). */
async function check(kernelName: string, inputs: Record<string, Spec>, attrs: object, reference?: Result): Promise<void> {
  const expected = reference ?? await run('cpu', true, kernelName, inputs, attrs);
  for (const backend of ['wasm', 'cpu'] as const) {
    if (!activeOverrides(backend).includes(kernelName)) continue;
    const ours = await run(backend, false, kernelName, inputs, attrs);
    const err = relativeError(ours, expected);
    assert.ok(err <= TOLERANCE, `${kernelName} on ${backend}: relative error ${err.toExponential(2)} > ${TOLERANCE}`);
  }
  assert.ok(activeOverrides('wasm').includes(kernelName), `${kernelName} is not registered on wasm`);
}

/** Output size of a convolution, as tfjs computes it. */
function outSize(xShape: number[], filterShape: number[], strides: number | number[], pad: 'same' | 'valid' | number, dilations: number | number[] = 1, depthwise = false): number[] {
  return tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape as [number, number, number, number],
    strides as [number, number], dilations as [number, number], pad, undefined, depthwise).outShape;
}

/** A dilated filter as the equivalent undilated one with zeros between the taps (the stock cpu backprop kernels ignore dilations). */
function spreadFilter(filter: Spec, dh: number, dw: number): Spec {
  const [kh, kw, c, m] = filter.shape;
  const eh = (kh - 1) * dh + 1;
  const ew = (kw - 1) * dw + 1;
  const values = new Float32Array(eh * ew * c * m);
  for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let k = 0; k < c * m; k++) {
    values[((i * dh) * ew + j * dw) * c * m + k] = filter.values[(i * kw + j) * c * m + k];
  }
  return { shape: [eh, ew, c, m], values, dtype: 'float32' };
}

before(() => startWasmWithOurKernels());

// [n, h, w, c], [kh, kw], depth multiplier, strides, pad, dilations
type DepthwiseCase = [number[], number[], number, number | [number, number], 'same' | 'valid' | number, number | [number, number]];
const DEPTHWISE: DepthwiseCase[] = [
  [[2, 8, 8, 3], [3, 3], 1, 1, 'same', 1],
  [[1, 7, 9, 2], [3, 3], 2, 1, 'valid', 1],
  [[3, 9, 7, 4], [3, 3], 1, 2, 'same', 1],
  [[2, 10, 10, 3], [5, 5], 3, 2, 'valid', 1],
  [[1, 11, 6, 1], [2, 3], 1, [2, 1], 'same', 1],
  [[4, 6, 6, 5], [1, 1], 2, 1, 'valid', 1],
  [[1, 1, 1, 1], [1, 1], 1, 1, 'valid', 1],
  [[1, 1, 1, 2], [3, 3], 2, 1, 'same', 1],
  [[2, 1, 9, 3], [1, 3], 1, 1, 'same', 1],
  [[1, 5, 5, 2], [5, 5], 1, 1, 'valid', 1],
  [[2, 13, 13, 8], [3, 3], 1, 3, 'same', 1],
  [[1, 8, 8, 2], [3, 3], 2, 1, 1, 1],
  [[2, 9, 9, 2], [3, 3], 1, 1, 'same', 2],
  [[1, 12, 10, 3], [3, 2], 2, 1, 'valid', [2, 3]],
  // Channels a multiple of 4: the SIMD filter gradient on wasm.
  [[2, 9, 9, 4], [3, 3], 2, 1, 'same', 2],
  [[1, 11, 7, 8], [5, 5], 3, 1, 'valid', 1],
  [[2, 6, 6, 4], [1, 1], 1, 2, 'same', 1],
  [[3, 10, 9, 12], [3, 3], 1, 2, 'valid', 1],
  [[2, 7, 7, 4], [4, 4], 1, 1, 'same', 1],
  [[1, 1, 1, 4], [3, 3], 1, 1, 'same', 1],
];

describe('DepthwiseConv2dNativeBackpropFilter / …Input against the cpu kernels', () => {
  for (const [xShape, [kh, kw], mult, strides, pad, dilations] of DEPTHWISE) {
    const name = `x [${xShape}], filter ${kh}×${kw}×${mult}, strides ${strides}, pad ${pad}, dilations ${dilations}`;
    const filterShape = [kh, kw, xShape[3], mult];
    const dyShape = outSize(xShape, filterShape, strides, pad, dilations, true);
    const dilated = dilations !== 1;
    it(`filter gradient: ${name}`, async () => {
      const x = normal(xShape);
      const dy = normal(dyShape);
      const attrs = { strides, pad, dilations, filterShape };
      let reference: Result | undefined;
      if (dilated) {
        // Same gradient as for the zero-spread filter, read at the taps.
        const [dh, dw] = Array.isArray(dilations) ? dilations : [dilations, dilations];
        const spread = spreadFilter(normal(filterShape), dh, dw);
        const full = await run('cpu', true, 'DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides, pad, dilations: 1, filterShape: spread.shape });
        const values = new Float32Array(kh * kw * xShape[3] * mult);
        const cm = xShape[3] * mult;
        for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let k = 0; k < cm; k++) {
          values[(i * kw + j) * cm + k] = full.values[((i * dh) * spread.shape[1] + j * dw) * cm + k];
        }
        reference = { shape: filterShape, values };
      }
      await check('DepthwiseConv2dNativeBackpropFilter', { x, dy }, attrs, reference);
    });
    it(`input gradient: ${name}`, async () => {
      const filter = normal(filterShape);
      const dy = normal(dyShape);
      const attrs = { strides, pad, dilations, inputShape: xShape };
      let reference: Result | undefined;
      if (dilated) {
        const [dh, dw] = Array.isArray(dilations) ? dilations : [dilations, dilations];
        reference = await run('cpu', true, 'DepthwiseConv2dNativeBackpropInput', { dy, filter: spreadFilter(filter, dh, dw) },
          { strides, pad, dilations: 1, inputShape: xShape });
      }
      await check('DepthwiseConv2dNativeBackpropInput', { dy, filter }, attrs, reference);
    });
  }
});

// [n, h, w, ci, co], k, strides, pad
type ConvCase = [number[], number, number | [number, number], 'same' | 'valid' | number];
const CONV: ConvCase[] = [
  [[2, 8, 8, 1, 4], 3, 1, 'valid'],
  [[3, 7, 9, 2, 3], 3, 1, 'same'],
  [[1, 10, 10, 3, 2], 5, 2, 'same'],
  [[2, 9, 9, 2, 2], 3, 2, 'valid'],
  [[1, 5, 6, 1, 1], 1, 1, 'valid'],
  [[4, 6, 6, 5, 3], 2, 1, 'same'],
  [[1, 4, 4, 1, 1], 4, 1, 'valid'],
  [[1, 1, 1, 3, 2], 3, 1, 'same'],
  [[2, 1, 7, 2, 3], 1, 1, 'valid'],
  [[2, 11, 11, 4, 6], 3, [2, 1], 'same'],
  [[1, 8, 8, 2, 2], 3, 1, 1],
  [[8, 13, 13, 32, 64], 3, 1, 'valid'],
  // 3×3 filters over ≤ 4 input channels with a multiple of 4 outputs: our SIMD filter gradient on wasm.
  [[3, 9, 7, 3, 8], 3, 2, 'same'],
  [[2, 10, 10, 1, 16], 3, 1, 'same'],
  [[1, 6, 5, 4, 4], 3, [1, 2], 'valid'],
  [[2, 8, 8, 2, 4], 3, 1, 1],
  [[4, 28, 28, 1, 32], 3, 1, 'valid'],
  [[1, 3, 3, 1, 4], 3, 1, 'valid'],
  // 3×3 stride 1, big enough for Winograd on wasm (winograd.ts): F(4×4) with partial tiles and padding.
  [[16, 13, 13, 32, 64], 3, 1, 'valid'],
  [[2, 34, 33, 32, 32], 3, 1, 'same'],
  [[3, 21, 19, 16, 128], 3, 1, 1],
  // Strided, big enough for our gemm loop (a product per output row), and a filter gradient of more
  // than 64 input channels (our SIMD loop up to SIMD_FILTER_MAX_CHANNELS).
  [[8, 32, 32, 32, 32], 3, 2, 'same'],
  [[4, 16, 16, 128, 64], 3, 2, 'same'],
  [[4, 16, 16, 96, 128], 1, 2, 'valid'],
];

describe('Conv2DBackpropFilter / …Input against the cpu kernels', () => {
  for (const [[n, h, w, ci, co], k, strides, pad] of CONV) {
    const name = `x [${n},${h},${w},${ci}] → ${co} filters ${k}×${k}, strides ${strides}, pad ${pad}`;
    const xShape = [n, h, w, ci];
    const filterShape = [k, k, ci, co];
    const dyShape = outSize(xShape, filterShape, strides, pad);
    it(`filter gradient: ${name}`, async () => {
      await check('Conv2DBackpropFilter', { x: normal(xShape), dy: normal(dyShape) }, { strides, pad, dataFormat: 'NHWC', filterShape });
    });
    it(`input gradient: ${name}`, async () => {
      await check('Conv2DBackpropInput', { dy: normal(dyShape), filter: normal(filterShape) }, { strides, pad, dataFormat: 'NHWC', inputShape: xShape });
    });
  }
});

describe('Conv2D against the cpu kernel', () => {
  for (const [[n, h, w, ci, co], k, strides, pad] of CONV) {
    it(`x [${n},${h},${w},${ci}] → ${co} filters ${k}×${k}, strides ${strides}, pad ${pad}`, async () => {
      await check('Conv2D', { x: normal([n, h, w, ci]), filter: normal([k, k, ci, co]) }, { strides, pad, dataFormat: 'NHWC', dilations: 1 });
    });
  }
});

describe('Add of a bias vector against the cpu kernel', () => {
  const cases: [number[], number[]][] = [
    [[5, 8], [8]],
    [[8], [3, 4, 8]],
    [[2, 3, 3, 4], [4]],
    [[64, 26, 26, 32], [32]],
    [[3, 5], [5]], // 5 columns: the stock kernel
    [[4, 4], [4, 4]], // no broadcast: the stock kernel
    [[1, 4], [4]],
  ];
  for (const [aShape, bShape] of cases) {
    it(`[${aShape}] + [${bShape}]`, async () => {
      await check('Add', { a: normal(aShape), b: normal(bShape) }, {});
    });
  }
});

describe('Add, Sub, Multiply and RealDiv on wasm match the cpu kernels bit for bit', () => {
  const bits = (r: Result) => Array.from(r.values).map(String);
  // [a, b]: same shapes (with a tail of 1–3 elements), a last-axis vector on either side (as [C] and as
  // [1,1,C]), a scalar on either side, and broadcasts ours leave to the stock kernel.
  const shapes: [number[], number[]][] = [[[4, 6], [4, 6]], [[7], [7]], [[2, 3, 5], [2, 3, 5]], [[8, 26, 26, 32], [32]], [[32], [8, 5, 5, 32]],
    [[3, 4, 8], [1, 1, 8]], [[1, 1, 8], [3, 4, 8]], [[6, 7], [1]], [[], [5, 3]], [[13], []], [[5, 1], [5, 8]], [[4, 6], [6]], [[1, 6], [4, 1]]];
  for (const kernelName of ['Add', 'Sub', 'Multiply', 'RealDiv']) {
    for (const [aShape, bShape] of shapes) {
      it(`${kernelName} [${aShape}] and [${bShape}]`, async () => {
        const [a, b] = [normal(aShape), normal(bShape)];
        [NaN, -0, 0, Infinity, -Infinity].forEach((v, i) => { if (i < b.values.length) b.values[i] = v; if (i + 2 < a.values.length) a.values[i + 2] = v; });
        const [ours, reference] = [await run('wasm', false, kernelName, { a, b }, {}), await run('cpu', true, kernelName, { a, b }, {})];
        assert.deepEqual(ours.shape, reference.shape);
        assert.deepEqual(bits(ours), bits(reference));
      });
    }
    it(`${kernelName} is ours on wasm`, () => assert.ok(activeOverrides('wasm').includes(kernelName)));
  }
  it('int32 operands go to the stock kernel', async () => {
    const out = await run('wasm', false, 'Multiply', { a: ints([1, 2, 3]), b: ints([4, 5, 6]) }, {});
    assert.deepEqual(Array.from(out.values), [4, 10, 18]);
  });
});

describe('FusedBatchNorm (a batch norm\'s forward pass) against the cpu kernel', () => {
  // [x shape, with offset, with scale]: channels in fours are ours, others and a missing offset or scale too.
  const cases: [number[], boolean, boolean][] = [[[8, 6, 6, 32], true, true], [[4, 12], true, true], [[2, 5, 5, 8], false, true], [[2, 5, 5, 8], true, false],
    [[3, 4, 4, 8], false, false], [[2, 3, 3, 6], true, true]];
  for (const [shape, withOffset, withScale] of cases) {
    it(`x [${shape}]${withOffset ? '' : ', no offset'}${withScale ? '' : ', no scale'}`, async () => {
      const channels = shape[shape.length - 1];
      const variance = normal([channels]);
      variance.values = variance.values.map((v) => v * v);
      const inputs: Record<string, Spec> = { x: normal(shape), mean: normal([channels]), variance };
      if (withOffset) inputs.offset = normal([channels]);
      if (withScale) inputs.scale = normal([channels]);
      await check('FusedBatchNorm', inputs, { varianceEpsilon: 1e-3 });
    });
  }
  it('is ours on wasm (where the stock one runs on one thread)', () => assert.ok(activeOverrides('wasm').includes('FusedBatchNorm')));
});

describe('Relu\'s gradient on wasm (one kernel) matches tfjs\'s dy · step(x) on cpu, bit for bit', () => {
  const special = [0, -0, 1e-30, -1e-30, NaN, Infinity, -Infinity, 2, -3];
  const cases: [string, number[]][] = [['a multiple of 4', [4, 6]], ['a tail of 3', [7]], ['one element', [1]], ['conv activations', [8, 26, 26, 32]]];
  for (const [name, shape] of cases) {
    it(name, async () => {
      const x = normal(shape);
      const dy = normal(shape);
      for (let i = 0; i < Math.min(x.values.length, special.length); i++) x.values[i] = special[i];
      if (dy.values.length > 2) dy.values[1] = NaN; // NaN · 0 stays NaN, as in tfjs
      const grad = async (backend: 'wasm' | 'cpu') => {
        await tf.setBackend(backend);
        const [xt, dyt] = [tf.tensor(x.values, shape), tf.tensor(dy.values, shape)];
        const before = tf.memory().numTensors;
        const g = tf.grad((t: tf.Tensor) => tf.relu(t))(xt, dyt);
        const values = Float32Array.from(g.dataSync());
        g.dispose();
        assert.equal(tf.memory().numTensors, before, `Relu's gradient on ${backend} leaked tensors`);
        tf.dispose([xt, dyt]);
        return values;
      };
      assert.ok(activeOverrides('wasm').includes('ModelLensReluGrad'));
      const [ours, reference] = [await grad('wasm'), await grad('cpu')];
      assert.deepEqual(Array.from(ours).map(String), Array.from(reference).map(String));
    });
  }
});

describe('UnsortedSegmentSum against the cpu kernel', () => {
  const cases: [string, Spec, Spec, number][] = [
    ['rows with repeated ids', normal([7, 5]), ints([0, 3, 3, 1, 0, 3, 2]), 4],
    ['a vector', normal([6]), ints([2, 2, 0, 1, 5, 5]), 6],
    ['rank-3 values', normal([5, 2, 3]), ints([1, 0, 1, 1, 0]), 3],
    ['segments nobody hits', normal([3, 4]), ints([9, 0, 9]), 12],
    ['ids out of range are dropped', normal([6, 3]), ints([-1, 0, 4, 2, 7, 2]), 4],
    ['one row, one segment', normal([1, 1]), ints([0]), 1],
    ['rows of 8 (the SIMD row scatter-add on wasm)', normal([9, 8]), ints([2, 0, 2, 2, 5, 0, 1, 5, 2]), 6],
    ['rank-3 rows of 2×2', normal([4, 2, 2]), ints([1, 1, 0, 1]), 2],
    ['out-of-range ids with rows of 4', normal([5, 4]), ints([3, -2, 0, 3, 4]), 4],
    ['an embedding gradient (256 ids, 1000 words × 16)', normal([256, 16]), ints(Array.from({ length: 256 }, (_, i) => (i * 7919) % 1000)), 1000],
  ];
  for (const [name, x, segmentIds, numSegments] of cases) {
    it(name, async () => {
      await check('UnsortedSegmentSum', { x, segmentIds }, { numSegments });
    });
  }
  it('int32 values', async () => {
    const x: Spec = { shape: [5, 2], values: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), dtype: 'int32' };
    await check('UnsortedSegmentSum', { x, segmentIds: ints([1, 1, 0, 2, 1]) }, { numSegments: 3 });
  });
});

describe('BatchMatMul with transposes against the cpu kernel', () => {
  const cases: [number[], number[], boolean, boolean][] = [
    [[128, 784], [128, 512], true, false],
    [[128, 512], [784, 512], false, true],
    [[3, 5, 7], [3, 5, 4], true, false],
    [[2, 7, 5], [2, 4, 5], false, true],
    [[1, 6, 3], [1, 2, 6], true, true],
    [[1, 1], [1, 1], true, true],
  ];
  for (const [aShape, bShape, transposeA, transposeB] of cases) {
    it(`[${aShape}]${transposeA ? 'ᵀ' : ''} · [${bShape}]${transposeB ? 'ᵀ' : ''}`, async () => {
      await check('BatchMatMul', { a: normal(aShape), b: normal(bShape) }, { transposeA, transposeB });
    });
  }
});

describe('Transpose of the last two axes against the cpu kernel', () => {
  const cases: [number[], number[]][] = [
    [[128, 784], [1, 0]],
    [[512, 128], [1, 0]],
    [[64, 5], [1, 0]],
    [[64, 3], [1, 0]],
    [[2, 128, 7], [0, 2, 1]],
    [[1, 256, 1], [0, 2, 1]],
    [[784, 512], [1, 0]],
    [[2, 64, 8], [1, 0, 2]],
  ];
  for (const [shape, perm] of cases) {
    it(`x [${shape}], perm [${perm}]`, async () => {
      await check('Transpose', { x: normal(shape) }, { perm });
    });
  }
  it('takes our loop only where the stock kernel\'s writes alias in the cache', () => {
    assert.equal(takesOurTranspose(1, 128, 784), true);
    assert.equal(takesOurTranspose(1, 512, 128), true);
    assert.equal(takesOurTranspose(2, 128, 7), true);
    assert.equal(takesOurTranspose(1, 784, 512), false, 'rows not a power of two');
    assert.equal(takesOurTranspose(1, 32, 512), false, 'too few rows to alias');
    assert.equal(takesOurTranspose(1, 64, 3), false, 'fewer than four columns');
    assert.equal(takesOurTranspose(1, 4096, 1024), false, 'beyond the caches');
  });
});

describe('Identity on wasm shares the data instead of copying it', () => {
  it('gives the same values, survives disposing its input, and frees the data with the last reference', async () => {
    await check('Identity', { x: normal([64, 26, 26, 3]) }, {});
    await tf.setBackend('wasm');
    const bytesBefore = tf.memory().numBytes;
    const x = tf.tensor([1, 2, 3, 4], [2, 2]);
    const y = tf.engine().runKernel('Identity', { x }, {}) as tf.Tensor;
    assert.equal((y as unknown as { dataId: object }).dataId, (x as unknown as { dataId: object }).dataId, 'one buffer for both');
    x.dispose();
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3, 4]);
    y.dispose();
    assert.equal(tf.memory().numBytes, bytesBefore);
  });

  it('and so does a Cast to the dtype the tensor has; a Cast to another dtype converts', async () => {
    await tf.setBackend('wasm');
    const bytesBefore = tf.memory().numBytes;
    const x = tf.tensor([1.5, -2, 3, 4], [2, 2]);
    const same = tf.cast(x, 'float32');
    assert.equal((same as unknown as { dataId: object }).dataId, (x as unknown as { dataId: object }).dataId, 'one buffer for both');
    const ints = tf.cast(x, 'int32');
    assert.deepEqual([ints.dtype, Array.from(ints.dataSync())], ['int32', [1, -2, 3, 4]]);
    x.dispose();
    assert.deepEqual(Array.from(same.dataSync()), [1.5, -2, 3, 4]);
    tf.dispose([same, ints]);
    assert.equal(tf.memory().numBytes, bytesBefore);
  });
});

// [n, h, w, c], pool, strides, pad
type PoolCase = [number[], number | [number, number], number | [number, number], 'same' | 'valid' | number];
const POOLS: PoolCase[] = [
  [[64, 26, 26, 32], 2, 2, 'valid'],
  [[3, 11, 11, 4], 2, 2, 'valid'],
  [[2, 7, 9, 3], 3, 2, 'same'],
  [[2, 8, 8, 2], 3, 1, 'same'],
  [[1, 9, 7, 1], [2, 3], [1, 2], 'valid'],
  [[2, 5, 5, 3], 2, 1, 'valid'],
  [[1, 1, 1, 1], 1, 1, 'valid'],
  [[1, 1, 1, 2], 3, 1, 'same'],
  [[2, 1, 6, 3], [1, 2], [1, 2], 'valid'],
  [[1, 6, 6, 2], 2, 2, 1],
];

describe('MaxPoolGrad against the cpu kernel (ties go to the first maximum)', () => {
  for (const [xShape, filterSize, strides, pad] of POOLS) {
    for (const [kind, make] of [['random', normal], ['tied', tied]] as const) {
      it(`x [${xShape}] (${kind}), pool ${filterSize}, strides ${strides}, pad ${pad}`, async () => {
        const input = make(xShape);
        const output = await run('cpu', true, 'MaxPool', { x: input }, { filterSize, strides, pad });
        const dy = normal(output.shape);
        await check('MaxPoolGrad', { dy, input, output: { shape: output.shape, values: output.values, dtype: 'float32' } }, { filterSize, strides, pad });
      });
    }
  }
});

describe('MaxPool on wasm (channels in fours: ours) matches the cpu kernel bit for bit', () => {
  const bits = (r: Result) => Array.from(r.values).map(String);
  // Every window shape of POOLS, with four or eight channels, and 2×2 pools that clip at the border.
  const ours: PoolCase[] = POOLS.map(([[n, h, w, c], ...rest]) => [[n, h, w, c % 4 === 0 ? c : c < 4 ? 4 : 8], ...rest] as PoolCase);
  for (const [xShape, filterSize, strides, pad] of [...ours, [[2, 6, 6, 8], 2, 2, 'same'], [[2, 7, 7, 8], 2, 2, 'same'], [[3, 12, 10, 16], 3, 2, 1]] as PoolCase[]) {
    for (const [kind, make] of [['random', normal], ['tied', tied]] as const) {
      it(`x [${xShape}] (${kind}), pool ${filterSize}, strides ${strides}, pad ${pad}`, async () => {
        const x = make(xShape);
        const special = [NaN, -Infinity, Infinity, -0, 0];
        for (let i = 0; i < special.length && i < x.values.length; i++) x.values[(i * 7) % x.values.length] = special[i];
        const attrs = { filterSize, strides, pad };
        const [ours, reference] = [await run('wasm', false, 'MaxPool', { x }, attrs), await run('cpu', true, 'MaxPool', { x }, attrs)];
        assert.deepEqual(ours.shape, reference.shape);
        assert.deepEqual(bits(ours), bits(reference));
      });
    }
  }
  it('is ours on wasm', () => assert.ok(activeOverrides('wasm').includes('MaxPool')));
});

describe('Relu on wasm matches the cpu kernel bit for bit', () => {
  for (const shape of [[7], [4, 6], [8, 26, 26, 32]]) {
    it(`x [${shape}], with NaN, ±0 and ±Infinity`, async () => {
      const x = normal(shape);
      [NaN, -0, 0, Infinity, -Infinity, -1e-30].forEach((v, i) => { if (i < x.values.length) x.values[i] = v; });
      const [ours, reference] = [await run('wasm', false, 'Relu', { x }, {}), await run('cpu', true, 'Relu', { x }, {})];
      assert.deepEqual(Array.from(ours.values).map(String), Array.from(reference.values).map(String));
    });
  }
  it('is ours on wasm', () => assert.ok(activeOverrides('wasm').includes('Relu')));
});

describe('Sum over leading axes (bias gradients) against the cpu kernel', () => {
  const cases: [number[], number | number[] | null, boolean][] = [
    [[64, 26, 26, 32], [0, 1, 2], false],
    [[128, 512], 0, false],
    [[128, 512], [0], true],
    [[3, 5, 7], [1, 0], false],
    [[1, 1, 3], [0, 1], true],
    [[4, 6], 1, false],
    [[4, 6], null, false],
    [[5], 0, false],
    [[2, 3, 4], [0, 2], false],
  ];
  for (const [shape, axis, keepDims] of cases) {
    it(`x [${shape}], axis ${JSON.stringify(axis)}, keepDims ${keepDims}`, async () => {
      await check('Sum', { x: normal(shape) }, { axis, keepDims });
    });
  }
});

describe('Mean over leading axes (batch norm statistics) against the cpu kernel', () => {
  const cases: [number[], number | number[] | null, boolean][] = [
    [[32, 16, 16, 64], [0, 1, 2], false], // many blocks of rows: split over the threads
    [[8, 4, 4, 6], [0, 1, 2], true], // columns not a multiple of 4: the stock kernel
    [[128, 512], 0, false],
    [[3, 5, 8], [1, 0], true],
    [[4, 6], 1, false],
    [[4, 8], null, false],
    [[2, 3, 4], [0, 2], false],
  ];
  for (const [shape, axis, keepDims] of cases) {
    it(`x [${shape}], axis ${JSON.stringify(axis)}, keepDims ${keepDims}`, async () => {
      await check('Mean', { x: normal(shape) }, { axis, keepDims });
    });
  }
});

// A training step end to end: the same weights and batch on wasm and on cpu, gradients compared.
type WeightWithValue = { read(): tf.Variable };

interface StepResult { loss: number; grads: Result[]; updated: Result[] }

async function trainingStep(backend: 'wasm' | 'cpu', build: () => tf.LayersModel, weights: Spec[], x: Spec, labels: Spec, classes: number): Promise<StepResult> {
  await tf.setBackend(backend);
  const model = build();
  const made = weights.map((w) => tf.tensor(w.values, w.shape, w.dtype));
  model.setWeights(made);
  tf.dispose(made);
  const variables = (model.trainableWeights as unknown as WeightWithValue[]).map((w) => w.read());
  const xs = tf.tensor(x.values, x.shape, x.dtype);
  const ys = tf.oneHot(tf.tensor1d(labels.values as Int32Array, 'int32'), classes);
  const optimizer = tf.train.sgd(0.1);
  try {
    const { value, grads } = optimizer.computeGradients(() => {
      const p = model.apply(xs, { training: true }) as tf.Tensor;
      return tf.mean(tf.neg(tf.log(tf.sum(tf.mul(ys, p), -1)))) as tf.Scalar;
    }, variables);
    const result: StepResult = {
      loss: value.dataSync()[0],
      grads: variables.map((v) => ({ shape: grads[v.name].shape, values: Float32Array.from(grads[v.name].dataSync()) })),
      updated: [],
    };
    optimizer.applyGradients(grads);
    result.updated = variables.map((v) => ({ shape: v.shape, values: Float32Array.from(v.dataSync()) }));
    tf.dispose([value, ...Object.values(grads)]);
    return result;
  } finally {
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.layers.forEach((l) => l.dispose());
  }
}

async function compareSteps(build: () => tf.LayersModel, x: Spec, labels: Spec, classes: number): Promise<void> {
  await tf.setBackend('cpu');
  const probe = build();
  const weights = probe.getWeights().map((w) => ({ shape: w.shape, values: Float32Array.from(w.dataSync()), dtype: 'float32' as const }));
  probe.layers.forEach((l) => l.dispose());
  const cpu = await trainingStep('cpu', build, weights, x, labels, classes);
  const wasm = await trainingStep('wasm', build, weights, x, labels, classes);
  assert.ok(Number.isFinite(wasm.loss));
  assert.ok(Math.abs(wasm.loss - cpu.loss) <= 1e-5 * Math.max(1, Math.abs(cpu.loss)), `loss ${wasm.loss} vs ${cpu.loss}`);
  assert.equal(wasm.grads.length, cpu.grads.length);
  wasm.grads.forEach((g, i) => {
    const err = relativeError(g, cpu.grads[i]);
    assert.ok(err <= TOLERANCE, `gradient ${i} [${g.shape}]: relative error ${err.toExponential(2)}`);
    assert.ok(cpu.grads[i].values.some((v) => v !== 0), `gradient ${i} is all zero: the check would prove nothing`);
  });
  wasm.updated.forEach((w, i) => assert.ok(relativeError(w, cpu.updated[i]) <= TOLERANCE, `updated weight ${i}`));
}

describe('a training step on wasm matches cpu', () => {
  it('depthwiseConv2d + separableConv2d + maxPooling2d (stock tfjs-wasm cannot train this)', async () => {
    const build = () => tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({ inputShape: [12, 12, 4], kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }),
        tf.layers.separableConv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'valid', depthMultiplier: 2, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    });
    await compareSteps(build, normal([6, 12, 12, 4]), ints([0, 1, 2, 3, 4, 0]), 5);
  });

  it('an Embedding layer (stock tfjs-wasm cannot train this)', async () => {
    const build = () => tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 50, outputDim: 8, inputLength: 6 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    // Repeated words in and across sequences: their gradients must add up.
    const ids = Array.from({ length: 4 * 6 }, (_, i) => (i * 7) % 13);
    await compareSteps(build, { shape: [4, 6], values: Float32Array.from(ids), dtype: 'float32' }, ints([0, 1, 2, 1]), 3);
  });

  it('the course CNN (conv2d, maxPooling2d, dense)', async () => {
    const build = () => tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    await compareSteps(build, normal([4, 28, 28, 1]), ints([3, 1, 4, 1]), 10);
  });

  it('stock tfjs-wasm really lacks these kernels (so the tests above exercise ours)', async () => {
    await tf.setBackend('wasm');
    const stockNames = useStockKernels('wasm');
    try {
      for (const name of ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum', 'Conv2DBackpropFilter']) {
        assert.ok(stockNames.includes(name));
        assert.equal(tf.getKernel(name, 'wasm'), undefined, `${name} exists in stock tfjs-wasm`);
      }
    } finally {
      useOurKernels('wasm');
    }
  });
});
