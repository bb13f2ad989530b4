// The data suite through the trainer's real path: `dist/cli.js train --json` (planRun → DataSource →
// trainStep, the prefetch worker next to the bundle) on experiments that read the bench table.
// - rss: one epoch of the whole table (BENCH_DATA_RSS_ROWS: of N train rows, --limit's seeded subset;
//   the first pass reads it all anyway) streamed from the CSV; the peak RSS (VmHWM) of the trainer process, which the
//   CLI runs as its child, and of the CLI itself.
// - paired: samples/s of the same rows streamed from the CSV and from memory (a data() function that
//   returns them as typed arrays), runs alternating, each on the table's first PAIR_ROWS rows (a CSV
//   of those rows alone: --limit would pick a subset from the whole table, read to its end every
//   epoch); ratio = median of the per-pair ratios (streamed / memory).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const PAIRS = Number(process.env.BENCH_DATA_PAIRS ?? 3);
const PAIR_ROWS = Number(process.env.BENCH_DATA_PAIR_ROWS ?? 128 * 400);
/** Train rows of the RSS run (default: the whole table, one full epoch). */
const RSS_ROWS = process.env.BENCH_DATA_RSS_ROWS ? Number(process.env.BENCH_DATA_RSS_ROWS) : null;

const model = (width: number, classes: number) => `tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [${width}], units: 512, activation: 'relu' }),
    tf.layers.dense({ units: 128, activation: 'relu' }),
    tf.layers.dense({ units: ${classes}, activation: 'softmax' }),
  ] })`;
const TRAINING = "training: { epochs: 1, batchSize: 128, seed: 1, optimizer: { type: 'sgd', learningRate: 0.05 }, gradientEvery: 1000000 }";

/**
 * The experiments: the whole table streamed, its first `headRows` rows streamed (from a CSV of them
 * alone), and the same first rows parsed into memory by data().
 */
function experiments(table: string, width: number, classes: number, headRows: number): { dir: string; streamed: string; streamedHead: string; memory: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-bench-trainer-'));
  const head = path.join(dir, 'head.csv');
  fs.writeFileSync(head, `${fs.readFileSync(table, 'utf8').split('\n', headRows + 1).join('\n')}\n`);
  const streamedOf = (name: string, file: string) => {
    const experiment = path.join(dir, name);
    fs.writeFileSync(experiment, `import * as tf from '@tensorflow/tfjs';
export default {
  model: () => ${model(width, classes)},
  data: { dataset: 'csv', file: ${JSON.stringify(file)}, label: 'label', testSplit: 0 },
  ${TRAINING},
};
`);
    return experiment;
  };
  const streamed = streamedOf('streamed.ts', table);
  const streamedHead = streamedOf('streamed-head.ts', head);
  const memory = path.join(dir, 'memory.ts');
  fs.writeFileSync(memory, `import * as tf from '@tensorflow/tfjs';
import * as fs from 'node:fs';
export default {
  model: () => ${model(width, classes)},
  data: () => {
    const limit = Number(process.env.ML_BENCH_ROWS);
    const lines = fs.readFileSync(${JSON.stringify(table)}, 'utf8').split('\\n', limit + 1).slice(1);
    const x = new Float32Array(lines.length * ${width});
    const y = new Int32Array(lines.length);
    lines.forEach((line, r) => {
      const cells = line.split(',');
      for (let c = 0; c < ${width}; c++) x[r * ${width} + c] = Number(cells[c]) / 5.77;
      y[r] = Number(cells[${width}]);
    });
    return { train: { x, y } };
  },
  ${TRAINING},
};
`);
  return { dir, streamed, streamedHead, memory };
}

interface TrainerRun {
  samplesPerSec: number;
  steps: number;
  /** The trainer process (the CLI's child, dist/trainer.js). */
  peakRssMB: number;
  cliPeakRssMB: number;
  seconds: number;
}

/** VmHWM in bytes of process `pid` (0 once it has ended). */
function highWater(pid: number): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return hwm ? Number(hwm[1]) * 1024 : 0;
  } catch { return 0; }
}

