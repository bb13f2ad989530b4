import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnomalyMessage, DiagnosisMessage, ErrorMessage, TrainerMessage, TrainRequest } from '../../src/protocol/messages';
import { runTraining } from '../../src/trainer/trainingRun';
import { PNG } from 'pngjs';
import { fixture, lineOf } from '../helpers/fixtures';

async function train(request: TrainRequest): Promise<TrainerMessage[]> {
  const messages: TrainerMessage[] = [];
  await runTraining(request, (m) => messages.push(m), { stopRequested: false });
  return messages;
}

const LOGITS = fixture('doctor/logits-mlp.ts');
const of = <T extends TrainerMessage['type']>(ms: TrainerMessage[], type: T) => ms.filter((m): m is Extract<TrainerMessage, { type: T }> => m.type === type);

/** A copy of a fixture with `edit` applied to its text. */
function variant(file: string, edit: (text: string) => string): string {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ml-doctor-')), path.basename(file));
  fs.writeFileSync(out, edit(fs.readFileSync(file, 'utf8')));
  return out;
}

describe('a run whose last layer emits logits into a probability loss stops before its first step', () => {
  it('names the missing softmax at the last layer\'s line, with both fixes, and never the learning rate', async () => {
    const ms = await train({ file: LOGITS, backend: 'cpu', testLimit: 64 });
    const error = of(ms, 'error')[0] as ErrorMessage | undefined;
    assert.ok(error, JSON.stringify(ms.map((m) => m.type)));
    assert.match(error.message, /softmax is missing/);
    assert.doesNotMatch(`${error.message} ${error.hint}`, /learning rate/i);
    assert.equal(error.location?.line, lineOf(LOGITS, "units: 10, name: 'fc2'"));
    assert.match(error.hint ?? '', /activation: 'softmax'.*softmaxCrossEntropy/);
    const diagnosis = of(ms, 'diagnosis')[0] as DiagnosisMessage | undefined;
    assert.equal(diagnosis?.code, 'logitsIntoProbabilityLoss');
    assert.deepEqual(diagnosis?.fixes.map((f) => f.kind), ['setActivation', 'setLoss']);
    assert.equal(of(ms, 'batch').length, 0);
    assert.equal(of(ms, 'done')[0]?.reason, 'error');
  });

  it('a one-unit output without sigmoid into binaryCrossentropy is refused with the sigmoid as fix', async () => {
    const file = variant(LOGITS, (t) => t.replace("units: 10, name: 'fc2'", "units: 1, name: 'fc2'").replace("loss: 'categoricalCrossentropy'", "loss: 'binaryCrossentropy'")
      .replace("limit: 256", "limit: 256, classes: [0, 1]"));
    const ms = await train({ file, backend: 'cpu', testLimit: 64 });
    const diagnosis = of(ms, 'diagnosis')[0];
    assert.equal(diagnosis?.code, 'logitsIntoProbabilityLoss');
    assert.deepEqual(diagnosis?.fixes, [{ kind: 'setActivation', title: "Add activation: 'sigmoid' to the last layer", layer: 'fc2', activation: 'sigmoid' }]);
  });

  it('with no loss written, a one-unit output without sigmoid is refused with the sigmoid and a regression\'s loss as fixes', async () => {
    const file = variant(LOGITS, (t) => t.replace("units: 10, name: 'fc2'", "units: 1, name: 'fc2'").replace(", loss: 'categoricalCrossentropy'", ''));
    const ms = await train({ file, backend: 'cpu', testLimit: 64 });
    const diagnosis = of(ms, 'diagnosis')[0];
    assert.equal(diagnosis?.code, 'logitsIntoProbabilityLoss');
    assert.match(diagnosis?.message ?? '', /binaryCrossentropy \(the default for 1 output unit\).*a regression.*meanSquaredError/);
    assert.deepEqual(diagnosis?.fixes.map((f) => [f.kind, f.kind === 'setActivation' ? f.activation : f.kind === 'setLoss' ? f.loss : null]),
      [['setActivation', 'sigmoid'], ['setLoss', 'meanSquaredError']]);
  });

  it('the same model trains with softmaxCrossEntropy, with no diagnosis about its output', async () => {
    const file = variant(LOGITS, (t) => t.replace("loss: 'categoricalCrossentropy'", "loss: 'softmaxCrossEntropy'"));
    const ms = await train({ file, backend: 'cpu', testLimit: 64 });
    assert.equal(of(ms, 'done')[0]?.reason, 'completed', JSON.stringify(of(ms, 'error')));
    assert.equal(of(ms, 'diagnosis').length, 0);
    assert.ok(of(ms, 'batch').every((b) => Number.isFinite(b.metrics.loss)));
  });
});

