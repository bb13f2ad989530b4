// The checks of every message that crosses into the host or the trainer, keyed by message type:
// `taggedUnion<TrainerMessage>` wants one field map per message type and `objectOf<T>` one check
// per field of T, so a message type or a field without its check does not compile.
import { DIAGNOSIS_CODES, type DiagnosisFix } from './doctorMessages';
import { LOSS_NAMES, SCHEDULE_TYPES } from './experimentSchema';
import type { LossName } from './experimentSpec';
import type { ScheduleSpec } from './experimentSpec';
import { BACKEND_NAMES, MAX_PLANNED_LR_POINTS, type GradientHistogram, type PlannedLr, type TrainerCommand, type TrainerMessage, type TrainerProcessMessage, type TrainRequest } from './messages';
import { MAX_METRICS, METRIC_NAME_PATTERN, type Metrics } from './metricNames';
import type { ModelGraph, Shape, SourceLocation, StackFrame } from './modelInfo';
import { TRACE_FIELDS } from './traceMessages';
import {
  arrayOf, boolean, either, finite, integer, literal, nullable, objectOf, optional, recordOf, refine, string, taggedUnion,
  type Check, type Checked, type FieldChecks, type TaggedFields,
} from './validation';

/** A script's model id (messages.ts ModelId): 1-based. */
const modelId = optional(refine(integer, (v, p) => (v >= 1 ? null : `${p} must be at least 1`)));
const shape: Check<Shape> = arrayOf(nullable(integer));
/** One tensor's shape, or a list of them (a layer with several outputs). */
const outputShape = either(shape, arrayOf(shape), 'a shape or a list of shapes');
const location = objectOf<SourceLocation>({ file: string, line: integer, column: integer });
const callStack = optional(arrayOf(objectOf<StackFrame>({ function: nullable(string), file: string, line: integer, column: integer })));

/** Nodes and edges, and every edge and parent pointing at a node that exists. */
const graphCheck = refine(
  objectOf<ModelGraph>({
    nodes: arrayOf(objectOf({
      id: string, kind: literal('input', 'layer', 'output', 'group'), name: string, type: string, parent: nullable(string),
      inputShapes: arrayOf(shape), outputShape, params: integer, trainable: boolean, source: nullable(location),
      callStack, groupBy: optional(literal('model', 'function', 'prefix')), failed: optional(boolean), facts: optional(recordOf(string)),
    })),
    edges: arrayOf(objectOf({ from: string, to: string, shape })),
  }),
  (g, p) => {
    const ids = new Set(g.nodes.map((n) => n.id));
    const dangling = g.edges.find((edge) => !ids.has(edge.from) || !ids.has(edge.to));
    if (dangling) return `${p}.edges has an edge ${dangling.from} → ${dangling.to} to a node that does not exist`;
    const orphan = g.nodes.find((n) => n.parent !== null && !ids.has(n.parent));
    if (orphan) return `${p}.nodes: ${orphan.id} names a parent ${orphan.parent} that does not exist`;
    return null;
  },
);

/**
 * The schedule a run follows: one the experiment schema knows (SCHEDULE_TYPES are the keys of its
 * kinds, one per member of the ScheduleSpec union); its fields were checked with the experiment.
 */
export const scheduleCheck = objectOf<ScheduleSpec>({ type: literal(...(SCHEDULE_TYPES as ScheduleSpec['type'][])) });

const plannedLr = refine(objectOf<PlannedLr>({ step: arrayOf(integer), lr: arrayOf(finite) }), ({ step, lr }, p) => {
  if (step.length !== lr.length) return `${p}.step and ${p}.lr must have the same length`;
  return step.length <= MAX_PLANNED_LR_POINTS ? null : `${p} must have at most ${MAX_PLANNED_LR_POINTS} points, got ${step.length}`;
});

const histogram = objectOf<GradientHistogram>({ min: finite, max: finite, counts: arrayOf(integer) });

/** For every kind of fix, the checks of its other fields. */
const FIX_CHECKS: { [K in DiagnosisFix['kind']]: FieldChecks<Omit<Extract<DiagnosisFix, { kind: K }>, 'kind'>> } = {
  setActivation: { title: string, layer: string, activation: nullable(string) },
  setLoss: { title: string, loss: literal(...(LOSS_NAMES as LossName[])) },
  setNormalize: { title: string, mean: finite, std: finite },
  setLearningRate: { title: string, learningRate: finite },
};

const diagnosisFix: Check<DiagnosisFix> = (v, p) => {
  const kind = v && typeof v === 'object' ? (v as { kind?: unknown }).kind : undefined;
  if (typeof kind !== 'string' || !Object.hasOwn(FIX_CHECKS, kind)) return `${p}.kind must be one of ${Object.keys(FIX_CHECKS).join(', ')}, got ${JSON.stringify(kind)}`;
  return objectOf<object>(FIX_CHECKS[kind as DiagnosisFix['kind']] as FieldChecks<object>)(v, p);
};

