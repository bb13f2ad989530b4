// `npm run bench -- data`: the streamed data pipeline on a generated CSV of BENCH_DATA_ROWS (default
// 2,000,000) rows × 10 numeric columns and a 3-class label.
// - childEpoch: a child process of this bench reads the table's first pass, then trains an MLP
//   10-512-128-3 for one whole epoch on batches streamed through the prefetch worker: its times, and
//   its peak RSS, which includes this whole bench bundle (the trainer's own RSS is trainer.rss).
// - pipeline: batches/s the stream delivers to a consumer that does nothing (worker and inline), the
//   same rows from memory, and the training step rates they feed (the course MLP 784-512-128-10 and
//   the table's MLP), so a later phase can check the stream never starves the step.
// - paired: samples/s training the table's MLP fed from memory and fed by the stream, interleaved
//   rounds in one process; ratio = median of the per-round ratios (streamed / memory).
// - trainer: the same through the trainer's real path (dataTrainerBench.ts). BENCH_DATA_PARTS picks
//   parts: 'pipeline,trainer' (default both).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { openCsvSource } from '../src/data/csvSource';
import type { Batch, DataSource } from '../src/data/dataSource';
import { memorySource } from '../src/data/memorySource';
import { createRandom } from '../src/data/seededRandom';
import { chooseBackend } from '../src/trainer/backendChoice';
import { dataTrainerBench } from './dataTrainerBench';

const ROOT = path.resolve(__dirname, '..', '..');
const WORKER = path.join(ROOT, 'dist', 'dataWorker.js');
const ROWS = Number(process.env.BENCH_DATA_ROWS ?? 2_000_000);
const COLUMNS = 10;
const BATCH = 128;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_STEPS = Number(process.env.BENCH_DATA_ROUND_STEPS ?? 300);
const PIPELINE_BATCHES = 3000;