describe('a softmax before a loss that applies its own is a warning, and the run goes on', () => {
  it('reports it at the last layer after the model message, with the two fixes', async () => {
    const file = fixture('doctor/double-softmax.ts');
    const ms = await train({ file, backend: 'cpu', testLimit: 64 });
    const diagnosis = of(ms, 'diagnosis')[0];
    assert.equal(diagnosis?.code, 'softmaxBeforeLogitLoss');
    assert.equal(diagnosis?.severity, 'warning');
    assert.equal(diagnosis?.source?.line, lineOf(file, "activation: 'softmax', name: 'fc2'"));
    assert.deepEqual(diagnosis?.fixes.map((f) => [f.kind, f.kind === 'setActivation' ? f.activation : f.kind === 'setLoss' ? f.loss : null]),
      [['setActivation', null], ['setLoss', 'categoricalCrossentropy']]);
    assert.ok(ms.findIndex((m) => m.type === 'model') < ms.indexOf(diagnosis));
    assert.equal(of(ms, 'done')[0]?.reason, 'completed');
  });
});

describe('inputs far from normalised are reported against the normalize setting', () => {
  it('MNIST normalised with a tiny std: the figures as fed, and the normalize that fixes them', async () => {
    const file = variant(fixture('doctor/double-softmax.ts'), (t) => t.replace("loss: 'softmaxCrossEntropy'", "loss: 'categoricalCrossentropy'")
      .replace('normalize: { mean: 0.5, std: 0.5 }', 'normalize: { mean: 0, std: 0.01 }'));
    const ms = await train({ file, backend: 'cpu', testLimit: 64 });
    const diagnosis = of(ms, 'diagnosis').find((d) => d.code === 'inputsNotNormalised');
    assert.ok(diagnosis, JSON.stringify(of(ms, 'diagnosis')));
    assert.equal(diagnosis.source?.line, lineOf(file, 'normalize:'));
    const fix = diagnosis.fixes[0];
    assert.ok(fix?.kind === 'setNormalize');
    // MNIST's pixels in 0..1 have mean ≈ 0.13 and std ≈ 0.31 (the figures torchvision's tutorials use).
    assert.ok(Math.abs(fix.mean - 0.1307) < 0.02, String(fix.mean));
    assert.ok(Math.abs(fix.std - 0.3081) < 0.02, String(fix.std));
  });
});

describe('a non-finite loss at step 1 is told apart from divergence after updates', () => {
  it('before any update: says so, and does not blame the learning rate', async () => {
    const ms = await train({ file: fixture('doctor/overflow-init.ts'), backend: 'cpu', testLimit: 64 });
    const anomaly = of(ms, 'anomaly')[0] as AnomalyMessage | undefined;
    assert.ok(anomaly, JSON.stringify(of(ms, 'error')));
    assert.equal(anomaly.kind, 'nonFiniteBeforeUpdate');
    assert.equal(anomaly.step, 1);
    assert.match(anomaly.message, /before any update \(so not the learning rate\)/);
    assert.doesNotMatch(anomaly.message, /Lower the learning rate/);
  });

  it('after updates: says the training diverged and to lower the learning rate', async () => {
    const ms = await train({ file: fixture('train/diverge.ts'), backend: 'cpu', testLimit: 64 });
    const anomaly = of(ms, 'anomaly')[0] as AnomalyMessage | undefined;
    assert.ok(anomaly && anomaly.step > 1, JSON.stringify(anomaly));
    assert.notEqual(anomaly.kind, 'nonFiniteBeforeUpdate');
    assert.match(anomaly.message, /after \d+ updates?: the training diverged.*Lower the learning rate/);
  });
});

