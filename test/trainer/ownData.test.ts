// The user's own data through the trainer's real path (runTraining): CSV tables (classes and
// numbers), image folders, data() functions and tf.data.Datasets, on data these tests generate.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '../../src/data/seededRandom';
import type {
  EpochEndMessage, ErrorMessage, LogMessage, ModelMessage, RegressionMessage, SamplesMessage, SampleRowsMessage, TrainerMessage,
  TrainRequest,
} from '../../src/protocol/messages';
import { runTraining } from '../../src/trainer/trainingRun';
import { writeImage, type Rgb } from '../helpers/imageFiles';

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `ml-own-${prefix}-`));

async function train(file: string, onStep?: (step: number) => void, request: Partial<TrainRequest> = {}): Promise<TrainerMessage[]> {
  const messages: TrainerMessage[] = [];
  await runTraining({ file, backend: 'cpu', ...request }, (m) => messages.push(m), { stopRequested: false, onStep });
  return messages;
}

const ofType = <T extends TrainerMessage['type']>(ms: TrainerMessage[], type: T) =>
  ms.filter((m): m is Extract<TrainerMessage, { type: T }> => m.type === type);
const lastEpoch = (ms: TrainerMessage[]): EpochEndMessage => {
  const epochs = ofType(ms, 'epochEnd');
  assert.ok(epochs.length > 0, `no epoch ended: ${JSON.stringify(ofType(ms, 'error'))}`);
  return epochs[epochs.length - 1];
};
const errorOf = (ms: TrainerMessage[]): ErrorMessage => {
  const errors = ofType(ms, 'error');
  assert.equal(errors.length, 1, `expected one error, got ${JSON.stringify(ms.filter((m) => m.type !== 'log').slice(-3))}`);
  return errors[0];
};

/** An experiment file in `dir` with this model body and these settings (as source text). */
function experiment(dir: string, model: string, settings: string): string {
  const file = path.join(dir, 'experiment.ts');
  fs.writeFileSync(file, `import * as tf from '@tensorflow/tfjs';\n\nexport default {\n  model: () => ${model},\n  ${settings}\n};\n`);
  return file;
}

const mlp = (inputs: number, outputs: number, activation: string) =>
  `tf.sequential({ layers: [tf.layers.dense({ inputShape: [${inputs}], units: 16, activation: 'relu' }), tf.layers.dense({ units: ${outputs}${activation ? `, activation: '${activation}'` : ''} })] })`;

/** Three classes set apart by x1, x2 and a colour column (which agrees with the class), some cells empty. */
function classesCsv(dir: string, rows: number): { file: string; emptyRows: number[] } {
  const random = createRandom(7);
  const centres = [[-2, -2], [2, -2], [0, 2.5]];
  const colours = ['red', 'green', 'blue'];
  const lines = ['x1,x2,colour,species'];
  const emptyRows: number[] = [];
  for (let r = 0; r < rows; r++) {
    const c = r % 3;
    const x1 = (centres[c][0] + (random() - 0.5)).toFixed(3);
    const x2 = (centres[c][1] + (random() - 0.5)).toFixed(3);
    const empty = r % 50 === 7;
    if (empty) emptyRows.push(r + 2);
    lines.push([x1, empty ? '' : x2, colours[c], `kind-${'abc'[c]}`].join(','));
  }
  const file = path.join(dir, 'table.csv');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, emptyRows };
}

