import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lossDefinition, predictedClasses } from '../../src/trainer/losses';

/** PyTorch's CrossEntropyLoss by hand: log-sum-exp of the row minus the true class's logit. */
function referenceLoss(logits: number[][], labels: number[]): number[] {
  return logits.map((row, i) => {
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0));
    return lse - row[labels[i]];
  });
}

function randomLogits(rows: number, classes: number, scale: number, seed: number): number[][] {
  let s = seed;
  const next = () => { s = (s * 1103515245 + 12345) % 2 ** 31; return s / 2 ** 31; };
  return Array.from({ length: rows }, () => Array.from({ length: classes }, () => (next() * 2 - 1) * scale));
}

describe('softmaxCrossEntropy reads logits, as PyTorch\'s CrossEntropyLoss', () => {
  const loss = lossDefinition('softmaxCrossEntropy', 10);
  const labels = [3, 0, 9, 5, 5, 1];
  const oneHot = () => tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();

  it('equals log-sum-exp minus the true logit, per sample and as the batch mean', () => {
    const logits = randomLogits(labels.length, 10, 4, 7);
    const expected = referenceLoss(logits, labels);
    const [perSample, mean] = tf.tidy(() => [loss.perSample(oneHot(), tf.tensor2d(logits)), loss.fn(oneHot(), tf.tensor2d(logits))]);
    const got = Array.from(perSample.dataSync());
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `${v} vs ${expected[i]}`));
    assert.ok(Math.abs(mean.dataSync()[0] - expected.reduce((a, b) => a + b, 0) / expected.length) < 1e-5);
    tf.dispose([perSample, mean]);
  });

  it('stays finite for logits far beyond exp\'s range', () => {
    const logits = randomLogits(labels.length, 10, 500, 11);
    const expected = referenceLoss(logits, labels);
    const perSample = tf.tidy(() => loss.perSample(oneHot(), tf.tensor2d(logits)));
    Array.from(perSample.dataSync()).forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-3 * Math.max(1, expected[i]), `${v} vs ${expected[i]}`));
    perSample.dispose();
  });

  it('has the gradient (softmax(z) − onehot(y)) / batch with respect to the logits', () => {
    const logits = randomLogits(labels.length, 10, 3, 5);
    const grad = tf.tidy(() => tf.grad((z: tf.Tensor) => loss.fn(oneHot(), z))(tf.tensor2d(logits)));
    const got = grad.arraySync() as number[][];
    grad.dispose();
    logits.forEach((row, i) => {
      const max = Math.max(...row);
      const sum = row.reduce((s, z) => s + Math.exp(z - max), 0);
      row.forEach((z, c) => {
        const expected = (Math.exp(z - max) / sum - (c === labels[i] ? 1 : 0)) / labels.length;
        assert.ok(Math.abs(got[i][c] - expected) < 1e-6, `[${i}][${c}] ${got[i][c]} vs ${expected}`);
      });
    });
  });

  it('counts a prediction correct by the largest logit (as by the largest probability)', () => {
    const logits = randomLogits(8, 10, 3, 9);
    const classes = tf.tidy(() => predictedClasses(tf.tensor2d(logits)));
    assert.deepEqual(Array.from(classes.dataSync()), logits.map((row) => row.indexOf(Math.max(...row))));
    classes.dispose();
  });

  it('refuses a model with a single output unit', () => {
    assert.throws(() => lossDefinition('softmaxCrossEntropy', 1), /one output unit per class/);
  });
});
