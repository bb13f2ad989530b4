import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ModelMessage, TrainerMessage, TrainRequest } from '../../src/protocol/messages';
import { runTraining, type RunControl } from '../../src/trainer/trainingRun';
import { fixture, lineOf } from '../helpers/fixtures';

/** Runs in this process, stopping after `stopAfter` steps (if given); every message. */
async function train(request: TrainRequest, stopAfter?: number): Promise<TrainerMessage[]> {
  const messages: TrainerMessage[] = [];
  const control: RunControl = { stopRequested: false };
  if (stopAfter) control.onStep = (step) => { if (step >= stopAfter) control.stopRequested = true; };
  await runTraining(request, (m) => messages.push(m), control);
  return messages;
}

const SPIRAL = fixture('train/frozen-spiral.ts');
const modelOf = (ms: TrainerMessage[]) => ms.find((m): m is ModelMessage => m.type === 'model');
const errorOf = (ms: TrainerMessage[]) => ms.find((m) => m.type === 'error');

/** The spiral fixture with `edit` applied to its text, as a file of its own. */
function spiralWith(edit: (text: string) => string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-checks-')), 'experiment.ts');
  fs.writeFileSync(file, edit(fs.readFileSync(SPIRAL, 'utf8')));
  return file;
}

describe('runs of any length are planned in bounded memory', () => {
  it('starts 250,000,000 epochs with the constant rate planned as its two ends', async () => {
    const ms = await train({ file: SPIRAL, backend: 'cpu', epochs: 250_000_000 }, 2);
    const plan = modelOf(ms)?.plan;
    assert.ok(plan, JSON.stringify(errorOf(ms)));
    const total = 250_000_000 * plan.stepsPerEpoch;
    assert.equal(plan.totalSteps, total);
    assert.deepEqual(plan.plannedLr, { step: [1, total], lr: [0.03, 0.03] });
    assert.equal(ms.filter((m) => m.type === 'batch').length, 2);
    const done = ms[ms.length - 1];
    assert.equal(done.type === 'done' && done.reason, 'stopped');
  });

  it('leaves a 250,000,000-epoch cosine schedule unplanned instead of walking it', async () => {
    const file = spiralWith((t) => t.replace('gradientEvery: 5 }', "gradientEvery: 5, schedule: { type: 'cosine', tMax: 100 } }"));
    const ms = await train({ file, backend: 'cpu', epochs: 250_000_000 }, 1);
    const plan = modelOf(ms)?.plan;
    assert.ok(plan, JSON.stringify(errorOf(ms)));
    assert.equal(plan.plannedLr, null);
  });
});

describe('nothing trains zero steps', () => {
  it('refuses a run of 0 epochs', async () => {
    const ms = await train({ file: SPIRAL, backend: 'cpu', epochs: 0 });
    assert.match(errorOf(ms)?.type === 'error' ? errorOf(ms)!.message : '', /the run has no step to train: 0 epochs × \d+ steps/);
    assert.equal(ms.some((m) => m.type === 'batch' || m.type === 'model'), false);
  });
});

describe('labels the model cannot output are refused before training', () => {
  it('a one-unit sigmoid with binaryCrossentropy on the ten MNIST digits, at the last layer', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-checks-')), 'binary.ts');
    fs.writeFileSync(file, [
      "import * as tf from '@tensorflow/tfjs';",
      'export default {',
      '  model: () => tf.sequential({ layers: [',
      '    tf.layers.flatten({ inputShape: [28, 28, 1] }),',
      "    tf.layers.dense({ units: 1, activation: 'sigmoid' }),",
      '  ] }),',
      "  data: { dataset: 'mnist', limit: 64 },",
      "  training: { loss: 'binaryCrossentropy' },",
      '};',
    ].join('\n'));
    const ms = await train({ file, backend: 'cpu' });
    const error = errorOf(ms);
    assert.ok(error?.type === 'error');
    assert.match(error.message, /^loss binaryCrossentropy needs labels 0 and 1, but "mnist" has 10 classes \(labels 0\.\.9\)\.$/);
    assert.equal(error.location?.line, lineOf(file, "units: 1, activation: 'sigmoid'"));
    assert.equal(ms.some((m) => m.type === 'batch'), false);
  });
});
