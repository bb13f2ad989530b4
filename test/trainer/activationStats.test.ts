import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import type { ActivationsMessage, GradientHistogram, GradientsMessage, TrainerMessage } from '../../src/protocol/messages';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import { activationTaps } from '../../src/trainer/activationStats';
import { lossDefinition } from '../../src/trainer/losses';
import { computeStep } from '../../src/trainer/trainingStep';
import { runTraining } from '../../src/trainer/trainingRun';
import { fixture, lineOf } from '../helpers/fixtures';

/** Plain-JS dense layer: act(x·W + b), row by row. */
function dense(x: number[][], w: number[][], b: number[], act: (z: number) => number): number[][] {
  return x.map((row) => b.map((bias, j) => act(row.reduce((s, v, i) => s + v * w[i][j], bias))));
}

/** The figures as the definitions say, computed by hand from the layer's output. */
function reference(out: number[][], kind: 'relu' | 'tanh' | 'sigmoid') {
  const flat = out.flat();
  const mean = flat.reduce((a, b) => a + b, 0) / flat.length;
  const std = Math.sqrt(flat.reduce((a, v) => a + (v - mean) ** 2, 0) / flat.length);
  const units = out[0].length;
  let dead: number | null = null;
  if (kind === 'relu') {
    let count = 0;
    for (let j = 0; j < units; j++) if (out.every((row) => row[j] <= 0)) count++;
    dead = count / units;
  }
  let saturated: number | null = null;
  if (kind === 'tanh') saturated = flat.filter((v) => 1 - v * v < 0.05).length / flat.length;
  if (kind === 'sigmoid') saturated = flat.filter((v) => 4 * v * (1 - v) < 0.05).length / flat.length;
  return { mean, std, dead, saturated, min: Math.min(...flat), max: Math.max(...flat) };
}

