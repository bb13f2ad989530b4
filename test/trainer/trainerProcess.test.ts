import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { BatchMessage, DoneMessage, GradientsMessage, TrainerMessage } from '../../src/protocol/messages';
import * as fs from 'node:fs';
import { example, fixture, lineOf } from '../helpers/fixtures';
import { startTrainer } from '../helpers/trainerProcess';

const of = <T extends TrainerMessage['type']>(ms: TrainerMessage[], type: T) =>
  ms.filter((m): m is Extract<TrainerMessage, { type: T }> => m.type === type);

const lineText = (file: string, needle: string) => fs.readFileSync(file, 'utf8').split('\n')[lineOf(file, needle) - 1];

/** The message types in order, runs of the same type collapsed ("batch…"). */
function sequence(ms: TrainerMessage[]): string[] {
  const out: string[] = [];
  for (const m of ms) if (out[out.length - 1] !== m.type) out.push(m.type);
  return out;
}

describe('the forked trainer on the course MLP (limited data)', async () => {
  const run = startTrainer({ file: example('mnist-mlp.ts'), limit: 640, testLimit: 500, epochs: 2, backend: 'cpu', gradientEvery: 2 });
  const code = await run.exited;
  const messages = run.messages;

  it('exits 0 after a valid message for everything it said', () => {
    assert.equal(code, 0);
    assert.deepEqual(run.invalid, []);
  });

  it('speaks in the documented order', () => {
    const types = sequence(messages.filter((m) => m.type !== 'gradients' && m.type !== 'activations' && m.type !== 'log'));
    // The data's first samples go out before step 1 (the Data view shows them at once).
    assert.deepEqual(types, ['ready', 'model', 'samples', 'epochStart', 'batch', 'epochEnd', 'evaluation', 'samples',
      'epochStart', 'batch', 'epochEnd', 'evaluation', 'samples', 'done']);
    assert.equal(of(messages, 'done')[0].reason, 'completed');
  });

  it('reports every step of every epoch and the backend it chose', () => {
    assert.equal(of(messages, 'ready')[0].backend, 'cpu');
    const batches = of(messages, 'batch');
    assert.equal(batches.length, 2 * 5); // 640 / 128 = 5 steps per epoch
    assert.deepEqual(batches.map((b) => b.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('lowers the loss', () => {
    const epochs = of(messages, 'epochEnd');
    assert.ok(epochs[1].metrics.loss < epochs[0].metrics.loss, `${epochs[1].metrics.loss} < ${epochs[0].metrics.loss}`);
    const batches = of(messages, 'batch');
    assert.ok(batches[batches.length - 1].metrics.loss < batches[0].metrics.loss);
  });

  it('gives every dense layer gradient figures on sampled steps', () => {
    const grads = of(messages, 'gradients');
    assert.deepEqual(grads.map((g) => g.step), [1, 2, 4, 6, 8, 10]);
    for (const g of grads) {
      assert.deepEqual(g.layers.map((l) => l.layer), ['fc1', 'fc2', 'fc3']);
      for (const l of g.layers) {
        assert.ok(l.l2! > 0 && l.meanAbs! > 0 && l.maxAbs! >= l.meanAbs!, JSON.stringify(l));
        assert.ok(l.updateRatio! > 0 && l.updateRatio! < 1, JSON.stringify(l));
      }
    }
    assert.ok(grads[0].layers.every((l) => l.histogram && l.histogram.counts.reduce((a, b) => a + b, 0) > 0));
  });

  it('evaluates per class with a confusion matrix that adds up to the test set', () => {
    const ev = of(messages, 'evaluation')[1];
    assert.equal(ev.confusion.flat().reduce((a, b) => a + b, 0), 500);
    const diagonal = ev.confusion.reduce((s, row, i) => s + row[i], 0);
    assert.ok(Math.abs(diagonal / 500 - ev.test.accuracy) < 1e-9);
    assert.equal(ev.perClassAccuracy.length, 10);
  });

  it('sends a grid of 28×28 training images with labels before step 1, then the test images with predictions, those only once', () => {
    const [train, s, ...later] = of(messages, 'samples');
    assert.equal(train.epoch, 0);
    assert.equal(train.images?.length, 32);
    assert.deepEqual(train.predictions, []);
    assert.notEqual(train.images!.join(), s.images?.join(), 'training images, not the test ones');
    assert.equal(s.epoch, 1);
    assert.equal(s.images?.length, 32);
    assert.equal(Buffer.from(s.images![0], 'base64').length, 28 * 28);
    assert.equal(s.labels[0], 7); // MNIST's first test digit is a 7
    assert.equal(s.predictions.length, 32);
    assert.ok(later.length > 0, 'a samples message after every epoch');
    for (const m of later) {
      assert.equal(m.images, undefined, `epoch ${m.epoch} sent the same images again`);
      assert.equal(m.predictions.length, 32);
    }
  });

  it('sends the model graph, the summary and the training plan', () => {
    const m = of(messages, 'model')[0];
    assert.equal(m.summary.totals.totalParams, 468874);
    assert.equal(m.plan!.stepsPerEpoch, 5);
    assert.equal(m.callSites.fc1.line > 0, true);
    assert.equal(m.dataset!.trainCount, 640);
  });
});

describe('the build announcements to the parent', async () => {
  const file = fixture('train/frozen-spiral.ts');
  const run = startTrainer({ file, inspect: true, backend: 'cpu' });
  await run.exited;

  it('announce the file, then model() at its line, then the end of the build', () => {
    assert.deepEqual(run.builds.map((b) => b.running), ['file', 'model', null]);
    assert.deepEqual(run.builds[1].location, { file, line: lineOf(file, 'model:'), column: lineText(file, 'model:').indexOf('model:') + 1 });
    assert.deepEqual(run.messages.map((m) => m.type), ['ready', 'model', 'done']);
  });
});

describe('a layer with trainable: false', async () => {
  const run = startTrainer({ file: fixture('train/frozen-spiral.ts'), backend: 'cpu' });
  await run.exited;
  const grads = of(run.messages, 'gradients');

  it('is marked frozen and carries no gradient figures', () => {
    assert.ok(grads.length > 0);
    for (const g of grads) {
      const frozen = g.layers.find((l) => l.layer === 'frozen_hidden')!;
      assert.deepEqual(frozen, { layer: 'frozen_hidden', frozen: true, l2: null, meanAbs: null, maxAbs: null, updateRatio: null });
      assert.ok(g.layers.filter((l) => l.layer !== 'frozen_hidden').every((l) => !l.frozen && l.l2! > 0));
    }
  });
});

describe('a diverging run', async () => {
  const run = startTrainer({ file: fixture('train/diverge.ts'), backend: 'cpu' });
  const code = await run.exited;

  it('ends with an anomaly naming the step and the first layer with a non-finite gradient', () => {
    const anomaly = of(run.messages, 'anomaly')[0];
    assert.ok(anomaly, sequence(run.messages).join(','));
    assert.equal(anomaly.kind === 'nonFiniteLoss' || anomaly.kind === 'nonFiniteGradient', true);
    assert.match(anomaly.message, new RegExp(`step ${anomaly.step}\\b`));
    assert.equal(anomaly.layer, 'hidden');
    assert.ok(anomaly.source && anomaly.source.file.endsWith('diverge.ts'));
  });

  it('reports done(anomaly) and exits non-zero, without hanging', () => {
    const done = of(run.messages, 'done')[0] as DoneMessage;
    assert.equal(done.reason, 'anomaly');
    assert.notEqual(code, 0);
  });
});

describe('Stop during an epoch', async () => {
  const run = startTrainer({ file: example('mnist-mlp.ts'), epochs: 1, backend: 'cpu', testLimit: 100 });
  const third = (await run.waitFor((m) => m.type === 'batch' && m.step === 3)) as BatchMessage;
  run.child.send({ type: 'stop' });
  const code = await run.exited;

  it('answers done(stopped) within one step and the process exits 0', () => {
    const done = of(run.messages, 'done')[0];
    assert.equal(done.stopped, true);
    assert.equal(done.reason, 'stopped');
    assert.ok(done.steps <= third.step + 1, `stopped at step ${done.steps}`);
    assert.equal(code, 0);
    assert.equal(run.child.exitCode, 0);
  });
});

describe('Ctrl-C reaching the trainer (a terminal signals the whole process group)', async () => {
  const run = startTrainer({ file: example('mnist-mlp.ts'), epochs: 1, backend: 'cpu', testLimit: 100 });
  const second = (await run.waitFor((m) => m.type === 'batch' && m.step === 2)) as BatchMessage;
  run.child.kill('SIGINT');
  const afterSignal = await Promise.race([
    run.waitFor((m) => m.type === 'batch' && m.step === second.step + 3).then(() => 'trained on'),
    run.exited.then(() => 'exited'),
  ]);
  if (afterSignal === 'trained on') run.child.send({ type: 'stop' });
  const code = await run.exited;

  it('does not end the run by itself: its parent decides (here: stop, after SIGINT)', () => {
    assert.equal(afterSignal, 'trained on');
    assert.equal(of(run.messages, 'done')[0]?.reason, 'stopped');
    assert.equal(code, 0);
  });
});

describe('bad input to the trainer', async () => {
  it('reports an error with the user source position and exits non-zero', async () => {
    const run = startTrainer({ file: fixture('model-throws.ts') });
    const code = await run.exited;
    const error = of(run.messages, 'error')[0];
    assert.match(error.message, /a head of 1000 units is too wide/);
    assert.ok(error.location?.file.endsWith('model-throws.ts'));
    assert.notEqual(code, 0);
    assert.equal(of(run.messages, 'done')[0].reason, 'error');
  });

  it('ignores a malformed command with a warning and keeps working', async () => {
    const run = startTrainer({ file: fixture('train/frozen-spiral.ts'), backend: 'cpu', epochs: 1 });
    run.child.send({ type: 'launch-missiles' });
    await run.exited;
    const warnings = of(run.messages, 'log').filter((l) => l.level === 'warn');
    assert.ok(warnings.some((w) => /unknown type "launch-missiles"/.test(w.message)));
  });
});

export type { GradientsMessage };
