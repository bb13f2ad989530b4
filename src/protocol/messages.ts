// Messages between the trainer process, the extension host and the webview. JSON only: numbers
// that can be non-finite (a diverged loss) travel as null.
import type { ModelGraph, ModelSummary, SourceLocation } from './modelInfo';
import type { ScheduleSpec } from './experimentSpec';
import type { ActivationsMessage, DiagnosisMessage } from './doctorMessages';
import type { Metrics } from './metricNames';
import type { TraceMessage } from './traceMessages';

export type { ActivationsMessage, DiagnosisFix, DiagnosisMessage, LayerActivation } from './doctorMessages';
export type { Metrics } from './metricNames';
export type { TraceMessage } from './traceMessages';

/** Every tfjs backend the trainer can run on, in the order `auto` tries them (fastest first). */
export const BACKEND_NAMES = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = typeof BACKEND_NAMES[number];

export interface ReadyMessage {
  type: 'ready';
  backend: BackendName;
  /** Why this backend: what was tried first and what failed. */
  reason: string;
  versions: { tfjs: string; node: string; modelLens: string };
}

export interface DatasetInfo {
  name: string;
  source: string;
  trainCount: number;
  testCount: number;
  inputShape: number[];
  /** What the model learns: classes (numClasses, classNames) or numbers (targetNames; numClasses 0). */
  task: 'classification' | 'regression';
  numClasses: number;
  classNames: string[];
  targetNames?: string[];
  /** A table's encoded input columns (`age`, `color=red`, ...). */
  featureNames?: string[];
  /**
   * The sizes as known when they are not counted in samples (a tf.data.Dataset's batches, or no size
   * at all), e.g. '10 batches of 50 train, 0 test': trainCount and testCount are then estimates.
   */
  sizes?: string;
}

export interface TrainingPlan {
  epochs: number;
  batchSize: number;
  stepsPerEpoch: number;
  totalSteps: number;
  gradientEvery: number;
  histogramEvery: number;
  optimizer: string;
  loss: string;
  seed: number;
  schedule: ScheduleSpec | null;
  /** The planned learning-rate schedule (null for schedules that depend on losses): see PlannedLr. */
  plannedLr: PlannedLr | null;
}

/**
 * A planned schedule as points of a line: the rate at `step[i]` is `lr[i]`, straight between points.
 * The points are both ends of every stretch where the rate stays the same (exact while that is at
 * most MAX_PLANNED_LR_POINTS points); a schedule that changes more often comes as the lowest and
 * highest rate of each of ~500 equal runs of steps, so the model message stays small however long
 * the run (a rate per step was ~10 bytes a step).
 */
export interface PlannedLr {
  step: number[];
  lr: number[];
}

export const MAX_PLANNED_LR_POINTS = 1000;

/**
 * A script's model: 1-based, in the order the script made or first trained its LayersModels, one id
 * per model object (two models of the same name differ). Experiments leave ids out.
 */
export type ModelId = number;

export interface ModelMessage {
  type: 'model';
  /** tfjs's name of the model (`sequential_1`, or the name the script gave). */
  name: string;
  /** Which of a script's models this belongs to (ModelId); experiments have one model and leave it out. */
  modelId?: ModelId;
  file: string;
  graph: ModelGraph;
  summary: ModelSummary;
  /** Layer name → where the user's source made it. */
  callSites: Record<string, SourceLocation>;
  /** The experiment's data and plan; a script's model has neither (its script decides both). */
  dataset?: DatasetInfo;
  plan?: TrainingPlan;
}

export interface EpochStartMessage {
  type: 'epochStart';
  /** Which of a script's models this belongs to (ModelId); experiments have one model and leave it out. */
  modelId?: ModelId;
  epoch: number;
  epochs: number;
  stepsPerEpoch: number;
  lr: number;
}

export interface BatchMessage {
  type: 'batch';
  /** Which of a script's models this belongs to (ModelId); experiments have one model and leave it out. */
  modelId?: ModelId;
  epoch: number;
  /** 1-based step over the whole run. */
  step: number;
  /** 1-based batch within the epoch. */
  batch: number;
  /** This batch's figures under the vocabulary of metricNames.ts: `{ loss, accuracy }`, `{ loss, mae }`... */
  metrics: Metrics;
  lr: number;
  samplesPerSec: number;
  elapsedSec: number;
}

