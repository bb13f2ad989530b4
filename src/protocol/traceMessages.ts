// The `trace` message: one sample of one training step, followed forward through every layer, into
// the loss, backward through every layer from the output, and into the update. Every tensor travels
// as a TensorView, bounded in size whatever the layer's (so a trace stays tens of kilobytes).
import type { GradientHistogram } from './messages';
import { arrayOf, finite, integer, nullable, objectOf, optional, refine, string, type Check, type FieldChecks } from './validation';

/** Tensors with at most this many values travel whole; bigger ones as figures, a histogram and a corner. */
export const MAX_TRACE_VALUES = 512;
/** Feature maps: at most this many channels, each subsampled to at most this side. */
export const MAX_TRACE_MAPS = 8;
export const MAX_TRACE_MAP_SIDE = 32;
/** The top-left corner of a big matrix, at most this many rows and columns. */
export const MAX_TRACE_CORNER = 16;

/** One tensor of the traced sample (no batch axis): figures always, and the numbers when they are few. */
export interface TensorView {
  shape: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
  /** L2 norm over every value. */
  l2: number;
  /** How many values were not finite (they count as 0 in the figures). */
  nonFinite: number;
  /** Every value, row-major, when there are at most MAX_TRACE_VALUES. */
  values?: number[];
  /** The distribution of the values, when they are too many to list. */
  histogram?: GradientHistogram;
  /** A big matrix's top-left `rows` × `cols` values, row-major. */
  corner?: { rows: number; cols: number; values: number[] };
  /** An image-like tensor (height, width, channels): its first channels as maps, row-major, every `stride`th pixel. */
  maps?: { height: number; width: number; stride: number; channels: number; data: number[][] };
}

/** One weight tensor of a layer: this sample's gradient beside the batch's and the update they made. */
export interface TraceWeight {
  /** The weight's own name in its layer: kernel, bias, gamma, … */
  name: string;
  before: TensorView;
  /** dL/dW of the traced sample's own loss (its contribution to the batch mean is this / batchSize). */
  sampleGrad: TensorView;
  /** The batch-mean gradient, which the update uses. */
  batchGrad: TensorView;
  /** What the optimizer changed: after − before. */
  delta: TensorView;
  after: TensorView;
}

/** One layer of the chain, input to output. */
export interface TraceLayer {
  layer: string;
  /** tfjs class name: Dense, Conv2D, Flatten, MaxPooling2D, … */
  type: string;
  /** The layer's own activation (relu, softmax, …), shown as a step of its own; null for none or linear. */
  activation: string | null;
  frozen: boolean;
  input: TensorView;
  /** Before the activation (z): only for layers with an activation. */
  preActivation: TensorView | null;
  output: TensorView;
  /** Share of units ReLU lets through (output > 0), for relu layers. */
  activeShare: number | null;
  /** dL/d(output), from the layer after (or the loss). */
  dOutput: TensorView;
  /** dL/dz: dL/d(output) through the activation's local derivative; null without an activation. */
  dPreActivation: TensorView | null;
  /** dL/d(input): what goes on to the layer before. */
  dInput: TensorView;
  weights: TraceWeight[];
  /**
   * Only in a trace of a model that is not a chain (then `layers` are its calls in topological order):
   * where each input comes from (a layer's name as in `layers`, or a model input's), and which layers
   * read the output ('loss' for the model's output). Several consumers: dOutput is the sum of their paths.
   */
  sources?: string[];
  consumers?: string[];
  /** A merge layer's inputs and dL/d(input)s, one per source (`input`, `dInput` are the first). */
  inputs?: TensorView[];
  dInputs?: TensorView[];
}

export interface TraceLoss {
  name: string;
  value: number;
  /** The true class (classification), or null. */
  targetClass: number | null;
  /** The target row as the loss reads it (one-hot, index or value). */
  target: number[];
  prediction: number[];
  predictedClass: number | null;
  /** The last layer's input to softmax, when the model ends in softmax and the loss is a cross-entropy. */
  logits: number[] | null;
  /** dL/dz = p − y when `logits` are given, else dL/d(prediction). */
  outputGradient: number[];
}

