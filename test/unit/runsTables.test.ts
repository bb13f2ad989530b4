import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { showText } from '../../src/cli/runsTables';
import type { TrainerMessage } from '../../src/protocol/messages';
import { readRunDetails } from '../../src/runs/runDetails';
import { RunStore } from '../../src/runs/runStore';
import { syntheticModelMessage } from '../helpers/syntheticRun';

/** A script's model message: no plan, no data, an id of its own. */
function scriptModel(modelId: number, name: string): TrainerMessage {
  const { plan: _plan, dataset: _dataset, ...model } = syntheticModelMessage({ name });
  return { ...model, modelId };
}

/** One fit of `epochs` epochs of model `modelId`, ending after epoch `upTo` (default: all). */
function fit(modelId: number, epochs: number, upTo = epochs): TrainerMessage[] {
  const messages: TrainerMessage[] = [];
  for (let epoch = 1; epoch <= upTo; epoch++) {
    messages.push({ type: 'epochStart', modelId, epoch, epochs, stepsPerEpoch: 2, lr: 0.01 });
    messages.push({ type: 'epochEnd', modelId, epoch, metrics: { loss: 1 / epoch }, lr: 0.01, epochSec: 0.1, elapsedSec: epoch });
  }
  return messages;
}

/** What `runs show` prints for a script run of these messages (its done message last), read back as the command reads it. */
function shown(messages: TrainerMessage[], change?: (dir: string) => void): string[] {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-runs-show-'));
  const file = path.join(root, 'train.mjs');
  fs.writeFileSync(file, '// a script\n');
  const store = new RunStore(path.join(root, 'runs'));
  const recorder = store.create({ file });
  recorder.append([{ type: 'ready', backend: 'cpu', reason: 'test', versions: { tfjs: '4', node: '20', modelLens: 'test' } }, ...messages]);
  recorder.finish();
  change?.(recorder.dir);
  const [entry] = store.list();
  return showText(readRunDetails(entry), file, null).split('\n');
}

/** Its epoch lines. */
const shownEpochs = (messages: TrainerMessage[], change?: (dir: string) => void): string[] => shown(messages, change).filter((l) => l.includes('Epoch ['));

const done = (reason: 'completed' | 'error'): TrainerMessage => ({ type: 'done', stopped: false, reason, steps: 10, elapsedSec: 5, savedTo: null });

describe('runs show: the last loss of a run that diverged', () => {
  it('is the last finite one, a huge one in exponent form', () => {
    const batch = (step: number, loss: number): TrainerMessage => ({ type: 'batch', modelId: 1, epoch: 1, step, batch: step, metrics: { loss }, lr: 10, samplesPerSec: 100, elapsedSec: step });
    const lines = shown([scriptModel(1, 'mlp'), batch(1, 2.5), batch(2, 3.422e23), batch(3, Number.POSITIVE_INFINITY), done('error')]);
    assert.ok(lines.some((l) => /last loss 3\.422e\+23,/.test(l)), lines.join('\n'));
  });
});

describe('runs show: the epoch lines of a script run', () => {
  it('count each model\'s epochs against its own fit, and name the model when the script trained several', () => {
    const lines = shownEpochs([scriptModel(1, 'small'), ...fit(1, 2), scriptModel(2, 'big'), ...fit(2, 3), done('completed')]);
    assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(']') + 1)), [
      'Model #1 (small): Epoch [1/2]', 'Model #1 (small): Epoch [2/2]',
      'Model #2 (big): Epoch [1/3]', 'Model #2 (big): Epoch [2/3]', 'Model #2 (big): Epoch [3/3]',
    ]);
  });

  it('count a fit that failed in its second epoch of 3 as epoch 1 of 3', () => {
    const lines = shownEpochs([scriptModel(1, 'mlp'), ...fit(1, 3, 1), { type: 'error', message: 'the script threw', location: null, hint: null }, done('error')]);
    assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(']') + 1)), ['Epoch [1/3]']);
  });

  it('count a second fit of the same model from 1 again, against its own epochs', () => {
    const lines = shownEpochs([scriptModel(1, 'mlp'), ...fit(1, 2), ...fit(1, 1), done('completed')]);
    assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(']') + 1)), ['Epoch [1/2]', 'Epoch [2/2]', 'Epoch [1/1]']);
  });

  it('of a run recorded before figures.json kept the totals: read from its messages', () => {
    const lines = shownEpochs([scriptModel(1, 'mlp'), ...fit(1, 3, 2), done('error')], (dir) => {
      const figures = path.join(dir, 'figures.json');
      const { epochTotals: _totals, modelNames: _names, ...older } = JSON.parse(fs.readFileSync(figures, 'utf8')) as Record<string, unknown>;
      fs.writeFileSync(figures, JSON.stringify(older));
    });
    assert.deepEqual(lines.map((l) => l.slice(0, l.indexOf(']') + 1)), ['Epoch [1/3]', 'Epoch [2/3]']);
  });
});
