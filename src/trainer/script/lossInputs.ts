// What a script's loss functions are given, judged from the values of a call: probabilities (a
// softmax's rows in [0, 1] summing to 1) into a loss that applies its own softmax, or values outside
// [0, 1] into one that reads probabilities. No tfjs: numbers in, a finding out.
import type { DiagnosisMessage } from '../../protocol/doctorMessages';
import type { SourceLocation } from '../../protocol/modelInfo';

/** How a tfjs loss function reads its predictions, and which argument holds them. */
export interface CheckedLoss {
  /** As the script writes it: `tf.losses.softmaxCrossEntropy`. */
  shown: string;
  /** `softmax`/`sigmoid`: it takes logits and applies this itself; `probabilities`: it reads them as they are. */
  reads: 'softmax' | 'sigmoid' | 'probabilities';
  /** The position of the predictions among its arguments. */
  argument: number;
}

/** The loss functions of `tf.losses` and `tf.metrics` whose inputs are checked, under the namespace and key that hold them. */
export const CHECKED_LOSSES: Record<'losses' | 'metrics', Record<string, CheckedLoss>> = {
  losses: {
    softmaxCrossEntropy: { shown: 'tf.losses.softmaxCrossEntropy', reads: 'softmax', argument: 1 },
    sigmoidCrossEntropy: { shown: 'tf.losses.sigmoidCrossEntropy', reads: 'sigmoid', argument: 1 },
    logLoss: { shown: 'tf.losses.logLoss', reads: 'probabilities', argument: 1 },
  },
  metrics: {
    categoricalCrossentropy: { shown: 'tf.metrics.categoricalCrossentropy', reads: 'probabilities', argument: 1 },
    binaryCrossentropy: { shown: 'tf.metrics.binaryCrossentropy', reads: 'probabilities', argument: 1 },
  },
};

export interface ValueRange {
  min: number;
  max: number;
  /** The largest |row sum − 1| over the rows (the last axis). */
  rowSumError: number;
  count: number;
  /** Whether a value was NaN or ±Infinity. */
  nonFinite: boolean;
}

/** min, max and how far the rows (of `rowLength` values each) are from summing to 1. */
export function valueRange(values: ArrayLike<number>, rowLength: number): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  let rowSumError = 0;
  let nonFinite = false;
  const row = Math.max(1, rowLength);
  for (let start = 0; start < values.length; start += row) {
    let sum = 0;
    for (let i = start; i < Math.min(start + row, values.length); i++) {
      const v = values[i];
      if (!Number.isFinite(v)) { nonFinite = true; continue; }
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    rowSumError = Math.max(rowSumError, Math.abs(sum - 1));
  }
  return { min, max, rowSumError, count: values.length, nonFinite };
}

/** Rows this close to summing to 1 are a softmax's (float32 sums of ten values are off by ~1e-7). */
const ROW_SUM_TOLERANCE = 1e-3;
/** Logits at initialisation are all in [0, 1] by chance only for very few values: fewer say nothing for a sigmoid. */
const SIGMOID_MIN_VALUES = 16;
const UNIT_TOLERANCE = 1e-6;

const shortNumber = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2));

/** The finding for one call of `loss` given `range`, at `source` (the script's line of the call); null when the values fit. */
export function judgeLossInput(loss: CheckedLoss, range: ValueRange, rowLength: number, source: SourceLocation | null): DiagnosisMessage | null {
  if (range.count === 0 || range.nonFinite) return null;
  const inUnit = range.min >= -UNIT_TOLERANCE && range.max <= 1 + UNIT_TOLERANCE;
  if (loss.reads === 'softmax' && inUnit && rowLength >= 2 && range.rowSumError <= ROW_SUM_TOLERANCE) {
    return finding('softmaxBeforeLogitLoss', 'warning', source,
      `${loss.shown} is given probabilities (each row in [0, 1], summing to 1: a softmax's output), and it applies its own softmax: ` +
      'the model trains on softmax(softmax(z)), whose gradients are flattened (PyTorch\'s nn.Softmax before CrossEntropyLoss). ' +
      'Pass the logits: the output before the softmax.');
  }
  if (loss.reads === 'sigmoid' && inUnit && range.count >= SIGMOID_MIN_VALUES && (rowLength < 2 || range.rowSumError > ROW_SUM_TOLERANCE)) {
    return finding('softmaxBeforeLogitLoss', 'warning', source,
      `${loss.shown} is given values that are all in [0, 1] (a sigmoid's output, it seems), and it applies its own sigmoid: ` +
      'the model trains on sigmoid(sigmoid(z)), whose gradients are flattened. Pass the logits: the output before the sigmoid.');
  }
  if (loss.reads === 'probabilities' && !inUnit) {
    return finding('logitsIntoProbabilityLoss', 'error', source,
      `${loss.shown} reads probabilities, but it is given values from ${shortNumber(range.min)} to ${shortNumber(range.max)} ` +
      '(logits: no softmax or sigmoid was applied), whose log is NaN or meaningless: the softmax is missing. ' +
      'Apply tf.softmax (tf.sigmoid for one unit) to the predictions, or pass the logits to tf.losses.softmaxCrossEntropy.');
  }
  return null;
}

function finding(code: DiagnosisMessage['code'], severity: DiagnosisMessage['severity'], source: SourceLocation | null, message: string): DiagnosisMessage {
  return { type: 'diagnosis', code, severity, step: null, layer: null, source, message, fixes: [] };
}
