// The totals' numbers as torchinfo's ModelStatistics.format_output_num prints them.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initInspectionRuntime } from '../../src/model/tfRuntime';
import { computeSummary } from '../../src/model/modelSummary';
import { formatSummary } from '../../src/model/formatSummary';
import { fixed, formatOutputNum } from '../../src/protocol/summaryNumbers';

before(async () => {
  await initInspectionRuntime();
});

const shown = (num: number, units: 'auto' | 'none' | 'MB', bytes = false) => {
  const { unit, text } = formatOutputNum(num, units, bytes);
  return `${unit}: ${text}`;
};

describe('format_output_num', () => {
  it('auto units: T, G, M, K (from 1e3), else none; whole numbers as integers with commas', () => {
    assert.equal(shown(999, 'auto'), ': 999');
    assert.equal(shown(1000, 'auto'), ' (K): 1');
    assert.equal(shown(1500, 'auto'), ' (K): 1.50');
    assert.equal(shown(31250, 'auto'), ' (K): 31.25');
    assert.equal(shown(1e6, 'auto'), ' (M): 1');
    assert.equal(shown(60015872, 'auto'), ' (M): 60.02');
    assert.equal(shown(3.5e9, 'auto'), ' (G): 3.50');
    assert.equal(shown(2e15, 'auto'), ' (T): 2,000');
    assert.equal(shown(1234.5678e12, 'auto'), ' (T): 1,234.57');
  });

  it('params counts in no unit: plain integers with commas', () => {
    assert.equal(shown(468874, 'none'), ': 468,874');
    assert.equal(shown(0, 'none'), ': 0');
  });

  it('sizes in MB, with the B', () => {
    assert.equal(shown(4e6, 'MB', true), ' (MB): 4');
    assert.equal(shown(0, 'MB', true), ' (MB): 0');
    assert.equal(shown(1875496, 'MB', true), ' (MB): 1.88');
  });
});

describe('the summary totals block', () => {
  it('prints a whole number of millions as an integer: Total mult-adds (M): 1, Params size (MB): 4', () => {
    // Dense 999 → 1000: 1,000,000 params, 1,000,000 mult-adds at batch 1, 4,000,000 bytes of params.
    const model = tf.sequential({ name: 'whole', layers: [tf.layers.dense({ inputShape: [999], units: 1000, name: 'fc' })] });
    const text = formatSummary(computeSummary(model, { batchSize: 1 }));
    assert.match(text, /^Total params: 1,000,000$/m);
    assert.match(text, /^Total mult-adds \(M\): 1$/m);
    assert.match(text, /^Params size \(MB\): 4$/m);
  });

  it('prints thousands of mult-adds in K', () => {
    const model = tf.sequential({ name: 'small', layers: [tf.layers.dense({ inputShape: [30], units: 50, name: 'fc' })] });
    assert.match(formatSummary(computeSummary(model, { batchSize: 1 })), /^Total mult-adds \(K\): 1.55$/m);
  });
});

describe('halfway values round half to even, as Python formats them', () => {
  it('fixed() rounds an exact tie to even and anything else as toFixed does', () => {
    assert.equal((0.125).toFixed(2), '0.13'); // what JS alone prints
    assert.equal(fixed(0.125, 2), '0.12');
    assert.equal(fixed(0.375, 2), '0.38');
    assert.equal(fixed(1.125, 2), '1.12');
    assert.equal(fixed(-0.125, 2), '-0.12');
    assert.equal(fixed(2.5, 0), '2');
    assert.equal(fixed(3.5, 0), '4');
    // Not ties in binary: 0.135 is a little above, 2.675 a little below (Python: '0.14', '2.67').
    assert.equal(fixed(0.135, 2), '0.14');
    assert.equal(fixed(2.675, 2), '2.67');
    assert.equal(fixed(60.015872, 2), '60.02');
  });

  it('prints 125,000 bytes as 0.12 MB (the probe 21-rounding)', () => {
    // 31,250 float inputs (125,000 B) into a bias-free Dense(1): 31,250 params (125,000 B).
    const model = tf.sequential({ name: 'halfway', layers: [tf.layers.dense({ inputShape: [31250], units: 1, useBias: false, name: 'fc' })] });
    const text = formatSummary(computeSummary(model, { batchSize: 1 }));
    assert.match(text, /^Input size \(MB\): 0.12$/m);
    assert.match(text, /^Params size \(MB\): 0.12$/m);
    assert.match(text, /^Total mult-adds \(K\): 31.25$/m);
  });

  it('prints 1,125,000 mult-adds as 1.12 M (the probe 22-rounding-macs)', () => {
    const model = tf.sequential({ name: 'halfway_macs', layers: [tf.layers.dense({ inputShape: [1124], units: 1000, name: 'fc' })] });
    assert.match(formatSummary(computeSummary(model, { batchSize: 1 })), /^Total mult-adds \(M\): 1.12$/m);
  });

  it('rounds a Param % tie to even: 1 of 800 params is 0.12% (Python: f"{1/800:.2%}")', () => {
    const x = tf.input({ shape: [1], name: 'x' });
    const a = tf.layers.dense({ units: 1, useBias: false, name: 'a' }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.dense({ units: 799, useBias: false, name: 'b' }).apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: x, outputs: [a, b], name: 'tie' });
    const line = formatSummary(computeSummary(model), { columns: ['num_params', 'params_percent'] }).split('\n').find((l) => l.includes('(a):'))!;
    assert.match(line, /\b1\s+0\.12%$/);
  });
});