export interface TraceMessage {
  type: 'trace';
  epoch: number;
  step: number;
  batch: number;
  batchSize: number;
  /**
   * The traced sample's position in its step's batch (from 0), and in the epoch's shuffled order
   * (from 0): not an index into the data set, whose order the shuffle hides.
   */
  sample: number;
  sampleIndex: number;
  lr: number;
  optimizer: string;
  /** The optimizer's update rule in words and symbols, e.g. "ΔW = −lr·g". */
  rule: string;
  /** Input to output (topological order); empty when the model's graph cannot be followed (then only the loss and `note`). */
  layers: TraceLayer[];
  /** The model inputs' names, in a trace of a model that is not a chain (layers' `sources` name them). */
  inputs?: string[];
  loss: TraceLoss;
  /** What the trace leaves out or shows differently from the step, or null. */
  note: string | null;
}

const bounded = (max: number): Check<number[]> => refine(arrayOf(finite), (v, p) => (v.length <= max ? null : `${p} has ${v.length} values (at most ${max})`));

export const tensorViewCheck: Check<TensorView> = objectOf<TensorView>({
  shape: arrayOf(integer), mean: finite, std: finite, min: finite, max: finite, l2: finite, nonFinite: integer,
  values: optional(bounded(MAX_TRACE_VALUES)),
  histogram: optional(objectOf({ min: finite, max: finite, counts: arrayOf(integer) })),
  corner: optional(objectOf({ rows: integer, cols: integer, values: bounded(MAX_TRACE_CORNER * MAX_TRACE_CORNER) })),
  maps: optional(objectOf({
    height: integer, width: integer, stride: integer, channels: integer,
    data: refine(arrayOf(bounded(MAX_TRACE_MAP_SIDE * MAX_TRACE_MAP_SIDE)), (v, p) => (v.length <= MAX_TRACE_MAPS ? null : `${p} has too many maps`)),
  })),
});

const weightCheck = objectOf<TraceWeight>({
  name: string, before: tensorViewCheck, sampleGrad: tensorViewCheck, batchGrad: tensorViewCheck, delta: tensorViewCheck, after: tensorViewCheck,
});

const layerCheck = objectOf<TraceLayer>({
  layer: string, type: string, activation: nullable(string), frozen: (v, p) => (typeof v === 'boolean' ? null : `${p} must be a boolean`),
  input: tensorViewCheck, preActivation: nullable(tensorViewCheck), output: tensorViewCheck, activeShare: nullable(finite),
  dOutput: tensorViewCheck, dPreActivation: nullable(tensorViewCheck), dInput: tensorViewCheck, weights: arrayOf(weightCheck),
  sources: optional(arrayOf(string)), consumers: optional(arrayOf(string)),
  inputs: optional(arrayOf(tensorViewCheck)), dInputs: optional(arrayOf(tensorViewCheck)),
});

const lossCheck = objectOf<TraceLoss>({
  name: string, value: finite, targetClass: nullable(integer), target: bounded(MAX_TRACE_VALUES), prediction: bounded(MAX_TRACE_VALUES),
  predictedClass: nullable(integer), logits: nullable(bounded(MAX_TRACE_VALUES)), outputGradient: bounded(MAX_TRACE_VALUES),
});

/** The checks of a trace message's fields (messageChecks.ts keys them under 'trace'). */
export const TRACE_FIELDS: FieldChecks<Omit<TraceMessage, 'type'>> = {
  epoch: integer, step: integer, batch: integer, batchSize: integer, sample: integer, sampleIndex: integer, lr: finite,
  optimizer: string, rule: string, layers: arrayOf(layerCheck), inputs: optional(arrayOf(string)), loss: lossCheck, note: nullable(string),
};
