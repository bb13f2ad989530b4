// A batch of flat arrays (src/data) as the tensors a step or an evaluation feeds the model.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/dataSource';
import type { LossDefinition } from './losses';
import { targetTensor } from './losses';

export interface BatchTensors {
  x: tf.Tensor;
  y: tf.Tensor;
}

/** Inputs shaped [count, ...inputShape]; labels as the loss wants them, or targets [count, width]. */
export function batchTensors(batch: Batch, inputShape: readonly number[], loss: LossDefinition, outputs: number): BatchTensors {
  const x = tf.tensor(batch.inputs, [batch.count, ...inputShape]);
  const y = batch.kind === 'classification'
    ? targetTensor(batch.labels, loss.targets, outputs)
    : tf.tensor2d(batch.targets, [batch.count, batch.targets.length / Math.max(1, batch.count)]);
  return { x, y };
}

/** A batch of zeros shaped as `count` real samples (labels class 0): a dry run's input. */
export function zeroBatch(count: number, inputShape: readonly number[], regressionWidth: number | null): Batch {
  const inputs = new Float32Array(count * inputShape.reduce((a, b) => a * b, 1));
  return regressionWidth === null
    ? { kind: 'classification', count, inputs, labels: new Int32Array(count) }
    : { kind: 'regression', count, inputs, targets: new Float32Array(count * regressionWidth) };
}
