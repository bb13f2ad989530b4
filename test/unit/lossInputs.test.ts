import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CHECKED_LOSSES, judgeLossInput, valueRange } from '../../src/trainer/script/lossInputs';

const AT = { file: 'train.mjs', line: 12, column: 20 };
const { softmaxCrossEntropy, sigmoidCrossEntropy, logLoss } = CHECKED_LOSSES.losses;
const { categoricalCrossentropy } = CHECKED_LOSSES.metrics;

/** Rows of softmax(z), computed here as the textbook writes it. */
function softmaxRows(logits: number[][]): number[] {
  return logits.flatMap((row) => {
    const e = row.map((v) => Math.exp(v - Math.max(...row)));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  });
}

/** Deterministic pseudo-random logits in [-3, 3]. */
function logits(rows: number, cols: number, seed: number): number[][] {
  let s = seed;
  const next = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return (s / 2 ** 31) * 6 - 3; };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, next));
}

const judge = (loss: typeof softmaxCrossEntropy, values: number[], rowLength: number) => judgeLossInput(loss, valueRange(values, rowLength), rowLength, AT);

describe('the values given to a loss that applies its own softmax', () => {
  it('a softmax output (rows in [0, 1] summing to 1) is a warning at the call, naming the loss', () => {
    const d = judge(softmaxCrossEntropy, softmaxRows(logits(8, 10, 1)), 10);
    assert.equal(d?.code, 'softmaxBeforeLogitLoss');
    assert.equal(d?.severity, 'warning');
    assert.deepEqual(d?.source, AT);
    assert.match(d?.message ?? '', /tf\.losses\.softmaxCrossEntropy/);
    assert.deepEqual(d?.fixes, []);
  });

  it('logits say nothing, nor do values in [0, 1] whose rows do not sum to 1', () => {
    assert.equal(judge(softmaxCrossEntropy, logits(8, 10, 2).flat(), 10), null);
    const squashed = logits(8, 10, 3).flat().map((v) => 1 / (1 + Math.exp(-v)));
    assert.equal(judge(softmaxCrossEntropy, squashed, 10), null);
  });

  it('a sigmoid output into sigmoidCrossEntropy is a warning; a few values in [0, 1] are not evidence', () => {
    const sigmoid = logits(32, 1, 4).flat().map((v) => 1 / (1 + Math.exp(-v)));
    assert.equal(judge(sigmoidCrossEntropy, sigmoid, 1)?.code, 'softmaxBeforeLogitLoss');
    assert.equal(judge(sigmoidCrossEntropy, [0.2, 0.4, 0.1], 1), null);
    assert.equal(judge(sigmoidCrossEntropy, logits(32, 1, 5).flat(), 1), null);
  });
});

describe('the values given to a loss that reads probabilities', () => {
  it('values outside [0, 1] are an error naming the missing softmax and the range seen', () => {
    const z = logits(6, 4, 6).flat();
    const d = judge(categoricalCrossentropy, z, 4);
    assert.equal(d?.code, 'logitsIntoProbabilityLoss');
    assert.equal(d?.severity, 'error');
    assert.match(d?.message ?? '', /softmax is missing/);
    assert.match(d?.message ?? '', /tf\.metrics\.categoricalCrossentropy/);
    assert.doesNotMatch(d?.message ?? '', /learning rate/i);
    assert.ok((d?.message ?? '').includes(String(Number(Math.min(...z).toPrecision(3)))), d?.message);
  });

  it('probabilities (a softmax, or a sigmoid into logLoss) are fine', () => {
    assert.equal(judge(categoricalCrossentropy, softmaxRows(logits(6, 4, 7)), 4), null);
    assert.equal(judge(logLoss, logits(16, 1, 8).flat().map((v) => 1 / (1 + Math.exp(-v))), 1), null);
  });

  it('a batch that is already NaN is left to the run (no verdict from values that say nothing)', () => {
    assert.equal(judge(categoricalCrossentropy, [NaN, 2, -1, 0.5], 2), null);
  });
});

describe('valueRange', () => {
  it('gives min, max and the worst row sum', () => {
    const r = valueRange([0.2, 0.8, 0.5, 0.7], 2);
    assert.equal(r.min, 0.2);
    assert.equal(r.max, 0.8);
    assert.ok(Math.abs(r.rowSumError - 0.2) < 1e-12);
    assert.equal(r.count, 4);
  });
});
