import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { DiagnosisMessage } from '../../src/protocol/messages';
import { checkLossInputs, compiledLoss, diagnoseCompiled } from '../../src/trainer/script/scriptDoctor';
import { deadActivations, deadShareTensor, reluUnits } from '../../src/trainer/script/deadUnits';
import { gradientLayers } from '../../src/trainer/gradientStats';

before(async () => { await tf.setBackend('cpu'); });

const AT = { file: '/tmp/train.mjs', line: 3, column: 1 };

/** A copy of tf whose loss functions are checked, and what the checks reported. */
function checked(wanted: () => boolean = () => true) {
  const userTf = { ...tf } as typeof tf;
  const found: DiagnosisMessage[] = [];
  checkLossInputs(tf, userTf, { wanted, locate: () => AT, report: (d) => found.push(d) });
  return { userTf, found };
}

describe('the loss functions a script calls: their values read on the first call only', () => {
  it('reports probabilities into tf.losses.softmaxCrossEntropy once, at the call, and computes the same loss as tfjs', () => {
    const { userTf, found } = checked();
    const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
    const p = tf.softmax(tf.tensor2d([[1, 2, 0.5], [0.1, -1, 3], [2, 2, -2]]));
    const ours = userTf.losses.softmaxCrossEntropy(y, p);
    const theirs = tf.losses.softmaxCrossEntropy(y, p);
    assert.deepEqual(ours.arraySync(), theirs.arraySync());
    userTf.losses.softmaxCrossEntropy(y, p).dispose();
    assert.equal(found.length, 1);
    assert.equal(found[0].code, 'softmaxBeforeLogitLoss');
    assert.deepEqual(found[0].source, AT);
    tf.dispose([y, p, ours, theirs]);
  });

  it('decides from the first call: logits first, probabilities later say nothing (one read-back, not every step)', () => {
    const { userTf, found } = checked();
    const y = tf.oneHot(tf.tensor1d([1, 0], 'int32'), 2);
    const z = tf.tensor2d([[3, -1], [-2, 0.5]]);
    tf.dispose(userTf.losses.softmaxCrossEntropy(y, z));
    const p = tf.softmax(z);
    tf.dispose(userTf.losses.softmaxCrossEntropy(y, p));
    assert.deepEqual(found, []);
    tf.dispose([y, z, p]);
  });

  it('does not read while it is not wanted (a compiled loss the doctor read), and reads the first call that is', () => {
    let wanted = false;
    const { userTf, found } = checked(() => wanted);
    const y = tf.oneHot(tf.tensor1d([1, 0], 'int32'), 2);
    const z = tf.tensor2d([[3, -1], [-2, 0.5]]);
    tf.dispose(userTf.metrics.categoricalCrossentropy(y, z));
    assert.equal(found.length, 0);
    wanted = true;
    tf.dispose(userTf.metrics.categoricalCrossentropy(y, z));
    assert.deepEqual(found.map((d) => [d.code, d.severity]), [['logitsIntoProbabilityLoss', 'error']]);
    tf.dispose([y, z]);
  });

  it('leaves no tensor behind, inside a minimize too', () => {
    const { userTf } = checked();
    const w = tf.variable(tf.randomNormal([4, 3], 0, 1, 'float32', 1));
    const x = tf.randomNormal([8, 4], 0, 1, 'float32', 2);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const optimizer = tf.train.sgd(0.1);
    const step = () => tf.dispose(optimizer.minimize(() => userTf.losses.softmaxCrossEntropy(y, tf.softmax(tf.matMul(x, w))), true) ?? []);
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    assert.equal(tf.memory().numTensors, before);
    tf.dispose([w, x, y]);
    optimizer.dispose();
  });

  it('leaves tf\'s own namespaces as they were', () => {
    const original = tf.losses.softmaxCrossEntropy;
    checked();
    assert.equal(tf.losses.softmaxCrossEntropy, original);
  });
});