/**
 * Named figures: finite numbers under names a message may carry (the vocabulary's, an alias the
 * reducer renames, or a custom metric's own), at most MAX_METRICS of them.
 */
export const metricsCheck: Check<Metrics> = refine(recordOf(finite), (v, p) => {
  const names = Object.keys(v);
  if (names.length > MAX_METRICS) return `${p} must have at most ${MAX_METRICS} figures, got ${names.length}`;
  const bad = names.find((n) => !METRIC_NAME_PATTERN.test(n));
  return bad === undefined ? null : `${p} has a figure named ${JSON.stringify(bad.slice(0, 80))}: a name starts with a letter and has at most 64 letters, digits or _ . - /`;
});

/** Every trainer message type with the checks of its fields. */
export const TRAINER_MESSAGE_CHECKS: TaggedFields<TrainerMessage> = {
  ready: { backend: literal(...BACKEND_NAMES), reason: string, versions: objectOf({ tfjs: string, node: string, modelLens: string }) },
  model: {
    name: string, modelId, file: string, graph: graphCheck, callSites: recordOf(location),
    summary: objectOf({
      model: string, batchSize: integer, depth: integer,
      layers: arrayOf(objectOf({
        name: string, type: string, depthIndex: string, depth: integer, parent: nullable(string), inputShapes: arrayOf(shape),
        outputShape, params: integer, trainableParams: integer, paramPercent: finite, kernelShape: nullable(arrayOf(integer)),
        multAdds: finite, trainable: literal(true, false, 'partial'), isContainer: boolean, recursive: optional(boolean), source: nullable(location), callStack,
        activationBytes: optional(finite), facts: optional(recordOf(string)), forwardMs: optional(finite),
      })),
      totals: objectOf({
        totalParams: integer, trainableParams: integer, nonTrainableParams: integer, multAdds: finite, inputBytes: finite,
        forwardBackwardBytes: finite, paramBytes: finite, totalBytes: finite,
      }),
      timedSamples: optional(integer),
    }),
    dataset: optional(objectOf({
      name: string, source: string, trainCount: integer, testCount: integer, inputShape: arrayOf(integer),
      task: literal('classification', 'regression'), numClasses: integer, classNames: arrayOf(string),
      targetNames: optional(arrayOf(string)), featureNames: optional(arrayOf(string)), sizes: optional(string),
    })),
    plan: optional(objectOf({
      epochs: integer, batchSize: integer, stepsPerEpoch: integer, totalSteps: integer, gradientEvery: integer, histogramEvery: integer,
      optimizer: string, loss: string, seed: finite, schedule: nullable(scheduleCheck), plannedLr: nullable(plannedLr),
    })),
  },
  epochStart: { modelId, epoch: integer, epochs: integer, stepsPerEpoch: integer, lr: finite },
  batch: { modelId, epoch: integer, step: integer, batch: integer, metrics: metricsCheck, lr: finite, samplesPerSec: finite, elapsedSec: finite },
  gradients: {
    modelId, epoch: integer, step: integer,
    layers: arrayOf(objectOf({
      layer: string, frozen: boolean, l2: nullable(finite), meanAbs: nullable(finite), maxAbs: nullable(finite), updateRatio: nullable(finite),
      histogram: optional(histogram),
    })),
  },
  activations: {
    epoch: integer, step: integer,
    layers: arrayOf(objectOf({
      layer: string, activation: string, mean: nullable(finite), std: nullable(finite), deadShare: nullable(finite),
      saturatedShare: nullable(finite), histogram: optional(histogram),
    })),
  },
  diagnosis: {
    code: literal(...DIAGNOSIS_CODES), severity: literal('error', 'warning'), step: nullable(integer), layer: nullable(string),
    source: nullable(location), message: string, fixes: arrayOf(diagnosisFix),
  },
  epochEnd: {
    modelId, epoch: integer, metrics: metricsCheck, val: optional(metricsCheck), test: optional(metricsCheck),
    lr: finite, epochSec: finite, elapsedSec: finite,
  },
  evaluation: {
    epoch: integer, test: metricsCheck, perClassAccuracy: arrayOf(nullable(finite)), classNames: arrayOf(string),
    confusion: arrayOf(arrayOf(integer)),
  },
  regression: {
    epoch: integer, test: metricsCheck, target: string, truth: arrayOf(finite), predicted: arrayOf(finite),
  },
  sampleRows: { columns: arrayOf(string), rows: arrayOf(arrayOf(string)) },
  samples: {
    epoch: integer, width: integer, height: integer, channels: integer, images: optional(arrayOf(string)), labels: arrayOf(integer),
    predictions: arrayOf(integer), probabilities: optional(arrayOf(arrayOf(finite))), classNames: arrayOf(string),
  },
  scalars: { step: integer, values: metricsCheck },
  anomaly: {
    kind: literal('nonFiniteLoss', 'nonFiniteGradient', 'nonFiniteBeforeUpdate'), epoch: integer, step: integer, layer: nullable(string),
    source: nullable(location), message: string,
  },
  log: { level: literal('info', 'warn'), message: string, stream: optional(literal('stdout', 'stderr')) },
  error: { message: string, location: nullable(location), hint: nullable(string), graph: optional(graphCheck) },
  done: {
    stopped: boolean, reason: literal('completed', 'stopped', 'anomaly', 'error', 'inspected'), steps: integer, elapsedSec: finite,
    savedTo: nullable(string), checkedUpTo: optional(nullable(location)),
  },
  trace: TRACE_FIELDS,
  paused: { epoch: integer, step: integer },
  resumed: { step: integer },
};