describe('a CSV table of classes trains through the trainer', () => {
  it('learns three separable classes with a categorical column, and reports the rows with missing cells', async () => {
    const dir = tmp('csv');
    const { emptyRows } = classesCsv(dir, 600);
    const file = experiment(dir, mlp(5, 3, 'softmax'),
      "data: { dataset: 'csv', file: './table.csv', label: 'species', categorical: ['colour'], testSplit: 0.25 },\n" +
      "  training: { epochs: 8, batchSize: 16, seed: 3, optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' },");
    const ms = await train(file);
    const model = ofType(ms, 'model')[0] as ModelMessage;
    assert.equal(model.dataset!.task, 'classification');
    assert.deepEqual(model.dataset!.classNames, ['kind-a', 'kind-b', 'kind-c']);
    assert.deepEqual(model.dataset!.featureNames, ['x1', 'x2', 'colour=blue', 'colour=green', 'colour=red']);
    assert.equal(model.dataset!.trainCount + model.dataset!.testCount, 600 - emptyRows.length, 'rows with a missing cell are dropped');
    assert.equal(model.plan!.stepsPerEpoch, Math.ceil(model.dataset!.trainCount / 16));
    const notes = ofType(ms, 'log').map((l: LogMessage) => l.message).join('\n');
    assert.match(notes, new RegExp(`left out ${emptyRows.length} of 600 rows with missing cells`));
    assert.match(notes, new RegExp(`rows ${emptyRows[0]}, ${emptyRows[1]}`), 'the first rows with a missing cell are named');
    const last = lastEpoch(ms);
    assert.ok(last.test!.accuracy >= 0.95, `test accuracy ${last.test?.accuracy}`);
    assert.equal(ofType(ms, 'batch').length, 8 * model.plan!.stepsPerEpoch, 'the steps the plan announced');
    const rows = ofType(ms, 'sampleRows')[0] as SampleRowsMessage;
    assert.deepEqual(rows.columns, ['x1', 'x2', 'colour', 'species']);
    assert.ok(ms.indexOf(rows) < ms.findIndex((m) => m.type === 'batch'), 'the sample rows come before step 1');
  });

  it('keeps tf.memory().numTensors flat across steps', async () => {
    const dir = tmp('csv-mem');
    classesCsv(dir, 900);
    const file = experiment(dir, mlp(5, 3, 'softmax'),
      "data: { dataset: 'csv', file: './table.csv', label: 'species', categorical: 'auto' },\n" +
      "  training: { epochs: 2, batchSize: 8, seed: 3, optimizer: { type: 'sgd', learningRate: 0.1 } },");
    const counts = new Map<number, number>();
    await train(file, (step) => { if (step === 5 || step === 150) counts.set(step, tf.memory().numTensors); });
    assert.equal(counts.size, 2);
    assert.equal(counts.get(150), counts.get(5));
  });

  it('plans OneCycle over the counted steps', async () => {
    const dir = tmp('csv-plan');
    classesCsv(dir, 300);
    const file = experiment(dir, mlp(5, 3, 'softmax'),
      "data: { dataset: 'csv', file: './table.csv', label: 'species', categorical: 'auto', missing: 'mean' },\n" +
      "  training: { epochs: 3, batchSize: 32, seed: 1, optimizer: { type: 'sgd', learningRate: 0.01 }, schedule: { type: 'oneCycle', maxLr: 0.1 } },");
    const ms = await train(file);
    const { plan, dataset } = ofType(ms, 'model')[0] as Required<ModelMessage>;
    assert.equal(dataset.trainCount + dataset.testCount, 300, "missing: 'mean' keeps every row");
    assert.equal(plan.totalSteps, 3 * Math.ceil(dataset.trainCount / 32));
    assert.equal(plan.plannedLr!.step[plan.plannedLr!.step.length - 1], plan.totalSteps);
    assert.equal(ofType(ms, 'batch').length, plan.totalSteps);
  });
});