describe('a compiled model\'s loss as the doctor reads it', () => {
  it('knows string losses, and tf.losses / tf.metrics functions by their tfjs names (wrapped or not)', () => {
    const { userTf } = checked();
    assert.equal(compiledLoss('categoricalCrossentropy')?.name, 'categoricalCrossentropy');
    assert.equal(compiledLoss(tf.losses.softmaxCrossEntropy)?.name, 'softmaxCrossEntropy');
    assert.equal(compiledLoss(userTf.losses.softmaxCrossEntropy)?.name, 'softmaxCrossEntropy');
    assert.equal(compiledLoss(userTf.losses.softmaxCrossEntropy)?.shown, 'tf.losses.softmaxCrossEntropy');
    assert.equal(compiledLoss(tf.metrics.categoricalCrossentropy)?.name, 'categoricalCrossentropy');
    assert.equal(compiledLoss((a: tf.Tensor, b: tf.Tensor) => tf.losses.meanSquaredError(a, b)), null);
    assert.equal(compiledLoss(undefined), null);
  });

  it('a Sequential ending in logits compiled with binaryCrossentropy on one unit: the sigmoid is missing; no fix when the source cannot be read', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [2], activation: 'relu' }), tf.layers.dense({ units: 1, name: 'score' })] });
    model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    const loaded = { model, locate: () => AT, stackOf: () => [], settings: {}, file: AT.file };
    const { diagnoses, recognised } = diagnoseCompiled(loaded, model.loss, () => null);
    assert.equal(recognised, true);
    assert.deepEqual(diagnoses.map((d) => [d.code, d.layer]), [['logitsIntoProbabilityLoss', 'score']]);
    assert.match(diagnoses[0].message, /sigmoid is missing/);
    assert.deepEqual(diagnoses[0].fixes, []);
    model.dispose();
  });

  it('a loss it does not read (meanSquaredError) is recognised with no finding', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const loaded = { model, locate: () => AT, stackOf: () => [], settings: {}, file: AT.file };
    assert.deepEqual(diagnoseCompiled(loaded, model.loss, () => null).diagnoses, []);
    model.dispose();
  });
});

describe('dead ReLU units from a script\'s gradients', () => {
  it('the share of a ReLU layer\'s bias gradient that is exactly 0 (other activations and frozen layers left out)', () => {
    const model = tf.sequential({ layers: [
      tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', name: 'r' }),
      tf.layers.dense({ units: 4, activation: 'tanh', name: 't' }),
      tf.layers.dense({ units: 2, name: 'o' }),
    ] });
    const relus = reluUnits(gradientLayers(model));
    assert.deepEqual(relus.map((r) => r.layer), ['r']);
    const grads = { [relus[0].variable.name]: tf.tensor1d([0, 0.3, 0, -0.1]) };
    const shares = deadShareTensor(tf, relus, grads);
    const acts = deadActivations(relus, shares.dataSync());
    assert.deepEqual(acts.map((a) => [a.layer, a.deadShare]), [['r', 0.5]]);
    assert.deepEqual(deadActivations(relus, deadShareTensor(tf, relus, {}).dataSync()), [], 'no gradient for the layer: no figure');
    tf.dispose([shares, grads[relus[0].variable.name]]);
    model.dispose();
  });

  it('a ReLU layer without a bias: the share of its units whose kernel column of gradients is all 0', () => {
    const model = tf.sequential({ layers: [
      tf.layers.conv2d({ filters: 3, kernelSize: 2, inputShape: [4, 4, 2], activation: 'relu', useBias: false, name: 'c' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, activation: 'relu', useBias: false, name: 'd' }),
    ] });
    const relus = reluUnits(gradientLayers(model));
    assert.deepEqual(relus.map((r) => [r.layer, r.from]), [['c', 'kernel'], ['d', 'kernel']]);
    // c: filter 1 of 3 gets no gradient anywhere; d: units 0 and 2 of 4 none from any input.
    const conv = tf.tidy(() => tf.mul(tf.randomNormal([2, 2, 2, 3], 0, 1, 'float32', 1), tf.tensor1d([1, 0, 1])));
    const dense = tf.tidy(() => tf.mul(tf.randomNormal([27, 4], 0, 1, 'float32', 2), tf.tensor1d([0, 1, 0, 1])));
    const shares = deadShareTensor(tf, relus, { [relus[0].variable.name]: conv, [relus[1].variable.name]: dense });
    const acts = deadActivations(relus, shares.dataSync());
    assert.deepEqual(acts.map((a) => a.layer), ['c', 'd']);
    assert.ok(Math.abs(acts[0].deadShare! - 1 / 3) < 1e-6 && acts[1].deadShare === 0.5, JSON.stringify(acts));
    tf.dispose([conv, dense, shares]);
    model.dispose();
  });

  it('a model without ReLU layers reads nothing', () => {
    const before = tf.memory().numTensors;
    const empty = deadShareTensor(tf, [], {});
    assert.equal(empty.size, 0);
    empty.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