const close = (a: number | null, b: number | null, tol: number, what: string) => {
  assert.ok(a !== null && b !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
};

describe('activation statistics', () => {
  before(() => tf.setBackend('cpu'));

  it('match a plain-JS forward pass: mean, std, dead ReLU units, saturated tanh and sigmoid outputs, histogram counts', async () => {
    // Biases that kill some ReLU units outright and push tanh/sigmoid into saturation for some rows.
    const model = tf.sequential({ layers: [
      tf.layers.dense({ inputShape: [4], units: 6, activation: 'relu', name: 'r', biasInitializer: tf.initializers.constant({ value: 0 }) }),
      tf.layers.dense({ units: 5, activation: 'tanh', name: 't' }),
      tf.layers.dense({ units: 3, activation: 'sigmoid', name: 's' }),
    ] });
    const [rw, rb, tw, tb, sw, sb] = model.getWeights().map((w) => w.arraySync()) as [number[][], number[], number[][], number[], number[][], number[]];
    rb[0] = -100; rb[3] = -100; // units 0 and 3 never fire
    tw.forEach((row) => row.forEach((_, j) => { row[j] *= 6; }));
    sw.forEach((row) => row.forEach((_, j) => { row[j] *= 12; }));
    model.setWeights([rw, rb, tw, tb, sw, sb].map((w) => tf.tensor(w as number[])));
    const xs = Array.from({ length: 16 }, (_, i) => [Math.sin(i), Math.cos(3 * i), (i % 5) - 2, 0.3 * i - 2]);
    const relu = dense(xs, rw, rb, (z) => Math.max(0, z));
    const tanh = dense(relu, tw, tb, Math.tanh);
    const sig = dense(tanh, sw, sb, (z) => 1 / (1 + Math.exp(-z)));

    const taps = activationTaps(model);
    assert.ok(taps);
    assert.deepEqual(taps.layers, [{ name: 'r', activation: 'relu' }, { name: 't', activation: 'tanh' }, { name: 's', activation: 'sigmoid' }]);
    const run = { loaded: { model, locate: () => null, settings: {}, file: 'x.ts' }, optimizer: tf.train.sgd(0.1),
      variables: model.trainableWeights.map((w) => w.read() as tf.Variable), loss: lossDefinition('meanSquaredError', 3) };
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(xs);
    const y = tf.zeros([16, 3]);
    const result = await computeStep(run, x, y, false, { taps, histograms: true });
    tf.dispose([x, y, ...Object.values(result.grads)]);
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');

    const got = result.activations;
    assert.ok(got);
    for (const [i, [out, kind]] of ([[relu, 'relu'], [tanh, 'tanh'], [sig, 'sigmoid']] as const).entries()) {
      const want = reference(out, kind);
      close(got[i].mean, want.mean, 1e-5, `${kind} mean`);
      close(got[i].std, want.std, 1e-5, `${kind} std`);
      if (want.dead === null) assert.equal(got[i].deadShare, null);
      else close(got[i].deadShare, want.dead, 1e-7, `${kind} dead`);
      if (want.saturated === null) assert.equal(got[i].saturatedShare, null);
      else close(got[i].saturatedShare, want.saturated, 1e-6, `${kind} saturated`);
      const h: GradientHistogram | undefined = got[i].histogram;
      assert.ok(h);
      close(h.min, want.min, 1e-5, `${kind} min`);
      close(h.max, want.max, 1e-5, `${kind} max`);
      assert.equal(h.counts.reduce((a, b) => a + b, 0), out.flat().length);
      const width: number = (want.max - want.min) / h.counts.length;
      const firstBin: number = out.flat().filter((v) => v < want.min + width * (1 - 1e-6)).length;
      assert.equal(h.counts[0], firstBin, `${kind} first bin`);
    }
    assert.ok((got[0].deadShare ?? 0) >= 2 / 6 - 1e-7, 'the two killed units, at least');
    assert.ok((got[1].saturatedShare ?? 0) > 0 && (got[2].saturatedShare ?? 0) > 0, 'some saturation was arranged');
  });

  it('come on the gradients\' sampled steps, pass the message check, and leave tf.memory() flat', async () => {
    const messages: TrainerMessage[] = [];
    const counts = new Map<number, number>();
    await runTraining({ file: fixture('train/tiny-mlp.ts'), limit: 16 * 60, testLimit: 20, backend: 'cpu', gradientEvery: 2 },
      (m) => messages.push(m), { stopRequested: false, onStep: (s) => { if (s === 10 || s === 60) counts.set(s, tf.memory().numTensors); } });
    const gradientSteps = messages.filter((m): m is GradientsMessage => m.type === 'gradients').map((m) => m.step);
    const activations = messages.filter((m): m is ActivationsMessage => m.type === 'activations');
    assert.deepEqual(activations.map((m) => m.step), gradientSteps);
    assert.deepEqual(activations[0].layers.map((l) => [l.layer, l.activation]), [['fc1', 'relu'], ['fc2', 'softmax']]);
    for (const m of activations) assert.equal(checkTrainerMessage(m).ok, true, JSON.stringify(checkTrainerMessage(m)));
    assert.ok(activations.some((m) => m.layers[0].histogram), 'histograms on the histogram steps');
    assert.equal(counts.get(60), counts.get(10));
  });

  it('can be turned off for a run (the benchmark\'s gradient-figures-only side)', async () => {
    const messages: TrainerMessage[] = [];
    await runTraining({ file: fixture('train/tiny-mlp.ts'), limit: 64, testLimit: 20, backend: 'cpu', gradientEvery: 1 },
      (m) => messages.push(m), { stopRequested: false, activationStats: false });
    assert.ok(messages.some((m) => m.type === 'gradients'));
    assert.equal(messages.some((m) => m.type === 'activations'), false);
  });
});

describe('dead ReLU layers in a real run', () => {
  it('are diagnosed at the layer\'s line after several sampled steps', async () => {
    const file = fixture('doctor/dead-relu.ts');
    const messages: TrainerMessage[] = [];
    await runTraining({ file, testLimit: 20, backend: 'cpu' }, (m) => messages.push(m), { stopRequested: false });
    const dead = messages.filter((m) => m.type === 'diagnosis' && m.code === 'deadRelu');
    assert.equal(dead.length, 1, JSON.stringify(messages.filter((m) => m.type === 'diagnosis' || m.type === 'error')));
    assert.ok(dead[0].type === 'diagnosis');
    assert.equal(dead[0].layer, 'fc1');
    assert.equal(dead[0].source?.line, lineOf(file, "name: 'fc1'"));
    assert.equal(dead[0].step, 3, 'the third sampled step (every step is sampled)');
  });
});