/** The table, made once per size in the temp folder (about 100 bytes a row) and reused by later runs. */
function benchTable(rows: number): string {
  const dir = path.join(os.tmpdir(), 'model-lens-bench');
  const file = path.join(dir, `table-${rows}x${COLUMNS}.csv`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const random = createRandom(1);
  const fd = fs.openSync(`${file}.part`, 'w');
  fs.writeSync(fd, `${Array.from({ length: COLUMNS }, (_, i) => `f${i}`).join(',')},label\n`);
  let lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const values = Array.from({ length: COLUMNS }, () => random() * 20 - 10);
    const label = values[0] + values[1] > 3 ? 2 : values[0] - values[2] > 0 ? 1 : 0;
    lines.push(`${values.map((v) => v.toFixed(4)).join(',')},${label}`);
    if (lines.length === 10_000) {
      fs.writeSync(fd, `${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length) fs.writeSync(fd, `${lines.join('\n')}\n`);
  fs.closeSync(fd);
  fs.renameSync(`${file}.part`, file);
  return file;
}

const openTable = (file: string, prefetch: 'worker' | 'inline') =>
  openCsvSource({ dataset: 'csv', file, label: 'label' }, { baseDir: '/', seed: 1, task: 'classification' }, { prefetch, workerScript: WORKER });

function mlp(inputs: number, classes: number): tf.Sequential {
  return tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [inputs], units: 512, activation: 'relu' }),
    tf.layers.dense({ units: 128, activation: 'relu' }),
    tf.layers.dense({ units: classes, activation: 'softmax' }),
  ] });
}

/** One SGD step as the trainer takes it: forward, loss, backward, update, the loss read back. */
function trainStep(model: tf.Sequential, optimizer: tf.Optimizer, batch: Batch, width: number, classes: number): number {
  if (batch.kind !== 'classification') throw new Error('classification batches expected');
  const loss = tf.tidy(() => {
    const x = tf.tensor2d(batch.inputs, [batch.count, width]);
    const y = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), classes);
    return optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor), true)!;
  });
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}

/** Endless train batches of a source, epoch after epoch. */
async function* endless(source: DataSource): AsyncGenerator<Batch> {
  for (let epoch = 1; ; epoch++) yield* source.trainBatches(epoch, BATCH);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (from: number) => (performance.now() - from) / 1000;
const mb = (bytes: number) => Math.round(bytes / 1e6);

/** The child process: first pass, then one epoch trained on streamed batches; prints one JSON line. */
export async function dataStreamChild(file: string): Promise<void> {
  let peak = 0;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 50);
  const stage = (name: string) => { if (process.env.BENCH_DATA_VERBOSE) process.stderr.write(`${name}: rss ${mb(process.memoryUsage().rss)} MB, peak ${mb(peak)} MB\n`); };
  const { backend } = await chooseBackend('auto');
  stage('backend');
  const started = performance.now();
  const source = await openTable(file, 'worker');
  const scanSec = seconds(started);
  stage('first pass');
  const width = source.inputShape[0];
  const classes = source.task.kind === 'classification' ? source.task.classNames.length : 1;
  const model = mlp(width, classes);
  const optimizer = tf.train.sgd(0.05);
  const trainStarted = performance.now();
  let samples = 0;
  let steps = 0;
  const maxSteps = Number(process.env.BENCH_DATA_CHILD_STEPS ?? Infinity);
  for await (const batch of source.trainBatches(1, BATCH)) {
    trainStep(model, optimizer, batch, width, classes);
    samples += batch.count;
    if (++steps >= maxSteps) break;
    if (steps % 500 === 0) stage(`step ${steps}`);
  }
  const trainSec = seconds(trainStarted);
  await source.close();
  clearInterval(sampler);
  process.stdout.write(`${JSON.stringify({
    backend, trainRows: source.trainCount, testRows: source.testCount, scanSec: Number(scanSec.toFixed(1)), steps, trainSec: Number(trainSec.toFixed(1)),
    samplesPerSec: Math.round(samples / trainSec), peakRssMB: mb(Math.max(peak, process.resourceUsage().maxRSS * 1024)),
  })}\n`);
}

function runChild(file: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'main.js'), 'data-stream-child', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`data-stream-child exited with ${code}`))));
  });
}

/** Batches/s a do-nothing consumer gets from `batches` over `count` batches. */
async function batchRate(batches: AsyncIterator<Batch>, count: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) if ((await batches.next()).done) throw new Error('stream ended early');
  return count / seconds(started);
}

/** Steps/s of `model` on `batches` over `steps` steps. */
async function stepRate(batches: AsyncIterator<Batch>, steps: number, train: (b: Batch) => void): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    const next = await batches.next();
    if (next.done) throw new Error('stream ended early');
    train(next.value);
  }
  return steps / seconds(started);
}

const PARTS = (process.env.BENCH_DATA_PARTS ?? 'pipeline,trainer').split(',');

export async function dataBench(): Promise<Record<string, unknown>> {
  const file = benchTable(ROWS);
  const trainer = PARTS.includes('trainer') ? { trainer: await dataTrainerBench(file, COLUMNS, 3) } : {};
  if (!PARTS.includes('pipeline')) return trainer;
  const childEpoch = await runChild(file);

  const { backend } = await chooseBackend('auto');
  const streamed = await openTable(file, 'worker');
  const inline = await openTable(file, 'inline');
  const width = streamed.inputShape[0];
  const classes = streamed.task.kind === 'classification' ? streamed.task.classNames.length : 1;
  // The same train rows, in memory (as the arrays from a first pass would be).
  const inputs = new Float32Array(streamed.trainCount * width);
  const labels = new Int32Array(streamed.trainCount);
  let at = 0;
  for await (const b of inline.testBatches(1)) void b; // warms the file cache alike for both
  for await (const b of inline.trainBatches(1, 4096)) {
    if (b.kind !== 'classification') continue;
    inputs.set(b.inputs, at * width);
    labels.set(b.labels, at);
    at += b.count;
  }
  const memory = memorySource({
    name: 'memory', source: 'memory', inputShape: [width], task: streamed.task, seed: 1,
    train: { count: at, inputs, labels }, test: { count: 0, inputs: new Float32Array(0), labels: new Int32Array(0) },
  });

  const pipelineBatches = Math.min(PIPELINE_BATCHES, Math.floor(at / BATCH));
  const pipeline = {
    workerBatchesPerSec: Math.round(await batchRate(streamed.trainBatches(1, BATCH)[Symbol.asyncIterator](), pipelineBatches)),
    inlineBatchesPerSec: Math.round(await batchRate(inline.trainBatches(1, BATCH)[Symbol.asyncIterator](), pipelineBatches)),
    memoryBatchesPerSec: Math.round(await batchRate(memory.trainBatches(1, BATCH)[Symbol.asyncIterator](), pipelineBatches)),
    ...(await stepRates(width, classes)),
  };

  const model = mlp(width, classes);
  const optimizer = tf.train.sgd(0.05);
  const train = (b: Batch) => trainStep(model, optimizer, b, width, classes);
  const fromMemory = endless(memory);
  const fromStream = endless(streamed);
  await stepRate(fromMemory, 20, train); // warm-up: kernels compiled, worker started
  await stepRate(fromStream, 20, train);
  const memoryRates: number[] = [];
  const streamRates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ['memory', 'stream'] : ['stream', 'memory'];
    for (const which of order) {
      const rate = await stepRate(which === 'memory' ? fromMemory : fromStream, ROUND_STEPS, train);
      (which === 'memory' ? memoryRates : streamRates).push(rate * BATCH);
    }
  }
  await fromStream.return(undefined);
  await streamed.close();
  await inline.close();
  return {
    workload: `${ROWS.toLocaleString('en-US')} rows × ${COLUMNS} numeric columns + 3-class label, batch ${BATCH}, testSplit 0.2; MLP ${width}-512-128-${classes}, SGD`,
    backend,
    file: `${mb(fs.statSync(file).size)} MB`,
    childEpoch,
    pipeline,
    paired: {
      memorySamplesPerSec: Math.round(median(memoryRates)),
      streamedSamplesPerSec: Math.round(median(streamRates)),
      ratio: Number(median(streamRates.map((s, i) => s / memoryRates[i])).toFixed(3)),
      roundRatios: streamRates.map((s, i) => Number((s / memoryRates[i]).toFixed(3))),
      target: 0.7,
    },
    ...trainer,
    machine: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.versions.node}, load ${os.loadavg()[0].toFixed(1)}`,
  };
}

/** Training steps/s on random batches: the course MLP and the table's MLP, to compare the stream's rate with. */
async function stepRates(width: number, classes: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, inputs, units] of [['courseMlpStepsPerSec', 784, 10], ['tableMlpStepsPerSec', width, classes]] as const) {
    const model = mlp(inputs, units);
    const optimizer = tf.train.sgd(0.05);
    const random = createRandom(2);
    const batch: Batch = {
      kind: 'classification', count: BATCH, inputs: Float32Array.from({ length: BATCH * inputs }, () => random()),
      labels: Int32Array.from({ length: BATCH }, (_, i) => i % units),
    };
    const steps = (async function* () { for (;;) yield batch; })();
    await stepRate(steps, 10, (b) => trainStep(model, optimizer, b, inputs, units));
    out[name] = Math.round(await stepRate(steps, 200, (b) => trainStep(model, optimizer, b, inputs, units)));
    model.dispose();
    optimizer.dispose();
  }
  return out;
}
