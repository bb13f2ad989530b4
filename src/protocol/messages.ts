// Messages between the trainer process, the extension host and the webview. JSON only: numbers
// that can be non-finite (a diverged loss) travel as null.
import type { ModelGraph, ModelSummary, SourceLocation } from './modelInfo';
import type { ScheduleSpec } from './experimentSpec';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

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

export interface ModelMessage {
  type: 'model';
  name: string;
  file: string;
  graph: ModelGraph;
  summary: ModelSummary;
  /** Layer name → where the user's source made it. */
  callSites: Record<string, SourceLocation>;
  dataset: DatasetInfo;
  plan: TrainingPlan;
}

export interface EpochStartMessage {
  type: 'epochStart';
  epoch: number;
  epochs: number;
  stepsPerEpoch: number;
  lr: number;
}

export interface BatchMessage {
  type: 'batch';
  epoch: number;
  /** 1-based step over the whole run. */
  step: number;
  /** 1-based batch within the epoch. */
  batch: number;
  loss: number;
  /** Classes: the batch's accuracy; null for numbers, which have `mae` (named metrics: `accuracy`, `mae`). */
  accuracy: number | null;
  mae?: number;
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
  epoch: number;
  step: number;
  layers: LayerGradient[];
}

export interface EpochEndMessage {
  type: 'epochEnd';
  epoch: number;
  trainLoss: number;
  /** Null for numbers (regression), which have the MAE and R² below instead. */
  trainAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
  trainMae?: number;
  testMae?: number | null;
  testR2?: number | null;
  lr: number;
  epochSec: number;
  elapsedSec: number;
}

export interface EvaluationMessage {
  type: 'evaluation';
  epoch: number;
  testLoss: number;
  testAccuracy: number;
  perClassAccuracy: (number | null)[];
  classNames: string[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
}

/** A regression's test figures after an epoch, and its first predictions against the truth. */
export interface RegressionMessage {
  type: 'regression';
  epoch: number;
  testLoss: number;
  /** Named metrics `mae` and `r2` (R² = 1 − SS_res / SS_tot). */
  mae: number;
  r2: number;
  /** The (first) target's name. */
  target: string;
  truth: number[];
  predicted: number[];
}

/** A table's first test rows as the file has them (feature columns, then the label), before step 1. */
export interface SampleRowsMessage {
  type: 'sampleRows';
  columns: string[];
  rows: string[][];
}

export interface SamplesMessage {
  type: 'samples';
  /** 0: sent before step 1, with labels and no predictions yet. */
  epoch: number;
  width: number;
  height: number;
  channels: number;
  /**
   * Each image's 0–255 pixels, row-major HWC, base64. Sent with a run's first samples message only:
   * later ones (new predictions for the same images, every epoch) leave it out, and `foldSamples`
   * (runState.ts) carries the images over.
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
  kind: 'nonFiniteLoss' | 'nonFiniteGradient';
  epoch: number;
  step: number;
  /** The first layer (input to output) whose gradient is not finite. */
  layer: string | null;
  source: SourceLocation | null;
  message: string;
}

export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn';
  message: string;
}

export interface ErrorMessage {
  type: 'error';
  message: string;
  location: SourceLocation | null;
  hint: string | null;
}

export interface DoneMessage {
  type: 'done';
  stopped: boolean;
  /** `inspected`: an inspection run (graph and summary, no training) ended. */
  reason: 'completed' | 'stopped' | 'anomaly' | 'error' | 'inspected';
  steps: number;
  elapsedSec: number;
  savedTo: string | null;
}

export type TrainerMessage =
  | ReadyMessage | ModelMessage | EpochStartMessage | BatchMessage | GradientsMessage | EpochEndMessage
  | EvaluationMessage | RegressionMessage | SampleRowsMessage | SamplesMessage | AnomalyMessage | LogMessage | ErrorMessage | DoneMessage;

/**
 * Trainer → the process that forked it, never relayed to a run's listeners: the user's code that
 * builds the model starts or has ended. Sent (and written) before that code runs, so the parent can
 * time it even when it blocks the trainer's event loop (src/trainerProcess).
 */
export interface BuildMessage {
  type: 'build';
  /** What runs now: the experiment file's top-level code, its model(), a model.json; null once built. */
  running: BuildStep | null;
  /** Where it is written (model()'s key in the experiment), null when not known or once built. */
  location: SourceLocation | null;
}

export type BuildStep = 'file' | 'model' | 'modelJson';

/** What one IPC frame from the trainer may carry. */
export type TrainerProcessMessage = TrainerMessage | BuildMessage;

export interface TrainRequest {
  file: string;
  epochs?: number;
  batchSize?: number;
  limit?: number;
  testLimit?: number;
  backend?: BackendName | 'auto';
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
}

export type TrainerCommand = { type: 'start'; request: TrainRequest } | { type: 'stop' };
