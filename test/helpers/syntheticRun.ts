// A valid message stream of a small made-up run (no training): a 2-layer MLP's model message, then
// per step a batch, every `gradientEvery` steps gradient figures (with a histogram every
// `histogramEvery`), per epoch its end, an evaluation and samples, and the done message. For tests
// and benchmarks of what stores, lists and exports runs.
import type { ScheduleSpec } from '../../src/protocol/experimentSpec';
import type { ModelMessage, TrainerMessage } from '../../src/protocol/messages';
import type { SummaryRow } from '../../src/protocol/modelInfo';

export interface SyntheticRunOptions {
  epochs?: number;
  stepsPerEpoch?: number;
  gradientEvery?: number;
  histogramEvery?: number;
  schedule?: ScheduleSpec | null;
  name?: string;
  /** Leave out the done message (a run cut short). */
  withoutDone?: boolean;
  /** Stop after this many steps (mid-epoch). */
  stopAtStep?: number;
}

const LAYERS = ['fc1', 'fc2'];
const CLASSES = ['0', '1', '2'];

function row(name: string, type: string, depth: number, params: number): SummaryRow {
  return {
    name, type, depthIndex: depth ? `1-${name.slice(-1)}` : '', depth, parent: depth ? 'mlp' : null, inputShapes: [[null, 4]],
    outputShape: [null, 3], params, trainableParams: params, paramPercent: params ? 50 : 100, kernelShape: params ? [4, 3] : null,
    multAdds: params * 8, trainable: true, isContainer: depth === 0, source: null,
  };
}

export function syntheticModelMessage(o: SyntheticRunOptions = {}): ModelMessage {
  const epochs = o.epochs ?? 2;
  const stepsPerEpoch = o.stepsPerEpoch ?? 10;
  return {
    type: 'model', name: o.name ?? 'mlp', file: '/tmp/mlp.ts',
    graph: {
      nodes: [
        { id: 'in', kind: 'input', name: 'in', type: 'Input', parent: null, inputShapes: [], outputShape: [null, 4], params: 0, trainable: true, source: null },
        ...LAYERS.map((l) => ({ id: l, kind: 'layer' as const, name: l, type: 'Dense', parent: null, inputShapes: [[null, 4]], outputShape: [null, 3], params: 15, trainable: true, source: null })),
      ],
      edges: [{ from: 'in', to: 'fc1', shape: [null, 4] }, { from: 'fc1', to: 'fc2', shape: [null, 3] }],
    },
    summary: {
      model: 'mlp', batchSize: 8, depth: 3, layers: [row('mlp', 'Sequential', 0, 30), ...LAYERS.map((l) => row(l, 'Dense', 1, 15))],
      totals: { totalParams: 30, trainableParams: 30, nonTrainableParams: 0, multAdds: 240, inputBytes: 128, forwardBackwardBytes: 192, paramBytes: 120, totalBytes: 440 },
    },
    callSites: {},
    dataset: { name: 'synthetic', source: 'made up', trainCount: 8 * stepsPerEpoch, testCount: 30, inputShape: [4], task: 'classification', numClasses: 3, classNames: CLASSES },
    plan: {
      epochs, batchSize: 8, stepsPerEpoch, totalSteps: epochs * stepsPerEpoch, gradientEvery: o.gradientEvery ?? 5,
      histogramEvery: o.histogramEvery ?? 10, optimizer: 'sgd', loss: 'categoricalCrossentropy', seed: 1, schedule: o.schedule ?? null,
      plannedLr: null,
    },
  };
}

/** The loss of step `s`: falls, so a test can tell steps apart. */
export const syntheticLoss = (step: number) => 2 / (1 + 0.1 * step);
export const syntheticTestAccuracy = (epoch: number) => 0.5 + 0.1 * epoch;

export function syntheticRun(o: SyntheticRunOptions = {}): TrainerMessage[] {
  const model = syntheticModelMessage(o);
  const { epochs, stepsPerEpoch, gradientEvery, histogramEvery } = model.plan!;
  const messages: TrainerMessage[] = [
    { type: 'ready', backend: 'cpu', reason: 'made up', versions: { tfjs: '4.22.0', node: process.versions.node, modelLens: 'test' } },
    model,
  ];
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    messages.push({ type: 'epochStart', epoch, epochs, stepsPerEpoch, lr: 0.1 });
    for (let b = 1; b <= stepsPerEpoch; b++) {
      step++;
      const lr = 0.1 * 0.5 ** (epoch - 1);
      messages.push({ type: 'batch', epoch, step, batch: b, metrics: { loss: syntheticLoss(step), accuracy: 0.4 + step / 1000 }, lr, samplesPerSec: 800, elapsedSec: step * 0.01 });
      if (step === 1 || step % gradientEvery === 0) {
        messages.push({
          type: 'gradients', epoch, step, layers: LAYERS.map((layer, i) => ({
            layer, frozen: false, l2: 0.5 + i, meanAbs: 0.01, maxAbs: 0.2, updateRatio: 0.001,
            ...(step === 1 || step % histogramEvery === 0 ? { histogram: { min: -0.2, max: 0.2, counts: Array.from({ length: 30 }, (_, k) => 1 + Math.min(k, 29 - k)) } } : {}),
          })),
        });
      }
      if (o.stopAtStep === step) return messages;
    }
    const testAccuracy = syntheticTestAccuracy(epoch);
    const test = { loss: 1 / epoch, accuracy: testAccuracy };
    messages.push({ type: 'epochEnd', epoch, metrics: { loss: syntheticLoss(step), accuracy: 0.6 }, test, lr: 0.1, epochSec: 0.1, elapsedSec: step * 0.01 });
    messages.push({
      type: 'evaluation', epoch, test, perClassAccuracy: [testAccuracy, 0.5, null], classNames: CLASSES,
      confusion: [[9, 1, 0], [5, 5, 0], [0, 0, 0]],
    });
  }
  if (!o.withoutDone) messages.push({ type: 'done', stopped: false, reason: 'completed', steps: step, elapsedSec: step * 0.01, savedTo: null });
  return messages;
}
