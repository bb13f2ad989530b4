// Folding trainer messages into the run state the host and the panel share: samples messages after
// the first leave their images out, and the state keeps them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SamplesMessage, TrainerMessage } from '../../src/protocol/messages';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import { batchMessageAt, epochFiguresText, lastMetric, runStateFrom } from '../../src/protocol/runState';

const samples = (epoch: number, predictions: number[], images?: string[]): SamplesMessage => ({
  type: 'samples', epoch, width: 2, height: 1, channels: 1, labels: [0, 1], predictions, classNames: ['a', 'b'], ...(images ? { images } : {}),
});

describe('run state: samples', () => {
  it('keeps the first message\'s images for later epochs\' predictions', () => {
    const state = runStateFrom([samples(1, [1, 1], ['AAA=', 'AQE=']), samples(2, [0, 1]), samples(3, [0, 0])]);
    assert.deepEqual(state.samples?.images, ['AAA=', 'AQE=']);
    assert.deepEqual(state.samples?.predictions, [0, 0]);
    assert.equal(state.samples?.epoch, 3);
  });
  it('takes new images when a message brings them', () => {
    const state = runStateFrom([samples(1, [1, 1], ['AAA=', 'AQE=']), samples(2, [0, 1], ['AgI=', 'AwM='])]);
    assert.deepEqual(state.samples?.images, ['AgI=', 'AwM=']);
  });
  it('accepts a samples message without images and refuses malformed ones', () => {
    assert.ok(checkTrainerMessage(samples(2, [0, 1])).ok);
    assert.equal(checkTrainerMessage({ ...samples(2, [0, 1]), images: 'AAA=' }).ok, false);
  });
});

describe('run state: named metrics', () => {
  const batch = (step: number, metrics: Record<string, number>): TrainerMessage => ({
    type: 'batch', epoch: 1, step, batch: step, metrics, lr: 0.1, samplesPerSec: 10, elapsedSec: step,
  });

  it('keeps one column per name, aligned with the steps, renaming tfjs\'s names', () => {
    const state = runStateFrom([batch(1, { loss: 1, acc: 0.5 }), batch(2, { loss: 0.8, accuracy: 0.6 })]);
    assert.deepEqual(state.batches.step, [1, 2]);
    assert.deepEqual(state.batches.metrics, { loss: [1, 0.8], accuracy: [0.5, 0.6] });
  });

  it('fills null where a batch lacks a name, before and after it first appears', () => {
    const state = runStateFrom([batch(1, { loss: 1 }), batch(2, { loss: 0.9, mae: 0.4 }), batch(3, { loss: 0.7 })]);
    assert.deepEqual(state.batches.metrics, { loss: [1, 0.9, 0.7], mae: [null, 0.4, null] });
    assert.equal(lastMetric(state.batches, 'mae'), 0.4);
    assert.equal(lastMetric(state.batches, 'r2'), null);
  });

  it('gives back each batch message as it came, from the columns', () => {
    const messages = [batch(1, { loss: 1 }), batch(2, { loss: 0.9, mae: 0.4 })];
    const state = runStateFrom(messages);
    assert.deepEqual([batchMessageAt(state.batches, 0), batchMessageAt(state.batches, 1)], messages);
  });

  it('a name that is also an Object property makes its own column', () => {
    const state = runStateFrom([batch(1, { loss: 1, constructor: 2 } as Record<string, number>)]);
    assert.deepEqual(state.batches.metrics.constructor, [2]);
  });

  it('renames an epoch\'s training, validation and test figures and an evaluation\'s', () => {
    const state = runStateFrom([
      { type: 'epochEnd', epoch: 1, metrics: { loss: 1, acc: 0.5 }, val: { loss: 1.1, categoricalAccuracy: 0.45 }, lr: 0.1, epochSec: 1, elapsedSec: 1 },
      { type: 'evaluation', epoch: 1, test: { loss: 1.2, acc: 0.4 }, perClassAccuracy: [], classNames: [], confusion: [] },
    ]);
    assert.deepEqual(state.epochs[0].metrics, { loss: 1, accuracy: 0.5 });
    assert.deepEqual(state.epochs[0].val, { loss: 1.1, accuracy: 0.45 });
    assert.equal(state.epochs[0].test, undefined);
    assert.deepEqual(state.evaluation?.test, { loss: 1.2, accuracy: 0.4 });
  });

  it('keeps custom scalars under the user\'s names over the steps they were logged at', () => {
    const state = runStateFrom([
      { type: 'scalars', step: 5, values: { acc: 1, gradNorm: 2 } },
      { type: 'scalars', step: 9, values: { gradNorm: 3 } },
    ]);
    assert.deepEqual(state.scalars, { step: [5, 9], metrics: { acc: [1, null], gradNorm: [2, 3] } });
  });
});

describe('run state: which figures are which, in words', () => {
  it('says the training figures are the epoch mean and names validation and test', () => {
    const text = epochFiguresText({ type: 'epochEnd', epoch: 2, metrics: { loss: 0.5, accuracy: 0.9 }, val: { loss: 0.6 }, test: { mae: 0.25 }, lr: 0.1, epochSec: 1, elapsedSec: 2 });
    assert.equal(text, 'train (epoch mean) loss 0.5 · acc 90.0%; val loss 0.6; test mae 0.25');
  });
});