export const checkTrainerMessage: (value: unknown) => Checked<TrainerMessage> = taggedUnion<TrainerMessage>('trainer message', TRAINER_MESSAGE_CHECKS);

/** What only the trainer's parent reads (BuildMessage), besides the run's messages. */
const checkTrainerProcessMessage = taggedUnion<TrainerProcessMessage>('trainer message', {
  ...TRAINER_MESSAGE_CHECKS,
  build: { running: nullable(literal('file', 'model', 'modelJson', 'data')), location: nullable(location) },
});

/** Most messages one IPC frame may carry (the trainer coalesces ~50 ms of them: messageCoalescer.ts). */
export const MAX_FRAME_MESSAGES = 10_000;

/** One IPC frame from the trainer: a lone message as itself, several as an array, in order. */
export function trainerFrame<M extends TrainerProcessMessage>(messages: M[]): M | M[] {
  return messages.length === 1 ? messages[0] : messages;
}

/** The messages of one IPC frame from the trainer: the valid ones, and why the others are not. */
export function checkTrainerFrame(value: unknown): { messages: TrainerProcessMessage[]; errors: string[] } {
  const items = Array.isArray(value) ? value : [value];
  if (items.length > MAX_FRAME_MESSAGES) return { messages: [], errors: [`a frame of ${items.length} messages (at most ${MAX_FRAME_MESSAGES})`] };
  const messages: TrainerProcessMessage[] = [];
  const errors: string[] = [];
  for (const item of items) {
    const checked = checkTrainerProcessMessage(item);
    if (checked.ok) messages.push(checked.value);
    else errors.push(checked.error);
  }
  return { messages, errors };
}

const positive = refine(integer, (v, p) => (v >= 1 ? null : `${p} must be ≥ 1`));
const nonNegative = refine(integer, (v, p) => (v >= 0 ? null : `${p} must be ≥ 0`));

export const TRAINER_COMMAND_CHECKS: TaggedFields<TrainerCommand> = {
  start: {
    request: objectOf<TrainRequest>({
      file: string, epochs: optional(positive), batchSize: optional(positive), limit: optional(positive),
      testLimit: optional(positive), backend: optional(literal('auto', ...BACKEND_NAMES)), threads: optional(nonNegative), save: optional(string),
      saveOnStop: optional(boolean),
      gradientEvery: optional(positive), datasetFolder: optional(string), inspect: optional(boolean), timeLayers: optional(boolean), sourceText: optional(string),
      depth: optional(nonNegative), runDir: optional(string), script: optional(objectOf({ args: arrayOf(string), check: optional(boolean) })),
      traceStep: optional(positive), traceSample: optional(nonNegative),
    }),
  },
  stop: {},
  pause: {},
  resume: {},
  step: { count: positive },
  trace: { step: nullable(positive), sample: nonNegative },
};

export const checkTrainerCommand: (value: unknown) => Checked<TrainerCommand> = taggedUnion<TrainerCommand>('trainer command', TRAINER_COMMAND_CHECKS);

/** The commands that hold or step a running trainer (the panel's step through sends them through the host). */
export type StepCommand = Extract<TrainerCommand, { type: 'pause' | 'resume' | 'step' | 'trace' }>;

export const checkStepCommand: (value: unknown) => Checked<StepCommand> = taggedUnion<StepCommand>('step command', {
  pause: TRAINER_COMMAND_CHECKS.pause, resume: TRAINER_COMMAND_CHECKS.resume, step: TRAINER_COMMAND_CHECKS.step, trace: TRAINER_COMMAND_CHECKS.trace,
});