export interface GradientHistogram {
  min: number;
  max: number;
  counts: number[];
}

export interface LayerGradient {
  layer: string;
  frozen: boolean;
  /** L2 norm of all of the layer's weight gradients; null when frozen or non-finite. */
  l2: number | null;
  meanAbs: number | null;
  maxAbs: number | null;
  /** ‖Δw‖ / ‖w‖ of this step's update. */
  updateRatio: number | null;
  histogram?: GradientHistogram;
}

export interface GradientsMessage {
  type: 'gradients';
  /** Which of a script's models this belongs to (ModelId); experiments have one model and leave it out. */
  modelId?: ModelId;
  epoch: number;
  step: number;
  layers: LayerGradient[];
}

export interface EpochEndMessage {
  type: 'epochEnd';
  /** Which of a script's models this belongs to (ModelId); experiments have one model and leave it out. */
  modelId?: ModelId;
  epoch: number;
  /** The epoch's training figures: the mean over its batches, weighted by their sizes. */
  metrics: Metrics;
  /** On the validation split (a script's validationSplit / validationData), when there is one. */
  val?: Metrics;
  /** On the test split after the epoch, when there is one. */
  test?: Metrics;
  /** The rate at the epoch's end, before a per-epoch schedule steps. */
  lr: number;
  epochSec: number;
  elapsedSec: number;
}

export interface EvaluationMessage {
  type: 'evaluation';
  epoch: number;
  /** The figures on the test split (as epochEnd's `test`). */
  test: Metrics;
  perClassAccuracy: (number | null)[];
  classNames: string[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
}

/** A regression's test figures after an epoch, and its first predictions against the truth. */
export interface RegressionMessage {
  type: 'regression';
  epoch: number;
  /** The test split's figures, as evaluation's: `{ loss, mae, r2 }` (R² = 1 − SS_res / SS_tot). */
  test: Metrics;
  /** The (first) target's name. */
  target: string;
  truth: number[];
  predicted: number[];
}

/** A table's first training rows as loaded (feature columns, then the label), before step 1. */
export interface SampleRowsMessage {
  type: 'sampleRows';
  columns: string[];
  rows: string[][];
}

export interface SamplesMessage {
  type: 'samples';
  /** 0: training samples sent before step 1, with labels and no predictions; later: the test samples, predicted after that epoch. */
  epoch: number;
  width: number;
  height: number;
  channels: number;
  /**
   * Each image's 0–255 pixels, row-major HWC, base64. Sent before step 1 (training images) and with
   * the first evaluation (test images): later ones (new predictions for the same test images) leave
   * it out, and `foldSamples` (runState.ts) carries the images over.
   */
  images?: string[];
  labels: number[];
  predictions: number[];
  /** Each sample's predicted probabilities per class (rounded), for the misclassified gallery. */
  probabilities?: number[][];
  classNames: string[];
}

export interface AnomalyMessage {
  type: 'anomaly';
  /** `nonFiniteBeforeUpdate`: the loss of step 1, before any update: the model or data, not the learning rate. */
  kind: 'nonFiniteLoss' | 'nonFiniteGradient' | 'nonFiniteBeforeUpdate';
  epoch: number;
  step: number;
  /** The first layer (input to output) whose gradient is not finite. */
  layer: string | null;
  source: SourceLocation | null;
  message: string;
}

/**
 * Custom scalars (`lens.log({ name: value })` in an experiment, `globalThis.modelLens?.log(...)` in
 * a script): drawn as charts of their own, by name, over `step`.
 */
export interface ScalarsMessage {
  type: 'scalars';
  /** The run's step when logged (the last batch's), or the count of log calls where no step is known. */
  step: number;
  values: Metrics;
}

export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn';
  message: string;
  /** What a script wrote to its stdout or stderr (`model-lens run --json`), as it came. */
  stream?: 'stdout' | 'stderr';
}

export interface ErrorMessage {
  type: 'error';
  message: string;
  location: SourceLocation | null;
  hint: string | null;
  /** What of the model was built before a layer call failed, the failing layer marked. */
  graph?: ModelGraph;
}

