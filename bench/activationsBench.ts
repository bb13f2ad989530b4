// `npm run bench -- activations`: samples/s of the course MLP with gradient figures at the default
// sampling, with and without activation statistics on the same sampled steps, interleaved in one process.
import * as os from 'node:os';
import * as path from 'node:path';
import type { TrainerMessage } from '../src/protocol/messages';
import { DEFAULT_GRADIENT_EVERY, runTraining } from '../src/trainer/trainingRun';

const ROOT = path.resolve(__dirname, '..', '..');
const BATCH = 128;
const WARMUP = 5;
const MEASURED = Number(process.env.BENCH_STEPS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

async function samplesPerSec(activationStats: boolean): Promise<{ samplesPerSec: number; backend: string }> {
  const times = new Map<number, number>();
  let backend = '?';
  await runTraining(
    { file: path.join(ROOT, 'examples', 'mnist-mlp.ts'), epochs: 1, limit: BATCH * (WARMUP + MEASURED), testLimit: 10, gradientEvery: DEFAULT_GRADIENT_EVERY },
    (m: TrainerMessage) => { if (m.type === 'ready') backend = m.backend; },
    { stopRequested: false, activationStats, onStep: (step) => { if (step === WARMUP || step === WARMUP + MEASURED) times.set(step, performance.now()); } },
  );
  const dt = ((times.get(WARMUP + MEASURED) ?? NaN) - (times.get(WARMUP) ?? NaN)) / 1000;
  return { samplesPerSec: (MEASURED * BATCH) / dt, backend };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function activationsBench(): Promise<Record<string, unknown>> {
  const withStats: number[] = [];
  const gradientsOnly: number[] = [];
  let backend = '?';
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first so drift on a shared machine hits both alike.
    for (const on of round % 2 === 0 ? [true, false] : [false, true]) {
      const r = await samplesPerSec(on);
      backend = r.backend;
      (on ? withStats : gradientsOnly).push(r.samplesPerSec);
    }
  }
  return {
    workload: `course MLP 784-512-128-10, batch ${BATCH}, SGD, gradient figures every ${DEFAULT_GRADIENT_EVERY} steps, ${MEASURED} steps after ${WARMUP} warm-up, ${ROUNDS} interleaved rounds`,
    backend,
    withActivationStatsSamplesPerSec: Math.round(median(withStats)),
    gradientFiguresOnlySamplesPerSec: Math.round(median(gradientsOnly)),
    // Median of the rounds' paired ratios (with / without): 1 - ratio is the cost of the activation figures.
    ratio: Number(median(withStats.map((v, i) => v / gradientsOnly[i])).toFixed(3)),
    roundRatios: withStats.map((v, i) => Number((v / gradientsOnly[i]).toFixed(3))),
    machine: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.versions.node}`,
  };
}
