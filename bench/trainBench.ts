// `npm run bench -- train`: samples/s of the course MLP with full instrumentation (gradient figures
// at the default sampling, histograms, update ratios) and with none, interleaved in one process.
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerMessage } from '../src/protocol/messages';
import { DEFAULT_GRADIENT_EVERY, runTraining } from '../src/trainer/trainingRun';

const ROOT = path.resolve(__dirname, '..', '..');
const BATCH = 128;
const WARMUP = 5;
const MEASURED = Number(process.env.BENCH_STEPS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

async function samplesPerSec(gradientEvery: number): Promise<{ samplesPerSec: number; backend: string }> {
  const times = new Map<number, number>();
  let backend = '?';
  await runTraining(
    { file: path.join(ROOT, 'examples', 'mnist-mlp.ts'), epochs: 1, limit: BATCH * (WARMUP + MEASURED), testLimit: 10, gradientEvery },
    (m: TrainerMessage) => { if (m.type === 'ready') backend = m.backend; },
    { stopRequested: false, onStep: (step) => { if (step === WARMUP || step === WARMUP + MEASURED) times.set(step, performance.now()); } },
  );
  const dt = ((times.get(WARMUP + MEASURED) ?? NaN) - (times.get(WARMUP) ?? NaN)) / 1000;
  return { samplesPerSec: (MEASURED * BATCH) / dt, backend };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function trainBench(): Promise<Record<string, unknown>> {
  const instrumented: number[] = [];
  const bare: number[] = [];
  let backend = '?';
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first so drift on a shared machine hits both alike.
    const order = round % 2 === 0 ? ['instrumented', 'bare'] : ['bare', 'instrumented'];
    for (const mode of order) {
      const r = await samplesPerSec(mode === 'instrumented' ? DEFAULT_GRADIENT_EVERY : Number.MAX_SAFE_INTEGER);
      backend = r.backend;
      (mode === 'instrumented' ? instrumented : bare).push(r.samplesPerSec);
    }
  }
  return {
    workload: `course MLP 784-512-128-10, batch ${BATCH}, SGD, ${MEASURED} steps after ${WARMUP} warm-up, ${ROUNDS} interleaved rounds`,
    backend,
    gradientEvery: DEFAULT_GRADIENT_EVERY,
    instrumentedSamplesPerSec: Math.round(median(instrumented)),
    bareSamplesPerSec: Math.round(median(bare)),
    // Each round pairs the two modes back to back; the median of those paired ratios cancels the
    // drift of a shared machine better than a ratio of medians.
    ratio: Number(median(instrumented.map((v, i) => v / bare[i])).toFixed(3)),
    ratioOfMedians: Number((median(instrumented) / median(bare)).toFixed(3)),
    roundRatios: instrumented.map((v, i) => Number((v / bare[i]).toFixed(3))),
    machine: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.versions.node}`,
  };
}
