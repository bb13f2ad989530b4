import * as tf from '@tensorflow/tfjs';
import { UserError } from '../model/userError';

/** How labels are fed: one-hot rows, class indices, a 0/1 column; or for a number target, the numbers. */
export type TargetKind = 'oneHot' | 'index' | 'binary';

export interface LossDefinition {
  name: string;
  /** How class labels are fed (a regression's targets go in as they are). */
  targets: TargetKind;
  /** Whether the model's output is read as probabilities (Keras's losses) or as logits (softmaxCrossEntropy). */
  expects: 'probabilities' | 'logits' | 'values';
  /** MSE and MAE read numbers from a table or arrays (a bundled set's classes go in one-hot). */
  regression: boolean;
  /** Mean loss over the batch. */
  fn: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;
  /** Per-sample losses, for evaluation sums. */
  perSample: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor1D;
}

const mean = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.mean(f(a, b)) as tf.Scalar;
const perSample = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.reshape(f(a, b), [-1]) as tf.Tensor1D;
const mse = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.square(tf.sub(a, b)), -1);
const mae = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.abs(tf.sub(a, b)), -1);
// Cross-entropy as -log(probability of the true class), without Keras's clipping of p to
// [1e-7, 1 - 1e-7]: like PyTorch, a run that diverges shows a non-finite loss and gradient instead of
// a network that silently died at loss 16.1 with all-zero gradients.
const categoricalCe = (a: tf.Tensor, b: tf.Tensor) => tf.neg(tf.log(tf.sum(tf.mul(a, b), -1)));
const sparseCe = (a: tf.Tensor, b: tf.Tensor) =>
  categoricalCe(tf.oneHot(tf.cast(tf.reshape(a, [-1]), 'int32'), b.shape[b.rank - 1]), b);
// From logits, as PyTorch's CrossEntropyLoss: log-softmax then the true class's negative log.
const softmaxCe = (a: tf.Tensor, b: tf.Tensor) => tf.neg(tf.sum(tf.mul(a, tf.logSoftmax(b, -1)), -1));
const binaryCe = (a: tf.Tensor, b: tf.Tensor) =>
  tf.neg(tf.log(tf.add(tf.mul(a, b), tf.mul(tf.sub(1, a), tf.sub(1, b)))));

const LOSSES: Record<string, Omit<LossDefinition, 'name'>> = {
  categoricalCrossentropy: { targets: 'oneHot', expects: 'probabilities', regression: false, fn: mean(categoricalCe), perSample: perSample(categoricalCe) },
  sparseCategoricalCrossentropy: { targets: 'index', expects: 'probabilities', regression: false, fn: mean(sparseCe), perSample: perSample(sparseCe) },
  binaryCrossentropy: { targets: 'binary', expects: 'probabilities', regression: false, fn: mean(binaryCe), perSample: perSample(binaryCe) },
  softmaxCrossEntropy: { targets: 'oneHot', expects: 'logits', regression: false, fn: mean(softmaxCe), perSample: perSample(softmaxCe) },
  meanSquaredError: { targets: 'oneHot', expects: 'values', regression: true, fn: mean(mse), perSample: perSample(mse) },
  meanAbsoluteError: { targets: 'oneHot', expects: 'values', regression: true, fn: mean(mae), perSample: perSample(mae) },
};
const ALIASES: Record<string, string> = { mse: 'meanSquaredError', mae: 'meanAbsoluteError', crossEntropy: 'categoricalCrossentropy' };

/** How the loss `name` (as an experiment writes it, aliases included) reads the model's output; null for an unknown name. */
export function lossExpects(name: string | undefined, outputUnits: number): LossDefinition['expects'] | null {
  const key = ALIASES[name ?? ''] ?? name ?? (outputUnits === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy');
  return LOSSES[key]?.expects ?? null;
}

export function lossDefinition(name: string | undefined, outputUnits: number): LossDefinition {
  const key = ALIASES[name ?? ''] ?? name ?? (outputUnits === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy');
  const def = LOSSES[key];
  if (!def) throw new UserError(`unknown loss "${name}".`, null, `Use one of ${Object.keys(LOSSES).join(', ')}.`);
  if (def.targets === 'binary' && outputUnits !== 1) {
    throw new UserError(`loss "${key}" needs a model with one output unit (a sigmoid), but it has ${outputUnits}.`, null,
      'Use categoricalCrossentropy for several classes, or end the model with dense({ units: 1, activation: "sigmoid" }).');
  }
  if (def.expects === 'logits' && outputUnits < 2) {
    throw new UserError(`loss "${key}" needs a model with one output unit per class (at least two), but it has ${outputUnits}.`, null,
      'End the model with dense({ units: NUMBER_OF_CLASSES }) (no activation: the loss applies the softmax).');
  }
  return { name: key, ...def };
}

/** Labels (class indices) as the loss wants them. */
export function targetTensor(labels: Int32Array, kind: TargetKind, numClasses: number): tf.Tensor {
  return tf.tidy(() => {
    const idx = tf.tensor1d(labels, 'int32');
    if (kind === 'oneHot') return tf.cast(tf.oneHot(idx, numClasses), 'float32');
    if (kind === 'binary') return tf.reshape(tf.cast(idx, 'float32'), [-1, 1]);
    return tf.cast(idx, 'float32');
  });
}

/** Predicted class per row: argmax (of probabilities or of logits alike), or probability > 0.5 for a single sigmoid unit. */
export function predictedClasses(yPred: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => (yPred.shape[yPred.rank - 1] === 1
    ? tf.cast(tf.greater(tf.reshape(yPred, [-1]), 0.5), 'int32')
    : tf.argMax(yPred, -1)) as tf.Tensor1D);
}