/** The child processes of `pid` (empty once it has ended). */
function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch { return []; }
}

/**
 * One `model-lens train --json` process (`limit`: its --limit; `memoryRows`: the rows the memory
 * experiment's data() reads); its last batch's samples/s and its peak RSS (VmHWM).
 */
function runTrainer(file: string, limit: number | null, runsDir: string, memoryRows = 1e9): Promise<TrainerRun> {
  return new Promise((resolve, reject) => {
    const args = [CLI, 'train', file, '--json', '--backend', 'auto', '--dir', runsDir, ...(limit ? ['--limit', String(limit)] : [])];
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ML_BENCH_ROWS: String(memoryRows) } });
    let cliPeak = 0;
    let trainerPeak = 0;
    const readPeak = () => {
      cliPeak = Math.max(cliPeak, highWater(child.pid!));
      for (const trainer of childrenOf(child.pid!)) trainerPeak = Math.max(trainerPeak, highWater(trainer));
    };
    const sampler = setInterval(readPeak, 100);
    let rest = '';
    let last: { samplesPerSec: number; step: number } | null = null;
    let error: string | null = null;
    child.stdout.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!;
      for (const line of lines) {
        const m = JSON.parse(line) as { type: string; samplesPerSec?: number; step?: number; message?: string };
        if (m.type === 'batch') { last = { samplesPerSec: m.samplesPerSec!, step: m.step! }; readPeak(); }
        if (m.type === 'error') error = m.message!;
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(sampler);
      const final = last as { samplesPerSec: number; step: number } | null;
      if (code !== 0 || !final) return reject(new Error(`model-lens train ${path.basename(file)} exited with ${code}${error ? `: ${error}` : ''}`));
      if (trainerPeak === 0) return reject(new Error('the trainer process was never seen: its RSS is unmeasured'));
      resolve({
        samplesPerSec: Math.round(final.samplesPerSec), steps: final.step,
        peakRssMB: Math.round(trainerPeak / 1e6), cliPeakRssMB: Math.round(cliPeak / 1e6),
        seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function dataTrainerBench(table: string, width: number, classes: number): Promise<Record<string, unknown>> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run node esbuild.mjs first`);
  const { dir, streamed, streamedHead, memory } = experiments(table, width, classes, PAIR_ROWS);
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-bench-runs-'));
  const rss = await runTrainer(streamed, RSS_ROWS, runsDir);
  const pairs: { streamed: TrainerRun; memory: TrainerRun }[] = [];
  for (let i = 0; i < PAIRS; i++) {
    // Alternating which goes first, so a drift in the machine's load falls on both alike.
    const first = await runTrainer(i % 2 === 0 ? streamedHead : memory, null, runsDir, PAIR_ROWS);
    const second = await runTrainer(i % 2 === 0 ? memory : streamedHead, null, runsDir, PAIR_ROWS);
    pairs.push(i % 2 === 0 ? { streamed: first, memory: second } : { streamed: second, memory: first });
  }
  fs.rmSync(runsDir, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  const ratios = pairs.map((p) => p.streamed.samplesPerSec / p.memory.samplesPerSec);
  return {
    workload: `model-lens train --json: MLP ${width}-512-128-${classes}, batch 128, SGD; the CSV streamed (testSplit 0) vs the same rows from data()`,
    rss: { ...rss, trainRows: RSS_ROWS ?? 'all', budgetMB: 400 },
    paired: {
      rows: PAIR_ROWS,
      streamedSamplesPerSec: median(pairs.map((p) => p.streamed.samplesPerSec)),
      memorySamplesPerSec: median(pairs.map((p) => p.memory.samplesPerSec)),
      ratio: Number(median(ratios).toFixed(3)),
      pairRatios: ratios.map((r) => Number(r.toFixed(3))),
      memoryPeakRssMB: median(pairs.map((p) => p.memory.peakRssMB)),
      target: 0.7,
    },
  };
}
