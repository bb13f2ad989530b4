// `npm run bench -- scripts`: what Model Lens's hooks on tfjs cost a user's script (`model-lens run`):
// samples/s of the same model.fit with the hooks installed (fit's callback, batch and epoch
// messages serialized as the trainer sends them, gradient figures at the default sampling) and
// without, in one process, alternating short measurements (the hooks are put in and taken out
// between them) so that a shared machine's load hits both alike.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { MessageCoalescer } from '../src/protocol/messageCoalescer';
import type { TrainerMessage } from '../src/protocol/messages';
import { chooseBackend } from '../src/trainer/backendChoice';
import { DEFAULT_GRADIENT_EVERY } from '../src/trainer/gradientStats';
import { instrumentModels } from '../src/trainer/script/fitHooks';
import { instrumentOptimizers } from '../src/trainer/script/gradientHooks';
import { instrumentLoops } from '../src/trainer/script/loopHooks';
import { SamplingBudget } from '../src/trainer/script/samplingBudget';
import { ScriptSession } from '../src/trainer/script/scriptSession';

const BATCH = 32;
/** Steps per measurement: one epoch of 6,400 samples, ten gradient intervals at the default sampling (a fit's own set-up is paid once per call, as in a script). */
const STEPS = 10 * DEFAULT_GRADIENT_EVERY;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 11);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function scriptsBench(): Promise<Record<string, unknown>> {
  // The backend a script run gets here (auto, the GPU left out as scripts leave it): the fastest step is where hooks weigh most.
  const { backend } = await chooseBackend('auto', ['webgpu']);
  let bytes = 0;
  const outbox = new MessageCoalescer<TrainerMessage>((ms) => { bytes += JSON.stringify(ms).length; }, 50);
  // As `model-lens run` without --gradient-every: the default interval, within the sampling budget.
  const session = new ScriptSession((m) => outbox.post(m), __filename, { locate: () => null }, DEFAULT_GRADIENT_EVERY,
    new SamplingBudget(DEFAULT_GRADIENT_EVERY, true));
  const xs = tf.randomNormal([BATCH * STEPS, 784], 0, 1, 'float32', 1);
  const ys = tf.oneHot(tf.randomUniform([BATCH * STEPS], 0, 10, 'int32', 2), 10);
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  /** Samples per second of wall time, and per second of this process's CPU time (steadier on a loaded machine: cpu and single-threaded wasm run on this thread). */
  const fitOnce = async (hooked: boolean): Promise<{ wall: number; cpu: number }> => {
    // All the hooks a script run installs (loopHooks patches the script's own copy of tf).
    const remove = hooked ? [instrumentModels(tf, session), instrumentOptimizers(tf, session), instrumentLoops(tf, { ...tf }, session)] : [];
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await model.fit(xs, ys, { epochs: 1, batchSize: BATCH });
    const c = process.cpuUsage(c0);
    const seconds = (performance.now() - t0) / 1000;
    for (const r of remove) r();
    return { wall: (BATCH * STEPS) / seconds, cpu: (BATCH * STEPS) / ((c.user + c.system) / 1e6) };
  };
  // Warm-up of both sides (kernels, first allocations, the figures' first compiles), so the rounds
  // compare steady states rather than the hooked side's first run against a warmed bare one.
  await fitOnce(false);
  await fitOnce(true);
  await fitOnce(true);
  const hooked: { wall: number; cpu: number }[] = [];
  const bare: { wall: number; cpu: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first so drift on a shared machine hits both alike.
    const order = round % 2 === 0 ? [true, false] : [false, true];
    for (const h of order) (h ? hooked : bare).push(await fitOnce(h));
  }
  const ratios = (key: 'wall' | 'cpu') => hooked.map((v, i) => v[key] / bare[i][key]);
  await outbox.flush();
  const tensors = tf.memory().numTensors;
  return {
    workload: `model.fit of a 784-128-10 MLP, ${STEPS} steps of batch ${BATCH}, SGD, ${backend} backend, ${ROUNDS} rounds of hooked and bare fits alternating in one process`,
    gradientEvery: DEFAULT_GRADIENT_EVERY,
    hookedSamplesPerSec: Math.round(median(hooked.map((v) => v.wall))),
    bareSamplesPerSec: Math.round(median(bare.map((v) => v.wall))),
    // The median of each round's paired ratio cancels a shared machine's drift better than a ratio of medians.
    ratio: Number(median(ratios('wall')).toFixed(3)),
    roundRatios: ratios('wall').map((r) => Number(r.toFixed(3))),
    hookedSamplesPerCpuSec: Math.round(median(hooked.map((v) => v.cpu))),
    bareSamplesPerCpuSec: Math.round(median(bare.map((v) => v.cpu))),
    cpuRatio: Number(median(ratios('cpu')).toFixed(3)),
    cpuRoundRatios: ratios('cpu').map((r) => Number(r.toFixed(3))),
    messageBytes: bytes,
    tensorsAfter: tensors,
    budget: 'ratio ≥ 0.97 (hooks cost at most 3% samples/s); cpuRatio is the same figure per CPU second, for a loaded machine',
    machine: `${os.cpus()[0]?.model ?? 'unknown'} × ${os.cpus().length}, node ${process.versions.node}, load average ${os.loadavg()[0].toFixed(1)}`,
  };
}