describe("the inputs' scale is read on the first training batch, for every kind of data", () => {
  const dirOf = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ml-scale-${prefix}-`));
  const scaleFinding = (ms: TrainerMessage[]) => of(ms, 'diagnosis').find((d) => d.code === 'inputsNotNormalised');
  function experiment(dir: string, inputShape: number[], settings: string): string {
    const file = path.join(dir, 'experiment.ts');
    fs.writeFileSync(file, "import * as tf from '@tensorflow/tfjs';\n\nexport default {\n" +
      `  model: () => tf.sequential({ layers: [${inputShape.length > 1 ? `tf.layers.flatten({ inputShape: [${inputShape.join(', ')}] }), ` : ''}` +
      `tf.layers.dense({ ${inputShape.length > 1 ? '' : `inputShape: [${inputShape[0]}], `}units: 4, activation: 'relu' }), ` +
      "tf.layers.dense({ units: 2, activation: 'softmax' })] }),\n" +
      `  ${settings}\n  training: { epochs: 1, batchSize: 8, seed: 1 },\n};\n`);
    return file;
  }
  /** Two classes of 12 RGB images, 6×6, with some texture. */
  function photos(dir: string): void {
    ['dark', 'light'].forEach((name, c) => {
      for (let i = 0; i < 12; i++) {
        const png = new PNG({ width: 6, height: 6 });
        for (let p = 0; p < 36; p++) png.data.set([40 + 150 * c + ((p * 7 + i) % 40), 60 + 100 * c + (p % 5) * 10, 90 + (p % 3) * 30, 255], p * 4);
        fs.mkdirSync(path.join(dir, 'photos', name), { recursive: true });
        fs.writeFileSync(path.join(dir, 'photos', name, `${i}.png`), PNG.sync.write(png));
      }
    });
  }

  it('a CSV table, standardised on its training split, passes', async () => {
    const dir = dirOf('csv');
    const lines = ['big,small,label', ...Array.from({ length: 80 }, (_, i) => `${1000 + i * 50},${(i % 9) * 0.001},${i % 2 ? 'odd' : 'even'}`)];
    fs.writeFileSync(path.join(dir, 'table.csv'), `${lines.join('\n')}\n`);
    const ms = await train({ file: experiment(dir, [2], "data: { dataset: 'csv', file: './table.csv', label: 'label' },"), backend: 'cpu' });
    assert.ok(of(ms, 'batch').length > 0, JSON.stringify(of(ms, 'error')));
    assert.equal(scaleFinding(ms), undefined, 'raw columns of 1000s and 0.001s are standardised before the model');
  });

  it('an image folder: passes scaled to 0..1 without normalize, and a per-channel normalize that shrinks them is named at its line with the one to use', async () => {
    const dir = dirOf('images');
    photos(dir);
    const plain = await train({ file: experiment(dir, [6, 6, 3], "data: { dataset: 'images', folder: './photos', size: [6, 6], channels: 3 },"), backend: 'cpu' });
    assert.ok(of(plain, 'batch').length > 0, JSON.stringify(of(plain, 'error')));
    assert.equal(scaleFinding(plain), undefined);
    const file = experiment(dir, [6, 6, 3],
      "data: { dataset: 'images', folder: './photos', size: [6, 6], channels: 3,\n    normalize: { mean: [0, 0, 0], std: [0.01, 0.01, 0.01] } },");
    const ms = await train({ file, backend: 'cpu' });
    const finding = scaleFinding(ms);
    assert.ok(finding, JSON.stringify(of(ms, 'diagnosis')));
    assert.equal(finding.source?.line, lineOf(file, 'normalize:'));
    assert.match(finding.message, /after normalize \{ mean: \[0, 0, 0\], std: \[0\.01, 0\.01, 0\.01\] \}/);
    // The blue channel's pixels are 90, 120 or 150 in every image: its mean is near 120 / 255.
    const suggested = /Set data\.normalize to \{ mean: \[([^\]]+)\], std: \[([^\]]+)\] \}/.exec(finding.message);
    assert.ok(suggested, finding.message);
    const means = suggested[1].split(', ').map(Number);
    assert.equal(means.length, 3);
    assert.ok(Math.abs(means[2] - 120 / 255) < 0.03, `blue mean ${means[2]}`);
    assert.ok(ms.indexOf(finding) < ms.findIndex((m) => m.type === 'batch'), 'said before step 1 is reported');
  });

  it('data() arrays of 0–255 pixels and a tf.data.Dataset of them are named at data, with the scaling to do in the code', async () => {
    const dir = dirOf('code');
    const arrays = "data: () => { const x = [], y = []; for (let i = 0; i < 32; i++) { x.push(Array.from({ length: 16 }, (_, j) => (i * 37 + j * 11) % 256)); " +
      "y.push(i % 2); } return { train: { x: x.map((r) => [r.slice(0, 4), r.slice(4, 8), r.slice(8, 12), r.slice(12)].map((row) => row.map((v) => [v]))), y } }; },";
    const file = experiment(dir, [4, 4, 1], arrays);
    const ms = await train({ file, backend: 'cpu' });
    const finding = scaleFinding(ms);
    assert.ok(finding, JSON.stringify(ms.filter((m) => m.type !== 'batch' && m.type !== 'log').map((m) => m.type === 'model' ? m.type : m)));
    assert.equal(finding.source?.line, lineOf(file, 'data:'));
    assert.match(finding.message, /mean 1\d\d\.?\d* and std \d+.*Scale them in data\(\).*divide by 255/);
    assert.deepEqual(finding.fixes, [], 'no setting to write: the fix is in the code');

    const dataset = "data: () => ({ train: tf.data.array(Array.from({ length: 32 }, (_, i) => i)).map((i) => " +
      "({ xs: tf.fill([4, 4, 1], (i * 53) % 256), ys: tf.oneHot(i % 2, 2) })) }),";
    const fromDataset = await train({ file: experiment(dirOf('tfdata'), [4, 4, 1], dataset), backend: 'cpu' });
    assert.equal(of(fromDataset, 'error').length, 0);
    assert.match(scaleFinding(fromDataset)?.message ?? '', /Scale them in data\(\).*divide by 255/);
  });

  it('data() token ids into an Embedding are looked up, not scaled: no finding', async () => {
    const dir = dirOf('tokens');
    const file = path.join(dir, 'experiment.ts');
    fs.writeFileSync(file, "import * as tf from '@tensorflow/tfjs';\n\nexport default {\n" +
      '  model: () => tf.sequential({ layers: [tf.layers.embedding({ inputDim: 50, outputDim: 4, inputLength: 6 }), ' +
      "tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })] }),\n" +
      '  data: () => { const x = [], y = []; for (let i = 0; i < 32; i++) { x.push(Array.from({ length: 6 }, (_, j) => 1 + ((i * 7 + j * 13) % 49))); ' +
      'y.push(x[i][0] < 25 ? 0 : 1); } return { train: { x, y } }; },\n' +
      '  training: { epochs: 1, batchSize: 8, seed: 1 },\n};\n');
    const ms = await train({ file, backend: 'cpu' });
    assert.ok(of(ms, 'batch').length > 0, JSON.stringify(of(ms, 'error')));
    assert.equal(scaleFinding(ms), undefined, 'ids of 1..49 (mean ≈ 25) are not features to normalise');
  });
});
