// training.checkpoint and training.earlyStopping in a real run (in process, cpu backend): the
// checkpoints are model.json + weights in the run folder that load back as the model they saved,
// and early stopping ends a run as Keras would, as a completed run.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModelJson } from '../../src/model/modelJson';
import type { EpochEndMessage, TrainerMessage } from '../../src/protocol/messages';
import { runTraining } from '../../src/trainer/trainingRun';
import { fixture } from '../helpers/fixtures';

const folders: string[] = [];
after(() => { for (const f of folders) fs.rmSync(f, { recursive: true, force: true }); });

/** The frozen-spiral fixture with `training` extended by `extra`, in a folder of its own, and a run folder. */
function experiment(extra: string, epochs: number): { file: string; runDir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-checkpoints-'));
  folders.push(dir);
  const source = fs.readFileSync(fixture('train/frozen-spiral.ts'), 'utf8').replace('epochs: 2,', `epochs: ${epochs}, ${extra},`);
  assert.ok(source.includes(extra), 'the fixture still has `epochs: 2,`');
  const file = path.join(dir, 'spiral.ts');
  fs.writeFileSync(file, source);
  const runDir = path.join(dir, 'run');
  fs.mkdirSync(runDir);
  return { file, runDir };
}

async function train(file: string, runDir: string) {
  const messages: TrainerMessage[] = [];
  let model: tf.LayersModel | null = null;
  let stepsPerEpoch = 0;
  /** tf.memory().numTensors at the first step of each epoch. */
  const tensorsAtEpochStart: number[] = [];
  await runTraining({ file, backend: 'cpu', runDir }, (m) => {
    messages.push(m);
    if (m.type === 'model') stepsPerEpoch = m.plan?.stepsPerEpoch ?? 0;
  }, {
    stopRequested: false, onModel: (m) => { model = m; },
    onStep: (step) => { if (step % stepsPerEpoch === 1) tensorsAtEpochStart.push(tf.memory().numTensors); },
  });
  return { messages, tensorsAtEpochStart, weights: () => (model as unknown as tf.LayersModel).getWeights().map((w) => Array.from(w.dataSync())) };
}

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
const epochEnds = (ms: TrainerMessage[]) => ms.filter((m): m is EpochEndMessage => m.type === 'epochEnd');

describe('training.checkpoint', () => {
  it('saves the last epoch and the best by keepBest into the run folder, loadable as the model they saved', async () => {
    const { file, runDir } = experiment("checkpoint: { every: 'epoch', keepBest: 'val_accuracy' }", 3);
    const { messages, weights, tensorsAtEpochStart } = await train(file, runDir);
    assert.equal(messages.at(-1)?.type === 'done' && messages.at(-1)?.type, 'done');
    assert.equal(tensorsAtEpochStart.length, 3);
    assert.equal(new Set(tensorsAtEpochStart).size, 1, `tensors at each epoch's start: ${tensorsAtEpochStart.join(', ')} (saving checkpoints leaks none)`);
    const last = path.join(runDir, 'checkpoints', 'last');
    const best = path.join(runDir, 'checkpoints', 'best');
    // The last checkpoint is the trained model, weight for weight.
    assert.deepEqual(weightsOf(await loadModelJson(path.join(last, 'model.json'))), weights());
    assert.equal(JSON.parse(fs.readFileSync(path.join(last, 'checkpoint.json'), 'utf8')).epoch, 3);
    // The best one is the epoch with the highest test accuracy (the first of equals, as Keras keeps it).
    const epochs = epochEnds(messages);
    const top = Math.max(...epochs.map((e) => e.test!.accuracy));
    const bestInfo = JSON.parse(fs.readFileSync(path.join(best, 'checkpoint.json'), 'utf8'));
    assert.equal(bestInfo.epoch, epochs.find((e) => e.test?.accuracy === top)!.epoch);
    assert.equal(bestInfo.value, top);
    assert.equal(bestInfo.mode, 'max', 'an accuracy is maximised when mode is left out');
    await loadModelJson(path.join(best, 'model.json'));
    assert.deepEqual(fs.readdirSync(path.join(runDir, 'checkpoints')).sort(), ['best', 'last'], 'no temporary folders left');
  });

  it('says so and trains on when the run has no folder (not recorded)', async () => {
    const { file } = experiment("checkpoint: { every: 'epoch' }", 1);
    const messages: TrainerMessage[] = [];
    await runTraining({ file, backend: 'cpu' }, (m) => messages.push(m), { stopRequested: false });
    assert.ok(messages.some((m) => m.type === 'log' && m.level === 'warn' && /no checkpoints are saved/.test(m.message)));
    assert.equal(messages.at(-1)?.type === 'done' && (messages.at(-1) as { reason: string }).reason, 'completed');
  });
});

