// The experiment's settings checked where they are written: a typo or a bad value is one
// `model-lens: error: file:line:col: …` line (exit 1) at the key, before model() runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../helpers/runCli';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-settings-'));
const marker = path.join(dir, 'model-ran');

/** An experiment whose model() leaves a marker file, so a test can tell it never ran. */
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text.replace('MODEL', `() => { require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); return tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [2], activation: 'softmax', name: 'head' })] }); }`));
  return file;
}

/** `file:line:col` of the first occurrence of `needle` in `file`. */
function at(file: string, needle: string): string {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, `${needle} not in ${file}`);
  return `${file}:${line + 1}:${lines[line].indexOf(needle) + 1}`;
}

function settingError(args: string[], file: string, needle: string, message: string): string {
  fs.rmSync(marker, { force: true });
  const run = runCli(args);
  assert.equal(run.status, 1, run.stderr);
  const first = run.stderr.split('\n')[0];
  assert.equal(first, `model-lens: error: ${at(file, needle)}: ${message}`);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(fs.existsSync(marker), false, 'model() must not run');
  return run.stderr;
}

const TS_HEAD = "import * as tf from '@tensorflow/tfjs';\nimport { defineExperiment } from 'model-lens';\n";

describe('experiment settings checked at their line, before model() runs', () => {
  it('a typo in training: exit 1 with the key, its line and the suggestion (summary and train)', () => {
    const file = write('epoch.ts', `${TS_HEAD}export default defineExperiment({
  model: MODEL,
  data: { dataset: 'xor' },
  training: {
    batchSize: 16,
    epoch: 1,
  },
});
`);
    for (const command of ['summary', 'train']) {
      const stderr = settingError([command, file], file, 'epoch: 1', 'unknown key `epoch` in training — did you mean `epochs`?');
      assert.match(stderr, /training accepts epochs, batchSize/);
    }
  });

  it('`optimiser` is an error that suggests `optimizer` (it used to train with SGD)', () => {
    const file = write('optimiser.ts', `${TS_HEAD}export default defineExperiment({
  model: MODEL,
  data: { dataset: 'xor' },
  training: { epochs: 1, optimiser: { type: 'adam', learningRate: 0.01 } },
});
`);
    settingError(['train', file], file, 'optimiser', 'unknown key `optimiser` in training — did you mean `optimizer`?');
  });

  it('a plain `export default { ... }` in JavaScript, with a fractional batch size', () => {
    const file = write('plain.js', `const tf = require('@tensorflow/tfjs');
export default {
  model: MODEL,
  training: {
    batchSize: 0.5,
  },
};
`);
    settingError(['summary', file], file, 'batchSize', 'training.batchSize must be a positive integer, got 0.5');
  });

  it('CommonJS `module.exports = { ... }`, with an unknown data set', () => {
    const file = write('common.js', `const tf = require('@tensorflow/tfjs');
module.exports = {
  model: MODEL,
  data: { dataset: 'mnsit' },
};
`);
    settingError(['summary', file], file, 'dataset:', `data.dataset must be one of 'mnist', 'fashion-mnist', 'idx', 'circle', 'xor', 'gauss', 'spiral', 'csv', 'images', got "mnsit" — did you mean 'mnist'?`);
  });

  it('a NaN learning rate, inside settings held in a variable', () => {
    const file = write('nan.ts', `${TS_HEAD}const training = {
  epochs: 1,
  optimizer: { type: 'sgd' as const, learningRate: Number.NaN },
};
export default defineExperiment({ model: MODEL, data: { dataset: 'xor' }, training });
`);
    settingError(['train', file], file, 'learningRate', 'training.optimizer.learningRate must be a number ≥ 0, got NaN');
  });

  it('0 epochs and a save path that is not a string', () => {
    const zero = write('zero.ts', `${TS_HEAD}export default defineExperiment({ model: MODEL, data: { dataset: 'xor' },\n  training: { epochs: 0 } });\n`);
    settingError(['train', zero], zero, 'epochs', 'training.epochs must be a positive integer, got 0');
    const save = write('save.ts', `${TS_HEAD}export default defineExperiment({ model: MODEL, data: { dataset: 'xor' },\n  training: { save: 3 as unknown as string } });\n`);
    settingError(['train', save], save, 'save', 'training.save must be a path (a non-empty string), got 3');
  });

  it('a freeze entry that matches no layer, at the entry', () => {
    const file = write('freeze.ts', `${TS_HEAD}export default defineExperiment({
  model: MODEL,
  data: { dataset: 'xor', numSamples: 40 },
  training: { epochs: 1, batchSize: 8 },
  freeze: ['head', 'stem*'],
});
`);
    const run = runCli(['train', file]);
    assert.equal(run.status, 1, run.stderr);
    assert.equal(run.stderr.split('\n')[0], `model-lens: error: ${at(file, "'stem*'")}: freeze: "stem*" matches no layer.`);
  });
});

describe('CommonJS experiments load as the recogniser reads them', () => {
  it('`module.exports = defineExperiment({ ... })` gives its summary', () => {
    const file = write('cjs.js', `const tf = require('@tensorflow/tfjs');
const { defineExperiment } = require('model-lens');
module.exports = defineExperiment({ model: MODEL, training: { batchSize: 4 } });
`);
    const run = runCli(['summary', file]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /Dense \(head\)/);
    assert.match(run.stdout, /\[4, 2\]/);
  });
});