describe('a CSV table of numbers trains as a regression', () => {
  it('reaches R² ≥ 0.9 on a linear target with noise, and reports MAE and R² instead of accuracy', async () => {
    const dir = tmp('regression');
    const random = createRandom(11);
    const lines = ['a,b,c,price'];
    for (let r = 0; r < 800; r++) {
      const [a, b, c] = [random() * 4 - 2, random() * 4 - 2, random() * 4 - 2];
      const noise = (random() - 0.5) * 0.6;
      lines.push([a, b, c, 3 * a - 2 * b + 0.5 * c + 1 + noise].map((v) => v.toFixed(4)).join(','));
    }
    fs.writeFileSync(path.join(dir, 'prices.csv'), `${lines.join('\n')}\n`);
    const file = experiment(dir, mlp(3, 1, ''),
      "data: { dataset: 'csv', file: './prices.csv', label: 'price' },\n" +
      "  training: { epochs: 10, batchSize: 16, seed: 5, optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'meanSquaredError' },");
    const ms = await train(file);
    const model = ofType(ms, 'model')[0] as ModelMessage;
    assert.equal(model.dataset!.task, 'regression');
    assert.deepEqual(model.dataset!.targetNames, ['price']);
    const last = lastEpoch(ms);
    assert.deepEqual(Object.keys(last.metrics).sort(), ['loss', 'mae']);
    assert.deepEqual(Object.keys(last.test!).sort(), ['loss', 'mae', 'r2']);
    assert.ok(last.test!.r2 >= 0.9, `R² ${last.test!.r2}`);
    const evaluation = ofType(ms, 'regression').at(-1) as RegressionMessage;
    assert.deepEqual(evaluation.test, last.test);
    assert.equal(evaluation.truth.length, evaluation.predicted.length);
    assert.ok(evaluation.truth.length > 0);
    // The reported figures agree with the points sent (the points are the whole test split here).
    const n = evaluation.truth.length;
    if (n === model.dataset!.testCount) {
      const mae = evaluation.truth.reduce((s, t, i) => s + Math.abs(evaluation.predicted[i] - t), 0) / n;
      assert.ok(Math.abs(mae - evaluation.test.mae) < 1e-4, `${mae} vs ${evaluation.test.mae}`);
    }
    assert.ok(ofType(ms, 'batch').every((b) => b.metrics.accuracy === undefined && typeof b.metrics.mae === 'number'));
  });

  it('says when the model does not end with one unit per target', async () => {
    const dir = tmp('regression-units');
    fs.writeFileSync(path.join(dir, 'prices.csv'), 'a,price\n1,2\n2,4\n3,6\n4,8\n5,10\n');
    const file = experiment(dir, mlp(1, 3, ''), "data: { dataset: 'csv', file: './prices.csv', label: 'price', testSplit: 0 },\n  training: { loss: 'mae' },");
    const error = errorOf(await train(file));
    assert.match(error.message, /ends with 3 output units but "csv" has 1 number to predict \(price\)/);
    assert.match(error.hint!, /dense\(\{ units: 1 \}\)/);
  });
});