describe('training.earlyStopping', () => {
  it('stops once the monitored loss has not improved by minDelta for patience epochs, as a completed run', async () => {
    // A minDelta no loss can beat: only the first epoch improves (on +∞), so with patience 1 Keras stops after epoch 2.
    const { file, runDir } = experiment("earlyStopping: { monitor: 'loss', patience: 1, minDelta: 1000 }", 6);
    const { messages } = await train(file, runDir);
    assert.deepEqual(epochEnds(messages).map((e) => e.epoch), [1, 2]);
    const done = messages.at(-1);
    assert.equal(done?.type === 'done' && done.reason, 'completed');
    assert.ok(messages.some((m) => m.type === 'log' && /early stopping after epoch 2 of 6: loss has not improved since epoch 1/.test(m.message)));
  });

  it('trains every epoch while its patience is not used up', async () => {
    const { file, runDir } = experiment("earlyStopping: { monitor: 'val_loss', patience: 5 }", 3);
    const { messages } = await train(file, runDir);
    assert.deepEqual(epochEnds(messages).map((e) => e.epoch), [1, 2, 3]);
  });
});

describe("early stopping and keepBest on a regression's figures", () => {
  /** A regression CSV (a linear target with noise) and an experiment on it with `extra` in `training`. */
  function regression(extra: string, epochs: number): { file: string; runDir: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-monitor-regression-'));
    folders.push(dir);
    const lines = ['a,b,y'];
    for (let r = 0; r < 200; r++) {
      const [a, b] = [((r * 37) % 100) / 25 - 2, ((r * 61) % 100) / 25 - 2];
      lines.push(`${a},${b},${(2 * a - b + 0.5 + ((r % 7) - 3) * 0.05).toFixed(4)}`);
    }
    fs.writeFileSync(path.join(dir, 'table.csv'), `${lines.join('\n')}\n`);
    const file = path.join(dir, 'experiment.ts');
    fs.writeFileSync(file, "import * as tf from '@tensorflow/tfjs';\n\nexport default {\n" +
      "  model: () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 8, activation: 'relu' }), tf.layers.dense({ units: 1 })] }),\n" +
      "  data: { dataset: 'csv', file: './table.csv', label: 'y', testSplit: 0.25 },\n" +
      `  training: { epochs: ${epochs}, batchSize: 16, seed: 2, loss: 'mse', optimizer: { type: 'adam', learningRate: 0.01 },\n    ${extra},\n  },\n};\n`);
    const runDir = path.join(dir, 'run');
    fs.mkdirSync(runDir);
    return { file, runDir };
  }

  it('stops on val_mae as on a loss, and keeps the best epoch by val_r2 (maximised)', async () => {
    const { file, runDir } = regression("earlyStopping: { monitor: 'val_mae', patience: 1, minDelta: 1000 },\n    checkpoint: { every: 'epoch', keepBest: 'val_r2' }", 6);
    const { messages } = await train(file, runDir);
    const epochs = epochEnds(messages);
    assert.deepEqual(epochs.map((e) => e.epoch), [1, 2], `messages: ${JSON.stringify(messages.filter((m) => m.type === 'error'))}`);
    assert.ok(messages.some((m) => m.type === 'log' && /early stopping after epoch 2 of 6: val_mae has not improved since epoch 1/.test(m.message)));
    const bestInfo = JSON.parse(fs.readFileSync(path.join(runDir, 'checkpoints', 'best', 'checkpoint.json'), 'utf8'));
    const top = Math.max(...epochs.map((e) => e.test!.r2));
    assert.equal(bestInfo.monitor, 'val_r2');
    assert.equal(bestInfo.mode, 'max', 'R² is maximised when mode is left out');
    assert.equal(bestInfo.value, top);
    assert.equal(bestInfo.epoch, epochs.find((e) => e.test!.r2 === top)!.epoch);
  });

  it('trains on while mae keeps falling within its patience', async () => {
    const { file, runDir } = regression("earlyStopping: { monitor: 'mae', patience: 3 }", 3);
    const { messages } = await train(file, runDir);
    assert.deepEqual(epochEnds(messages).map((e) => e.epoch), [1, 2, 3]);
  });

  it('refuses a figure the run never measures, at its setting, before step 1', async () => {
    const { file, runDir } = regression("earlyStopping: { monitor: 'val_accuracy', patience: 1 }", 2);
    const { messages } = await train(file, runDir);
    const error = messages.find((m) => m.type === 'error');
    assert.ok(error && error.type === 'error', 'an error');
    assert.match(error.message, /training\.earlyStopping\.monitor: 'val_accuracy' is never measured in this run: it predicts numbers/);
    const line = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes("monitor: 'val_accuracy'")) + 1;
    assert.equal(error.location?.line, line);
    assert.ok(!messages.some((m) => m.type === 'batch'), 'no step ran');
  });
});
