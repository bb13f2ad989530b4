// The test split's figures after an epoch, in inference mode: for classes the accuracy, per-class
// accuracy and confusion matrix; for numbers MAE and R² (named metrics `mae`, `r2`) and the first
// predictions against the truth.
import * as tf from '@tensorflow/tfjs';
import type { DataSource } from '../data/dataSource';
import { batchTensors } from './batchTensors';
import type { LossDefinition } from './losses';
import { predictedClasses } from './losses';

export interface ClassEvaluation {
  kind: 'classification';
  loss: number;
  accuracy: number;
  perClassAccuracy: (number | null)[];
  /** confusion[true][predicted] */
  confusion: number[][];
  /** The first test samples' predicted classes and their probabilities (for the sample grid). */
  predictions: Int32Array;
  probabilities: number[][];
  labels: Int32Array;
}

export interface RegressionEvaluation {
  kind: 'regression';
  loss: number;
  /** Mean absolute error over every target value. */
  mae: number;
  /** 1 − SS_res / SS_tot over every target value (sklearn's r2_score, uniform over targets when one). */
  r2: number;
  /** The first test samples' first target and its prediction (for the scatter). */
  truth: number[];
  predicted: number[];
}

export type EvaluationResult = ClassEvaluation | RegressionEvaluation;

const EVAL_BATCH = 1000;

/** Evaluates `model` on the whole test split; keeps the first `keep` predictions. */
export async function evaluate(model: tf.LayersModel, data: DataSource, loss: LossDefinition, keep: number): Promise<EvaluationResult> {
  const classes = data.task.kind === 'classification' ? data.task.classNames.length : 0;
  const outputs = data.task.kind === 'classification' ? classes : data.task.targetNames.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const kept = { predictions: [] as number[], probabilities: [] as number[][], labels: [] as number[], truth: [] as number[], predicted: [] as number[] };
  const sums = { loss: 0, count: 0, absError: 0, values: 0, y: 0, yy: 0, residual: 0 };
  for await (const batch of data.testBatches(EVAL_BATCH)) {
    const [lossSum, out, pred] = tf.tidy(() => {
      const { x, y } = batchTensors(batch, data.inputShape, loss, outputs);
      const p = model.predict(x) as tf.Tensor;
      return [tf.sum(loss.perSample(y, p)), batch.kind === 'classification' ? predictedClasses(p) : tf.clone(p), p];
    });
    sums.loss += (await lossSum.data())[0];
    const values = await out.data();
    const probabilities = batch.kind === 'classification' && kept.labels.length < keep ? await pred.data() : null;
    tf.dispose([lossSum, out, pred]);
    sums.count += batch.count;
    if (batch.kind === 'classification') {
      const width = probabilities ? probabilities.length / batch.count : 0;
      for (let i = 0; i < batch.count; i++) {
        const t = batch.labels[i];
        const p = values[i];
        if (t < classes && p < classes) confusion[t][p]++;
        if (probabilities && kept.labels.length < keep) {
          kept.labels.push(t);
          kept.predictions.push(p);
          kept.probabilities.push(Array.from(probabilities.subarray(i * width, (i + 1) * width), (v) => Math.round(v * 1e4) / 1e4));
        }
      }
    } else {
      const width = batch.targets.length / Math.max(1, batch.count);
      for (let i = 0; i < batch.targets.length; i++) {
        const t = batch.targets[i];
        const e = values[i] - t;
        sums.absError += Math.abs(e);
        sums.residual += e * e;
        sums.y += t;
        sums.yy += t * t;
        sums.values++;
        if (i % width === 0 && kept.truth.length < keep) {
          kept.truth.push(t);
          kept.predicted.push(values[i]);
        }
      }
    }
  }
  const meanLoss = sums.loss / Math.max(1, sums.count);
  if (data.task.kind === 'regression') {
    const n = Math.max(1, sums.values);
    const total = sums.yy - (sums.y * sums.y) / n;
    return {
      kind: 'regression', loss: meanLoss, mae: sums.absError / n, r2: total > 0 ? 1 - sums.residual / total : 0,
      truth: kept.truth, predicted: kept.predicted,
    };
  }
  const correct = confusion.reduce((s, row, c) => s + row[c], 0);
  const perClassAccuracy = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? null : row[c] / total;
  });
  return {
    kind: 'classification', loss: meanLoss, accuracy: correct / Math.max(1, sums.count), perClassAccuracy, confusion,
    predictions: Int32Array.from(kept.predictions), probabilities: kept.probabilities, labels: Int32Array.from(kept.labels),
  };
}
