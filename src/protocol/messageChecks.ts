import { MAX_PLANNED_LR_POINTS, type TrainerCommand, type TrainerMessage } from './messages';
import type { ModelGraph } from './modelInfo';
import {
  all, anything, arrayOf, boolean, checkTagged, finite, integer, literal, nullable, object, optional, recordOf, string,
  type Check, type Checked,
} from './validation';

const shape = arrayOf(nullable(integer));
const plannedLrCheck = all(object({ step: arrayOf(integer), lr: arrayOf(finite) }), (v, p) => {
  const { step, lr } = v as { step: number[]; lr: number[] };
  if (step.length !== lr.length) return `${p}.step and ${p}.lr must have the same length`;
  return step.length <= MAX_PLANNED_LR_POINTS ? null : `${p} must have at most ${MAX_PLANNED_LR_POINTS} points, got ${step.length}`;
});
const location = object({ file: string, line: integer, column: integer });

const graphNode = object({
  id: string, kind: literal('input', 'layer', 'output', 'group'), name: string, type: string, parent: nullable(string),
  inputShapes: arrayOf(shape), outputShape: arrayOf(anything), params: integer, trainable: boolean, source: nullable(location),
});

/** Nodes and edges, and every edge and parent pointing at a node that exists. */
export const graphCheck: Check = (v, p) => {
  const e = object({ nodes: arrayOf(graphNode), edges: arrayOf(object({ from: string, to: string, shape })) })(v, p);
  if (e) return e;
  const g = v as ModelGraph;
  const ids = new Set(g.nodes.map((n) => n.id));
  const dangling = g.edges.find((edge) => !ids.has(edge.from) || !ids.has(edge.to));
  if (dangling) return `${p}.edges has an edge ${dangling.from} → ${dangling.to} to a node that does not exist`;
  const orphan = g.nodes.find((n) => n.parent !== null && !ids.has(n.parent));
  if (orphan) return `${p}.nodes: ${orphan.id} names a parent ${orphan.parent} that does not exist`;
  return null;
};

const summaryRow = object({
  name: string, type: string, depthIndex: string, depth: integer, parent: nullable(string), inputShapes: arrayOf(shape),
  outputShape: arrayOf(anything), params: integer, trainableParams: integer, paramPercent: finite,
  kernelShape: nullable(arrayOf(integer)), multAdds: finite, trainable: literal(true, false, 'partial'),
});
const summaryCheck = object({
  model: string, batchSize: integer, layers: arrayOf(summaryRow),
  totals: object({
    totalParams: integer, trainableParams: integer, nonTrainableParams: integer, multAdds: finite, inputBytes: finite,
    forwardBackwardBytes: finite, paramBytes: finite, totalBytes: finite,
  }),
});

const layerGradient = object({
  layer: string, frozen: boolean, l2: nullable(finite), meanAbs: nullable(finite), maxAbs: nullable(finite),
  updateRatio: nullable(finite),
  histogram: optional(object({ min: finite, max: finite, counts: arrayOf(integer) })),
});

const MESSAGE_CHECKS: Record<string, Check> = {
  ready: object({ backend: literal('tensorflow', 'wasm', 'cpu'), reason: string, versions: object({ tfjs: string, node: string, modelLens: string }) }),
  model: object({
    name: string, file: string, graph: graphCheck, summary: summaryCheck, callSites: recordOf(location),
    dataset: object({ name: string, source: string, trainCount: integer, testCount: integer, inputShape: arrayOf(integer), numClasses: integer, classNames: arrayOf(string) }),
    plan: object({
      epochs: integer, batchSize: integer, stepsPerEpoch: integer, totalSteps: integer, gradientEvery: integer, histogramEvery: integer,
      optimizer: string, loss: string, seed: finite, schedule: nullable(object({ type: string })), plannedLr: nullable(plannedLrCheck),
    }),
  }),
  epochStart: object({ epoch: integer, epochs: integer, stepsPerEpoch: integer, lr: finite }),
  batch: object({ epoch: integer, step: integer, batch: integer, loss: finite, accuracy: finite, lr: finite, samplesPerSec: finite, elapsedSec: finite }),
  gradients: object({ epoch: integer, step: integer, layers: arrayOf(layerGradient) }),
  epochEnd: object({
    epoch: integer, trainLoss: finite, trainAccuracy: finite, testLoss: nullable(finite), testAccuracy: nullable(finite),
    lr: finite, epochSec: finite, elapsedSec: finite,
  }),
  evaluation: object({
    epoch: integer, testLoss: finite, testAccuracy: finite, perClassAccuracy: arrayOf(nullable(finite)), classNames: arrayOf(string),
    confusion: arrayOf(arrayOf(integer)),
  }),
  samples: object({
    epoch: integer, width: integer, height: integer, channels: integer, images: optional(arrayOf(string)), labels: arrayOf(integer),
    predictions: arrayOf(integer), classNames: arrayOf(string),
  }),
  anomaly: object({
    kind: literal('nonFiniteLoss', 'nonFiniteGradient'), epoch: integer, step: integer, layer: nullable(string),
    source: nullable(location), message: string,
  }),
  log: object({ level: literal('info', 'warn'), message: string }),
  error: object({ message: string, location: nullable(location), hint: nullable(string) }),
  done: object({
    stopped: boolean, reason: literal('completed', 'stopped', 'anomaly', 'error', 'inspected'), steps: integer, elapsedSec: finite,
    savedTo: nullable(string),
  }),
};

export function checkTrainerMessage(value: unknown): Checked<TrainerMessage> {
  return checkTagged<TrainerMessage>(value, MESSAGE_CHECKS, 'trainer message');
}

/** Most messages one IPC frame may carry (the trainer bundles ~50 ms of them: MessageBundler). */
export const MAX_FRAME_MESSAGES = 10_000;

/** One IPC frame from the trainer: a message, or an array of them in order. The valid ones, and why the others are not. */
export function checkTrainerFrame(value: unknown): { messages: TrainerMessage[]; errors: string[] } {
  const items = Array.isArray(value) ? value : [value];
  if (items.length > MAX_FRAME_MESSAGES) return { messages: [], errors: [`a frame of ${items.length} messages (at most ${MAX_FRAME_MESSAGES})`] };
  const messages: TrainerMessage[] = [];
  const errors: string[] = [];
  for (const item of items) {
    const checked = checkTrainerMessage(item);
    if (checked.ok) messages.push(checked.value);
    else errors.push(checked.error);
  }
  return { messages, errors };
}

const positive = all(integer, (v, p) => ((v as number) >= 1 ? null : `${p} must be ≥ 1`));

const COMMAND_CHECKS: Record<string, Check> = {
  start: object({
    request: object({
      file: string, epochs: optional(positive), batchSize: optional(positive), limit: optional(positive),
      testLimit: optional(positive), backend: optional(literal('auto', 'tensorflow', 'wasm', 'cpu')), save: optional(string),
      saveOnStop: optional(boolean),
      gradientEvery: optional(positive), datasetFolder: optional(string), inspect: optional(boolean), sourceText: optional(string),
    }),
  }),
  stop: object({}),
};

export function checkTrainerCommand(value: unknown): Checked<TrainerCommand> {
  return checkTagged<TrainerCommand>(value, COMMAND_CHECKS, 'trainer command');
}