describe('a numeric label under a cross-entropy loss points to regression', () => {
  it('says the label holds numbers and names meanSquaredError, for a softmax and for one sigmoid unit; never data.classes for a table', async () => {
    const dir = tmp('numeric-label');
    const random = createRandom(3);
    const rows = Array.from({ length: 60 }, () => [random(), random(), random() * 10 - 5].map((v) => v.toFixed(5)).join(','));
    fs.writeFileSync(path.join(dir, 'prices.csv'), `a,b,price\n${rows.join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'kinds.csv'), `a,b,kind\n${rows.map((r, i) => `${r.split(',').slice(0, 2).join(',')},k${i % 3}`).join('\n')}\n`);
    const data = "data: { dataset: 'csv', file: './prices.csv', label: 'price', testSplit: 0 },";
    for (const [units, activation] of [[10, 'softmax'], [1, 'sigmoid']] as const) {
      const error = errorOf(await train(experiment(dir, mlp(2, units, activation), data)));
      assert.match(error.message, /the label of "csv" holds numbers \(60 different values such as [-\d.]+, [-\d.]+, [-\d.]+\), which the default loss \w+ reads as 60 classes/);
      assert.match(error.hint!, /training\.loss: 'meanSquaredError'.*dense\(\{ units: 1 \}\)/);
      assert.doesNotMatch(error.hint!, /classes|data\./, 'fractions are no classes; nothing a table rejects');
    }
    const binary = errorOf(await train(experiment(dir, mlp(2, 1, 'sigmoid'), "data: { dataset: 'csv', file: './kinds.csv', label: 'kind' },")));
    assert.match(binary.message, /needs labels 0 and 1, but "csv" has 3 classes/);
    assert.doesNotMatch(binary.hint!, /data\.classes/, 'a CSV table rejects data.classes');
  });
});

describe("errors in the user's data name the file, row and column, or the image", () => {
  it('names the label column that is missing and the columns there are', async () => {
    const dir = tmp('err-label');
    classesCsv(dir, 30);
    const file = experiment(dir, mlp(5, 3, 'softmax'), "data: { dataset: 'csv', file: './table.csv', label: 'kind' },");
    const error = errorOf(await train(file));
    assert.match(error.message, /table\.csv/);
    assert.match(error.message + (error.hint ?? ''), /kind/);
    assert.match(error.message + (error.hint ?? ''), /species/);
    assert.ok(error.location, 'placed in the experiment');
    assert.equal(error.location!.line, fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes("label: 'kind'")) + 1);
  });

  it('names the row and column of a cell that is not a number', async () => {
    const dir = tmp('err-cell');
    fs.writeFileSync(path.join(dir, 't.csv'), 'a,b,y\n1,2,0\n3,oops,1\n5,6,0\n');
    const file = experiment(dir, mlp(2, 2, 'softmax'), "data: { dataset: 'csv', file: './t.csv', label: 'y' },");
    const error = errorOf(await train(file));
    assert.match(error.message, /t\.csv/);
    assert.match(error.message, /row 3/);
    assert.match(error.message, /column '?b'?/);
  });

  it('tells the input shape to use when the features do not fit the model', async () => {
    const dir = tmp('err-shape');
    classesCsv(dir, 30);
    const file = experiment(dir, mlp(4, 3, 'softmax'), "data: { dataset: 'csv', file: './table.csv', label: 'species', categorical: 'auto' },");
    const error = errorOf(await train(file));
    assert.match(error.message, /input shape \[4\] does not fit the "csv" data: 5 features \(x1, x2, colour=blue/);
    assert.match(error.hint!, /inputShape: \[5\]/);
    assert.equal(error.location!.line, 4, "at the model's first layer");
  });

  it('names an empty class folder and an unreadable image', async () => {
    const dir = tmp('err-images');
    writeImage(path.join(dir, 'photos', 'cat', 'a.png'), 8, 8, [200, 10, 10]);
    fs.mkdirSync(path.join(dir, 'photos', 'dog'));
    const conv = "tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 2, activation: 'softmax' })] })";
    const file = experiment(dir, conv, "data: { dataset: 'images', folder: './photos', size: [8, 8], channels: 3, testSplit: 0 },");
    assert.match(errorOf(await train(file)).message, /dog/);
    fs.writeFileSync(path.join(dir, 'photos', 'dog', 'b.png'), 'not a png');
    const error = errorOf(await train(file));
    assert.match(error.message, /photos[/\\]dog[/\\]b\.png/);
  });
});

const COLOURS: Rgb[] = [[220, 30, 30], [30, 200, 40], [20, 40, 230]];

describe('an image folder trains through the trainer', () => {
  it('learns three classes of RGB PNG and JPEG images of different sizes, and shows them un-normalised with their folder names', async () => {
    const dir = tmp('images');
    const names = ['apple', 'leaf', 'sky'];
    names.forEach((name, c) => {
      for (let i = 0; i < 10; i++) writeImage(path.join(dir, 'photos', name, `${i}.${i % 3 === 0 ? 'jpg' : 'png'}`), 12 + i, 10 + (i % 4) * 3, COLOURS[c]);
    });
    const model = "tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, activation: 'relu' }), " +
      "tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] })";
    const file = experiment(dir, model,
      "data: { dataset: 'images', folder: './photos', size: [8, 8], channels: 3, testSplit: 0.3, normalize: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } },\n" +
      "  training: { epochs: 6, batchSize: 4, seed: 2, optimizer: { type: 'adam', learningRate: 0.02 } },");
    const ms = await train(file);
    const info = (ofType(ms, 'model')[0] as ModelMessage).dataset!;
    assert.deepEqual(info.classNames, names);
    assert.deepEqual(info.inputShape, [8, 8, 3]);
    assert.ok(lastEpoch(ms).test!.accuracy >= 0.9, `test accuracy ${lastEpoch(ms).test?.accuracy}`);
    const samples = ofType(ms, 'samples') as SamplesMessage[];
    const before = samples[0];
    assert.equal(before.epoch, 0, 'a grid with labels before step 1');
    assert.ok(ms.indexOf(before) < ms.findIndex((m) => m.type === 'batch'));
    assert.deepEqual(before.predictions, []);
    assert.equal(before.channels, 3);
    // Pixels as the files have them (0–255 RGB), not normalised: the label's colour dominates.
    before.images!.forEach((b64, i) => {
      const px = Buffer.from(b64, 'base64');
      const mean = [0, 1, 2].map((ch) => px.filter((_v, j) => j % 3 === ch).reduce((s, v) => s + v, 0) / (px.length / 3));
      assert.equal(mean.indexOf(Math.max(...mean)), before.labels[i], `sample ${i} is ${names[before.labels[i]]}`);
      assert.ok(Math.max(...mean) > 150);
    });
    const after = samples.find((s) => s.epoch === 1)!;
    assert.equal(after.predictions.length, after.labels.length);
    assert.equal(after.probabilities!.length, after.labels.length);
    assert.ok(after.probabilities!.every((p) => p.length === 3 && Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-3));
  });
});

describe('the Data view before step 1 shows training samples with their labels', () => {
  it('data() arrays: the table rows and the image grid come from train, the first evaluation sends the test images', async () => {
    // Train values lie in [0, 1), test values in [10, 11): a row shows which split it came from.
    const rowsData = "data: () => { const x = [], y = [], tx = [], ty = []; for (let i = 0; i < 40; i++) { x.push([i / 40, 1 - i / 40]); y.push(i % 2); " +
      "tx.push([10 + i / 40, 10]); ty.push(i % 2); } return { train: { x, y }, test: { x: tx, y: ty } }; },\n" +
      "  training: { epochs: 1, batchSize: 8, seed: 1 },";
    const ms = await train(experiment(tmp('show-rows'), mlp(2, 2, 'softmax'), rowsData));
    const rows = ofType(ms, 'sampleRows')[0] as SampleRowsMessage;
    assert.ok(rows, `no sample rows: ${JSON.stringify(ofType(ms, 'error'))}`);
    assert.ok(ms.indexOf(rows) < ms.findIndex((m) => m.type === 'batch'));
    assert.deepEqual(rows.columns, ['x1', 'x2', 'label']);
    assert.ok(rows.rows.length > 0 && rows.rows.every((r) => Number(r[0]) < 1 && Number(r[1]) <= 1), JSON.stringify(rows.rows[0]));
    assert.deepEqual(rows.rows.map((r) => r[2]), rows.rows.map((_r, i) => String(i % 2)), 'each row with its label');

    // Train images are white with label 1, test images black with label 0.
    const imageData = "data: () => ({ train: { x: tf.ones([24, 4, 4, 1]), y: tf.oneHot(tf.fill([24], 1, 'int32'), 2) }, " +
      "test: { x: tf.zeros([8, 4, 4, 1]), y: tf.oneHot(tf.fill([8], 0, 'int32'), 2) } }),\n  training: { epochs: 2, batchSize: 8, seed: 1 },";
    const conv = "tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 2, activation: 'softmax' })] })";
    const grid = await train(experiment(tmp('show-images'), conv, imageData));
    const samples = ofType(grid, 'samples') as SamplesMessage[];
    const before = samples.find((m) => m.epoch === 0);
    assert.ok(before, `no grid before step 1: ${JSON.stringify(ofType(grid, 'error'))}`);
    assert.ok(grid.indexOf(before) < grid.findIndex((m) => m.type === "batch"));
    assert.ok(before.labels.length > 0 && before.labels.every((l) => l === 1));
    assert.ok(before.images!.every((b64) => [...Buffer.from(b64, 'base64')].every((p) => p === 255)), 'white: training images');
    const [first, second] = samples.filter((m) => m.epoch > 0);
    assert.ok(first.images!.every((b64) => [...Buffer.from(b64, 'base64')].every((p) => p === 0)), 'black: the test images predicted');
    assert.ok(first.labels.every((l) => l === 0));
    assert.equal(second.images, undefined, 'later evaluations leave the same images out');
  });

  it('an image folder with a test folder: the grid shows training images of several classes with their folder names', async () => {
    const dir = tmp('show-folder');
    const names = ['apple', 'leaf', 'sky'];
    names.forEach((name, c) => {
      for (let i = 0; i < 6; i++) writeImage(path.join(dir, 'photos', name, `${i}.png`), 8, 8, COLOURS[c]);
      // Test images are dim: a bright pixel in the grid before step 1 can only come from training.
      writeImage(path.join(dir, 'test', name, '0.png'), 8, 8, COLOURS[c].map((v) => Math.round(v / 8)) as [number, number, number]);
    });
    const model = "tf.sequential({ layers: [tf.layers.flatten({ inputShape: [8, 8, 3] }), tf.layers.dense({ units: 3, activation: 'softmax' })] })";
    const ms = await train(experiment(dir, model,
      "data: { dataset: 'images', folder: './photos', testFolder: './test', size: [8, 8], channels: 3 },\n  training: { epochs: 1, batchSize: 4, seed: 2 },"));
    const before = (ofType(ms, 'samples') as SamplesMessage[]).find((m) => m.epoch === 0);
    assert.ok(before, `no grid before step 1: ${JSON.stringify(ofType(ms, 'error'))}`);
    assert.equal(before.labels.length, 18);
    assert.ok(new Set(before.labels).size > 1, 'a mix of classes, as a training batch has');
    assert.deepEqual(before.classNames, names);
    before.images!.forEach((b64, i) => {
      const px = Buffer.from(b64, 'base64');
      const mean = [0, 1, 2].map((ch) => px.filter((_v, j) => j % 3 === ch).reduce((s, v) => s + v, 0) / (px.length / 3));
      assert.ok(Math.max(...mean) > 150, `sample ${i} is a bright training image`);
      assert.equal(mean.indexOf(Math.max(...mean)), before.labels[i], `sample ${i} is labelled ${names[before.labels[i]]}`);
    });
  });

  it('a CSV table: the rows before step 1 are training rows as written, with the label last', async () => {
    const dir = tmp('show-csv');
    const lines = ['x,y', ...Array.from({ length: 60 }, (_, i) => `${i},${2 * i + 1}`)];
    fs.writeFileSync(path.join(dir, 'table.csv'), `${lines.join('\n')}\n`);
    const ms = await train(experiment(dir, mlp(1, 1, ''),
      "data: { dataset: 'csv', file: './table.csv', label: 'y', testSplit: 0.5 },\n  training: { epochs: 1, batchSize: 8, seed: 1, loss: 'mse' },"));
    const rows = ofType(ms, 'sampleRows')[0] as SampleRowsMessage;
    assert.ok(rows, `no sample rows: ${JSON.stringify(ofType(ms, 'error'))}`);
    const { trainCount, testCount } = (ofType(ms, 'model')[0] as ModelMessage).dataset!;
    assert.deepEqual(rows.columns, ['x', 'y']);
    assert.equal(rows.rows.length, Math.min(32, trainCount));
    assert.ok(rows.rows.every((r) => Number(r[1]) === 2 * Number(r[0]) + 1), 'each row as written, with its own label');
    // The scatter holds every test target: none of them is among the rows shown.
    const tested = new Set((ofType(ms, 'regression')[0] as RegressionMessage).truth);
    assert.equal(tested.size, testCount);
    assert.ok(rows.rows.every((r) => !tested.has(Number(r[1]))), 'no test row among them');
  });
});

describe("data from the experiment's own code", () => {
  it('trains on data() returning nested arrays, and on async data() returning tensors, without leaking them', async () => {
    const dir = tmp('code');
    const arrays = "data: () => { const x = [], y = []; for (let i = 0; i < 200; i++) { const a = (i % 20) / 10 - 1, b = ((i * 7) % 20) / 10 - 1; x.push([a, b]); y.push(a + b > 0 ? 1 : 0); } " +
      "return { train: { x: x.slice(0, 160), y: y.slice(0, 160) }, test: { x: x.slice(160), y: y.slice(160) } }; },\n" +
      "  training: { epochs: 30, batchSize: 16, seed: 4, optimizer: { type: 'adam', learningRate: 0.05 } },";
    const fromArrays = await train(experiment(dir, mlp(2, 2, 'softmax'), arrays));
    assert.ok(lastEpoch(fromArrays).test!.accuracy >= 0.9, `arrays: ${lastEpoch(fromArrays).test?.accuracy}`);

    const tensors = "data: async () => { const [x, y] = tf.tidy(() => { const x = tf.randomUniform([300, 3], -1, 1, 'float32', 9); " +
      "return [x, tf.matMul(x, tf.tensor2d([[2], [-1], [0.5]]))]; }); globalThis.dataTensors = [x, y]; return { train: { x, y } }; },\n" +
      "  training: { epochs: 20, batchSize: 16, seed: 4, optimizer: { type: 'adam', learningRate: 0.02 }, loss: 'mse' },";
    const fromTensors = await train(experiment(tmp('code-t'), mlp(3, 1, ''), tensors));
    const last = lastEpoch(fromTensors);
    assert.equal(last.test, undefined, 'no test split given');
    assert.ok(last.metrics.mae < 0.2, `train MAE ${last.metrics.mae}`);
    const given = (globalThis as { dataTensors?: tf.Tensor[] }).dataTensors!;
    assert.equal(given.length, 2);
    assert.ok(given.every((t) => t.isDisposed), "data()'s tensors are disposed once read");
  });

  it('asks for training.stepsPerEpoch when a tf.data.Dataset has no known size, and trains with it', async () => {
    const dir = tmp('tfdata');
    const data = "data: () => ({ train: tf.data.generator(function* () { for (let i = 0; ; i++) { const a = ((i * 13) % 20) / 10 - 1; " +
      "yield { xs: tf.tensor1d([a, -a]), ys: tf.tensor1d([3 * a]) }; } }) }),";
    const unknown = errorOf(await train(experiment(dir, mlp(2, 1, ''), `${data}\n  training: { epochs: 1, loss: 'mse' },`)));
    assert.match(unknown.message, /size is unknown/);
    assert.match(unknown.hint!, /training\.stepsPerEpoch/);
    const ms = await train(experiment(dir, mlp(2, 1, ''), `${data}\n  training: { epochs: 4, batchSize: 8, stepsPerEpoch: 25, seed: 1, loss: 'mse', optimizer: { type: 'adam', learningRate: 0.02 } },`));
    const { plan, dataset } = ofType(ms, 'model')[0] as Required<ModelMessage>;
    assert.equal(plan.stepsPerEpoch, 25);
    assert.equal(dataset.sizes, 'train of unknown size, 0 test');
    assert.equal(ofType(ms, 'batch').length, 100);
    const epochs = ofType(ms, 'epochEnd');
    assert.ok(epochs[3].metrics.loss < epochs[0].metrics.loss, 'the loss falls');
    const rows = ofType(ms, 'sampleRows')[0] as SampleRowsMessage;
    assert.deepEqual(rows.columns, ['x1', 'x2', 'y'], 'the first training batch as a table before step 1');
    assert.equal(rows.rows.length, 8);
    assert.ok(rows.rows.every(([a, b, y]) => Number(b) === -Number(a) && Math.abs(Number(y) - 3 * Number(a)) < 1e-4), JSON.stringify(rows.rows[1]));
  });

  it('--limit and --test-limit keep that many samples of data() arrays and of a tf.data.Dataset', async () => {
    const dir = tmp('code-limit');
    const arrays = "data: () => { const x = [], y = []; for (let i = 0; i < 600; i++) { x.push([i / 600, 1 - i / 600]); y.push(i % 2); } " +
      "return { train: { x: x.slice(0, 500), y: y.slice(0, 500) }, test: { x: x.slice(500), y: y.slice(500) } }; },\n" +
      "  training: { epochs: 1, batchSize: 10, seed: 4 },";
    const fromArrays = await train(experiment(dir, mlp(2, 2, 'softmax'), arrays), undefined, { limit: 50, testLimit: 20 });
    const dataset = (ofType(fromArrays, 'model')[0] as ModelMessage).dataset!;
    assert.deepEqual([dataset.trainCount, dataset.testCount], [50, 20]);
    assert.equal(ofType(fromArrays, 'batch').length, 5);

    const tfData = "data: () => { const ds = (from, to) => tf.data.array(Array.from({ length: to - from }, (_, k) => from + k))" +
      ".map((i) => ({ xs: tf.tensor1d([i / 600, 1 - i / 600]), ys: tf.oneHot(i % 2, 2) })); return { train: ds(0, 500), test: ds(500, 600) }; },\n" +
      "  training: { epochs: 2, batchSize: 10, seed: 4 },";
    const fromDataset = await train(experiment(dir, mlp(2, 2, 'softmax'), tfData), undefined, { limit: 50, testLimit: 20 });
    const { plan, dataset: counted } = ofType(fromDataset, 'model')[0] as Required<ModelMessage>;
    assert.equal(plan.stepsPerEpoch, 5);
    assert.deepEqual([counted.trainCount, counted.testCount, counted.sizes], [50, 20, undefined], 'samples counted, not steps × batch size');
    assert.equal(ofType(fromDataset, 'batch').length, 10, '5 batches of 10 per epoch');
    const evaluations = ofType(fromDataset, 'evaluation');
    assert.equal(evaluations[evaluations.length - 1].confusion.flat().reduce((a, b) => a + b, 0), 20, 'the first 20 test samples');
  });
});
