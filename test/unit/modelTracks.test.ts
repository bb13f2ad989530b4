// A script that trains several models: the run state lists them all, and the panel's ModelTracks keeps
// each model's epochs, batches and gradients apart and shows the picked one (or the one training now).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelMessage, TrainerMessage } from '../../src/protocol/messages';
import { checkTrainerMessage } from '../../src/protocol/messageChecks';
import { modelChoiceLabel, ModelTracks } from '../../src/protocol/modelTracks';
import { checkHostToPanel } from '../../src/protocol/panelMessages';
import { batchMessageAt, runStateFrom } from '../../src/protocol/runState';
import { syntheticModelMessage } from '../helpers/syntheticRun';

const model = (modelId: number, name: string, batchSize = 8): ModelMessage => {
  const { dataset: _d, plan: _p, ...m } = syntheticModelMessage({ name });
  return { ...m, modelId, summary: { ...m.summary, model: name, batchSize } };
};

let clock = 0;
const batch = (modelId: number, step: number, loss: number): TrainerMessage => ({
  type: 'batch', modelId, epoch: 1, step, batch: step, metrics: { loss }, lr: 0.1, samplesPerSec: 10, elapsedSec: ++clock,
});
const gradients = (modelId: number, step: number, layers: string[]): TrainerMessage => ({
  type: 'gradients', modelId, epoch: 1, step, layers: layers.map((layer) => ({ layer, frozen: false, l2: 1, meanAbs: 0.1, maxAbs: 0.5, updateRatio: 0.01 })),
});
const epochEnd = (modelId: number, loss: number): TrainerMessage => ({
  type: 'epochEnd', modelId, epoch: 1, metrics: { loss }, lr: 0.1, epochSec: 1, elapsedSec: ++clock,
});

/** Model 1 trains steps 1-3, model 2 steps 4-5, model 1 again step 6. */
function twoModels(): TrainerMessage[] {
  return [
    { type: 'ready', backend: 'cpu', reason: 'test', versions: { tfjs: '4', node: '22', modelLens: 'test' } },
    model(1, 'small'), model(2, 'wide'),
    batch(1, 1, 0.9), gradients(1, 1, ['s1', 's2']), batch(1, 2, 0.8), batch(1, 3, 0.7), epochEnd(1, 0.8),
    batch(2, 4, 2.0), gradients(2, 4, ['w1', 'w2', 'w3']), batch(2, 5, 1.5), epochEnd(2, 1.7),
    { type: 'log', level: 'info', message: 'between fits\n', stream: 'stdout' },
    batch(1, 6, 0.6),
  ];
}

function tracksOf(messages: TrainerMessage[]): ModelTracks {
  const tracks = new ModelTracks();
  for (const m of messages) tracks.apply(m);
  return tracks;
}

describe('run state: the models of a script', () => {
  it('lists every model once, in the order they came, a model announced again replacing its older message', () => {
    const state = runStateFrom([...twoModels(), model(1, 'small', 32)]);
    assert.deepEqual(state.models.map((m) => [m.modelId, m.name, m.summary.batchSize]), [[1, 'small', 32], [2, 'wide', 8]]);
    assert.equal(state.model?.name, 'small');
  });

  it('keeps each batch\'s model in a column of its own, and gives it back in the batch message', () => {
    const state = runStateFrom(twoModels());
    assert.deepEqual(state.batches.modelId, [1, 1, 1, 2, 2, 1]);
    assert.equal(batchMessageAt(state.batches, 3).modelId, 2);
    assert.equal('modelId' in batchMessageAt(runStateFrom([{ ...batch(1, 1, 0.5), modelId: undefined } as TrainerMessage]).batches, 0), false, 'an experiment\'s batch has none');
  });

  it('accepts model ids from 1 and refuses 0, a fraction or a string', () => {
    assert.ok(checkTrainerMessage(batch(1, 1, 0.5)).ok);
    for (const bad of [0, 1.5, '1']) assert.equal(checkTrainerMessage({ ...batch(1, 1, 0.5), modelId: bad }).ok, false, String(bad));
  });
});

