import * as tf from '@tensorflow/tfjs';
import type { Split } from '../data/dataset';
import type { LossDefinition } from './losses';
import { predictedClasses, targetTensor } from './losses';

export interface EvaluationResult {
  loss: number;
  accuracy: number;
  perClassAccuracy: (number | null)[];
  /** confusion[true][predicted] */
  confusion: number[][];
  predictions: Int32Array;
}

/** Inputs of samples `indices` (or `start..start+count`) as one batch tensor. */
export function batchInputs(split: Split, inputShape: number[], indices: ArrayLike<number>): tf.Tensor {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(indices.length * size);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i] * size;
    data.set(split.inputs.subarray(from, from + size), i * size);
  }
  return tf.tensor(data, [indices.length, ...inputShape]);
}

export function batchLabels(split: Split, indices: ArrayLike<number>): Int32Array {
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) labels[i] = split.labels[indices[i]];
  return labels;
}

/** Loss, accuracy, per-class accuracy and confusion matrix over a whole split, in inference mode. */
export function evaluate(model: tf.LayersModel, split: Split, inputShape: number[], loss: LossDefinition,
  numClasses: number, batchSize = 1000): EvaluationResult {
  const predictions = new Int32Array(split.count);
  let lossSum = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const indices = Array.from({ length: Math.min(batchSize, split.count - start) }, (_, i) => start + i);
    const [sum, classes] = tf.tidy(() => {
      const x = batchInputs(split, inputShape, indices);
      const y = targetTensor(batchLabels(split, indices), loss.targets, numClasses);
      const pred = model.predict(x) as tf.Tensor;
      return [tf.sum(loss.perSample(y, pred)), predictedClasses(pred)];
    });
    lossSum += sum.dataSync()[0];
    predictions.set(classes.dataSync() as Int32Array, start);
    tf.dispose([sum, classes]);
  }
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  let correct = 0;
  for (let i = 0; i < split.count; i++) {
    const t = split.labels[i];
    const p = predictions[i];
    if (t < numClasses && p < numClasses) confusion[t][p]++;
    if (t === p) correct++;
  }
  const perClassAccuracy = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? null : row[c] / total;
  });
  return { loss: lossSum / Math.max(1, split.count), accuracy: correct / Math.max(1, split.count), perClassAccuracy, confusion, predictions };
}