export interface DoneMessage {
  type: 'done';
  stopped: boolean;
  /** `inspected`: an inspection run (graph and summary, no training) ended. */
  reason: 'completed' | 'stopped' | 'anomaly' | 'error' | 'inspected';
  steps: number;
  elapsedSec: number;
  savedTo: string | null;
  /** A script's `check`: the training call it ran up to and was stopped at, before its first update (null: not located). */
  checkedUpTo?: SourceLocation | null;
}

/** The trainer waits between steps (a pause, the end of `step N`, or a traced step): `step` steps are done. */
export interface PausedMessage {
  type: 'paused';
  epoch: number;
  step: number;
}

/** The trainer goes on stepping after a pause. */
export interface ResumedMessage {
  type: 'resumed';
  step: number;
}

export type TrainerMessage =
  | ReadyMessage | ModelMessage | EpochStartMessage | BatchMessage | GradientsMessage | EpochEndMessage
  | EvaluationMessage | RegressionMessage | SampleRowsMessage | SamplesMessage | ScalarsMessage | AnomalyMessage | LogMessage | ErrorMessage | DoneMessage
  | TraceMessage | PausedMessage | ResumedMessage | ActivationsMessage | DiagnosisMessage;

/**
 * Trainer → the process that forked it, never relayed to a run's listeners: the user's code that
 * builds the model starts or has ended. Sent (and written) before that code runs, so the parent can
 * time it even when it blocks the trainer's event loop (src/trainerProcess).
 */
export interface BuildMessage {
  type: 'build';
  /** What runs now: the experiment file's top-level code, its model(), a model.json, its data(); null once done. */
  running: BuildStep | null;
  /** Where it is written (model()'s key in the experiment), null when not known or once built. */
  location: SourceLocation | null;
}

export type BuildStep = 'file' | 'model' | 'modelJson' | 'data';

/** What one IPC frame from the trainer may carry. */
export type TrainerProcessMessage = TrainerMessage | BuildMessage;

export interface TrainRequest {
  file: string;
  epochs?: number;
  batchSize?: number;
  limit?: number;
  testLimit?: number;
  backend?: BackendName | 'auto';
  /** Threads of the wasm backend (tfjs-wasm's threaded build): 0 (the default) all cores but one (all on ≤ 2); 1 tfjs's single-threaded build. */
  threads?: number;
  save?: string;
  /** Save (to `save` or the experiment's `training.save`) also when the run is stopped. */
  saveOnStop?: boolean;
  gradientEvery?: number;
  datasetFolder?: string;
  /** Build the model and report graph and summary only: no data, no training. */
  inspect?: boolean;
  /** The experiment file's text as the editor holds it (unsaved changes), read instead of the disk. */
  sourceText?: string;
  /** Inspection: rows and nested models listed down to this depth (torchinfo's and torchview's `depth`). */
  depth?: number;
  /** Inspection: also time each layer's forward pass on a small batch, when the model is small enough (a training run always does). */
  timeLayers?: boolean;
  /** The run's folder (the recording process made it): where `training.checkpoint` saves. */
  runDir?: string;
  /** Emit a `trace` of this step (1-based over the run) and go on training. */
  traceStep?: number;
  /** Which sample of the traced batch (0-based position; default 0). */
  traceSample?: number;
  /**
   * `file` is a plain tfjs script, run as under node with these arguments (its process.argv[2...]),
   * tfjs instrumented from outside; the trainer exits with the script's exit code.
   */
  script?: {
    args: string[];
    /** `model-lens check`: run only up to the first training call's first update, with the doctor, and stop there. */
    check?: boolean;
  };
}

/**
 * Host → trainer. `pause` waits before the next step; `resume` goes on; `step` runs `count` steps and
 * pauses again; `trace` traces step `step` (the next one when null) at batch position `sample` and
 * pauses after it, so the panel can walk it.
 */
export type TrainerCommand =
  | { type: 'start'; request: TrainRequest } | { type: 'stop' }
  | { type: 'pause' } | { type: 'resume' } | { type: 'step'; count: number }
  | { type: 'trace'; step: number | null; sample: number };