describe('model tracks: the panel shows one model of a script at a time', () => {
  it('keeps each model\'s batches, epochs and gradients apart', () => {
    const whole = runStateFrom(twoModels());
    const tracks = tracksOf(twoModels());
    const small = tracks.shown(whole, 1);
    const wide = tracks.shown(whole, 2);
    assert.deepEqual(small.batches.metrics.loss, [0.9, 0.8, 0.7, 0.6]);
    assert.deepEqual(wide.batches.metrics.loss, [2.0, 1.5]);
    assert.deepEqual(small.epochs.map((e) => e.metrics.loss), [0.8]);
    assert.deepEqual(wide.epochs.map((e) => e.metrics.loss), [1.7]);
    assert.deepEqual(small.gradients.layers, ['s1', 's2']);
    assert.deepEqual(wide.gradients.layers, ['w1', 'w2', 'w3']);
    assert.equal(small.model?.name, 'small');
    assert.equal(wide.model?.name, 'wide');
  });

  it('keeps the run\'s own messages (backend, logs, status) in every model\'s view', () => {
    const whole = runStateFrom(twoModels());
    const wide = tracksOf(twoModels()).shown(whole, 2);
    assert.equal(wide.ready?.backend, 'cpu');
    assert.equal(wide.logs.length, 1);
    assert.equal(wide.status, whole.status);
  });

  it('follows the model that trains now until one is picked', () => {
    const messages = twoModels();
    const whole = runStateFrom(messages);
    const tracks = tracksOf(messages);
    assert.equal(tracks.latest, 1, 'model 1 trained last');
    assert.equal(tracks.shown(whole, null).model?.name, 'small');
    const more = batch(2, 7, 1.2);
    tracks.apply(more);
    assert.equal(tracks.shown(whole, null).model?.name, 'wide');
    assert.equal(tracks.shown(whole, 1).model?.name, 'small', 'a picked model stays shown');
    assert.equal(tracks.shown(whole, 9).model?.name, 'wide', 'an unknown id shows the latest');
  });

  it('shows the whole run while it has a single model, as experiments (no ids) always do', () => {
    const one = [model(1, 'only'), batch(1, 1, 0.5)];
    const whole = runStateFrom(one);
    assert.equal(tracksOf(one).shown(whole, 1), whole);
    const experiment: TrainerMessage[] = [syntheticModelMessage(), { ...batch(1, 1, 0.5), modelId: undefined } as TrainerMessage];
    const tracks = tracksOf(experiment);
    assert.deepEqual(tracks.ids(), []);
    assert.equal(tracks.shown(runStateFrom(experiment), null).batches.step.length, 1);
  });

  it('splits a snapshot\'s batch columns by model as the messages themselves would', () => {
    const messages = twoModels();
    const whole = runStateFrom(messages);
    const fromMessages = tracksOf(messages);
    const fromSnapshot = new ModelTracks();
    fromSnapshot.applyBatches(whole.batches);
    for (const m of messages) if (m.type !== 'batch') fromSnapshot.apply(m);
    for (const id of [1, 2]) assert.deepEqual(fromSnapshot.shown(whole, id).batches, fromMessages.shown(whole, id).batches);
    const snapshot = checkHostToPanel({ type: 'snapshot', runId: 'r', file: 'f.ts', messages: [], batches: whole.batches });
    assert.ok(snapshot.ok, snapshot.ok ? '' : snapshot.error);
  });

  it('names each model in the picker by its index, name and size, so two models of one name differ', () => {
    const a = modelChoiceLabel(model(1, 'net'));
    const b = modelChoiceLabel(model(2, 'net'));
    assert.notEqual(a, b);
    assert.match(a, /#1 net/);
    assert.match(a, /30 params/);
  });
});
