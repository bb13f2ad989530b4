// `npm run bench -- scripts`: what Model Lens's hooks on tfjs cost a user's script (`model-lens run`):
// samples/s of the same model.fit with the hooks installed (fit's callback, batch and epoch
// messages serialized as the trainer sends them, gradient figures at the default sampling) and
// without, each in a fresh process (the hooks patch tfjs's classes for good), rounds interleaved.
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { MessageCoalescer } from '../src/protocol/messageCoalescer';
import type { TrainerMessage } from '../src/protocol/messages';
import { DEFAULT_GRADIENT_EVERY } from '../src/trainer/gradientStats';
import { instrumentModels } from '../src/trainer/script/fitHooks';
import { instrumentOptimizers } from '../src/trainer/script/gradientHooks';
import { ScriptSession } from '../src/trainer/script/scriptSession';

const SAMPLES = 1024;
const BATCH = 64;
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/** One measurement in this process: 'hooked' installs the hooks first. Prints samples/s. */
export async function scriptsBenchChild(mode: string): Promise<void> {
  tf.env().set('PROD', true); // no tfjs-node banner
  await tf.setBackend('cpu');
  let bytes = 0;
  if (mode === 'hooked') {
    const outbox = new MessageCoalescer<TrainerMessage>((ms) => { bytes += JSON.stringify(ms).length; }, 50);
    const session = new ScriptSession((m) => outbox.post(m), __filename, () => null, DEFAULT_GRADIENT_EVERY);
    instrumentModels(tf, session);
    instrumentOptimizers(tf, session);
  }
  const xs = tf.randomNormal([SAMPLES, 784], 0, 1, 'float32', 1);
  const ys = tf.oneHot(tf.randomUniform([SAMPLES], 0, 10, 'int32', 2), 10);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  await model.fit(xs, ys, { epochs: 1, batchSize: BATCH }); // warm-up
  const t0 = performance.now();
  await model.fit(xs, ys, { epochs: EPOCHS, batchSize: BATCH });
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ samplesPerSec: (SAMPLES * EPOCHS) / seconds, bytes }));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(mode: 'hooked' | 'bare'): number {
  const out = execFileSync(process.execPath, [__filename, 'scripts-child', mode], { encoding: 'utf8' });
  return (JSON.parse(out) as { samplesPerSec: number }).samplesPerSec;
}

export async function scriptsBench(): Promise<Record<string, unknown>> {
  const hooked: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first so drift on a shared machine hits both alike.
    const order: ('hooked' | 'bare')[] = round % 2 === 0 ? ['hooked', 'bare'] : ['bare', 'hooked'];
    for (const mode of order) (mode === 'hooked' ? hooked : bare).push(measure(mode));
  }
  return {
    workload: `model.fit of a 784-128-10 MLP on ${SAMPLES} random samples, batch ${BATCH}, SGD, ${EPOCHS} epochs after 1 warm-up, cpu backend, ${ROUNDS} interleaved rounds, one process per measurement`,
    gradientEvery: DEFAULT_GRADIENT_EVERY,
    hookedSamplesPerSec: Math.round(median(hooked)),
    bareSamplesPerSec: Math.round(median(bare)),
    // The median of each round's paired ratio cancels a shared machine's drift better than a ratio of medians.
    ratio: Number(median(hooked.map((v, i) => v / bare[i])).toFixed(3)),
    roundRatios: hooked.map((v, i) => Number((v / bare[i]).toFixed(3))),
    budget: 'ratio ≥ 0.97 (hooks cost at most 3% samples/s)',
    machine: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.versions.node}`,
  };
}
