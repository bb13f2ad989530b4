// One training step: forward and backward pass, the anomaly checks, gradient figures on sampled
// steps, the update, and the batch message. The step is ours (computeGradients → figures →
// applyGradients) because model.fit never exposes the gradients.
import * as tf from '@tensorflow/tfjs';
import type { Batch } from '../data/dataSource';
import type { AnomalyMessage, LayerActivation } from '../protocol/messages';
import type { Metrics } from '../protocol/metricNames';
import { activationFigures, activationStatRows, type ActivationTaps } from './activationStats';
import { batchTensors } from './batchTensors';
import { figuresFromValues, gradientFigures, gradientStatsTensor, readAndDispose, snapshotWeights, updateRatioTensor } from './gradientStats';
import { predictedClasses } from './losses';
import { setLearningRate } from './optimizers';
import { now, type Emit } from './runMessages';
import type { RunPlan } from './runPlan';
import { beginTrace, finishTrace, type TraceRequest } from './stepTrace';
import { lossBeforeUpdateText, lossDivergedText } from './nonFiniteLoss';

/** The running sums of one epoch, which its steps add to. */
export interface EpochTally {
  epoch: number;
  started: number;
  lossSum: number;
  /** Classes: samples predicted right; numbers: the sum of absolute errors over every target value. */
  metricSum: number;
  seen: number;
}

/** Where a step is in the run, and its batch. */
export interface StepPosition {
  step: number;
  batch: number;
  samples: Batch;
  /** Trace one sample of this step (step through, --trace-step). */
  trace?: TraceRequest | null;
}

interface StepResult {
  loss: number;
  /** Samples predicted right (classes), or the sum of absolute errors (numbers). */
  metric: number;
  grads: tf.NamedTensorMap;
  /** Activation figures, when the step was asked for them. */
  activations: LayerActivation[] | null;
}

/** Activation figures of a step: the taps to apply instead of the model, and whether with histograms. */
export interface ActivationRequest {
  taps: ActivationTaps;
  histograms: boolean;
}

/** One forward + backward pass; the gradients are returned, not applied. Reads are async (webgpu has no synchronous one in Node). */
export async function computeStep(run: Pick<RunPlan, 'loaded' | 'optimizer' | 'variables' | 'loss'>, x: tf.Tensor, y: tf.Tensor, regression: boolean,
  tap: ActivationRequest | null = null): Promise<StepResult> {
  const { loaded: { model }, loss } = run;
  let metric: tf.Tensor | null = null;
  let statRows: tf.Tensor | null = null;
  let kept: tf.Tensor[] = [];
  const { value, grads } = run.optimizer.computeGradients(() => {
    let pred: tf.Tensor;
    if (tap) {
      // A model of one tapped layer (its output is the prediction) returns a tensor, not a list.
      const applied = tap.taps.model.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
      const outputs = Array.isArray(applied) ? applied : [applied];
      pred = outputs[tap.taps.predictionIndex];
      const activations = outputs.slice(0, tap.taps.layers.length);
      statRows = tf.keep(activationStatRows(tap.taps.layers, activations));
      if (tap.histograms) kept = activations.map((a) => tf.keep(a));
    } else {
      pred = model.apply(x, { training: true }) as tf.Tensor;
    }
    if (regression) {
      metric = tf.keep(tf.sum(tf.abs(tf.sub(pred, y))));
    } else {
      const truth = loss.targets === 'oneHot' ? tf.argMax(y, -1) : tf.reshape(y, [-1]);
      metric = tf.keep(tf.sum(tf.cast(tf.equal(predictedClasses(pred), tf.cast(truth, 'int32')), 'float32')));
    }
    return loss.fn(y, pred);
  }, run.variables);
  // The loss, the metric and the activation figures in one read-back.
  const both = tf.tidy(() => tf.concat([tf.stack([value, metric!]), ...(statRows ? [tf.reshape(statRows, [-1])] : [])]));
  tf.dispose([value, metric!, ...(statRows ? [statRows] : [])]);
  let read: Float32Array;
  let values: Float32Array[] | null = null;
  try {
    [read, values] = await Promise.all([readAndDispose(both), tap?.histograms ? Promise.all(kept.map(async (a) => (await a.data()) as Float32Array)) : null]);
  } catch (e) {
    tf.dispose(Object.values(grads));
    throw e;
  } finally {
    tf.dispose(kept);
  }
  const activations = tap ? activationFigures(tap.taps.layers, read.subarray(2), values) : null;
  return { loss: read[0], metric: read[1], grads, activations };
}

/**
 * Trains on one batch and emits its `batch` (and, when sampled, `gradients`) message; an anomaly ends
 * the run instead. A sampled step's figures are computed on the backend and read back once.
 */
export async function trainStep(run: RunPlan, tally: EpochTally, at: StepPosition, emit: Emit): Promise<AnomalyMessage | null> {
  const { data, loss, layers, schedule, plan } = run;
  const lr = schedule.lr();
  setLearningRate(run.optimizer, lr);
  const sampled = at.step % plan.gradientEvery === 0 || at.step === 1;
  const { x, y } = batchTensors(at.samples, data.inputShape, loss, run.outputs);
  const regression = at.samples.kind === 'regression';
  const withHistograms = at.step % plan.histogramEvery === 0 || at.step === 1;
  const result = await computeStep(run, x, y, regression, sampled && run.taps ? { taps: run.taps, histograms: withHistograms } : null)
    .finally(() => tf.dispose([x, y]));
  if (!Number.isFinite(result.loss)) {
    const figures = await gradientFigures(layers, result.grads, false).finally(() => tf.dispose(Object.values(result.grads)));
    const layer = figures.firstNonFinite;
    if (at.step === 1) {
      // No update has run yet: the weights are as initialised, so the learning rate cannot be the cause.
      return anomaly(run, 'nonFiniteBeforeUpdate', tally.epoch, at.step, layer, lossBeforeUpdateText({
        loss: result.loss, at: 'step 1', trained: null, layer, reads: `the loss ${loss.name} reads (${loss.expects})`, check: 'FILE',
      }));
    }
    return anomaly(run, 'nonFiniteLoss', tally.epoch, at.step, layer, lossDivergedText({
      loss: result.loss, at: `step ${at.step} (epoch ${tally.epoch}, batch ${at.batch})`, trained: null, layer, updates: at.step - 1, lr,
    }));
  }
  const trace = at.trace ? await beginTrace(run, { epoch: tally.epoch, step: at.step, batch: at.batch, samples: at.samples, firstIndex: (at.batch - 1) * plan.batchSize, lr }, at.trace.sample, result.grads) : null;
  const before = sampled ? snapshotWeights(layers) : null;
  const stats = sampled ? gradientStatsTensor(layers, result.grads, withHistograms) : null;
  run.optimizer.applyGradients(result.grads);
  tf.dispose(Object.values(result.grads));
  let figures = null;
  if (stats && before) {
    const ratios = updateRatioTensor(layers, before);
    const one = tf.concat([stats, ratios]);
    tf.dispose([stats, ratios]);
    figures = figuresFromValues(layers, await readAndDispose(one), { withRatios: true, withHistograms });
    if (figures.firstNonFinite) {
      return anomaly(run, 'nonFiniteGradient', tally.epoch, at.step, figures.firstNonFinite,
        `the gradient of layer "${figures.firstNonFinite}" is not finite at step ${at.step} (epoch ${tally.epoch}). Lower the learning rate (now ${lr}).`);
    }
  }
  schedule.stepBatch();
  const { count } = at.samples;
  tally.lossSum += result.loss * count;
  tally.metricSum += result.metric;
  tally.seen += count;
  const elapsed = now() - tally.started;
  // Numbers get `mae` where classes get `accuracy`.
  const metrics: Metrics = regression ? { loss: result.loss, mae: result.metric / (count * run.outputs) } : { loss: result.loss, accuracy: result.metric / count };
  emit({
    type: 'batch', epoch: tally.epoch, step: at.step, batch: at.batch, metrics, lr,
    samplesPerSec: elapsed > 0 ? tally.seen / elapsed : 0, elapsedSec: now() - run.started,
  });
  if (figures) emit({ type: 'gradients', epoch: tally.epoch, step: at.step, layers: figures.layers });
  if (result.activations) emit({ type: 'activations', epoch: tally.epoch, step: at.step, layers: result.activations });
  if (figures) for (const d of run.doctor.observe(at.step, lr, figures.layers, result.activations)) emit(d);
  if (trace) emit(await finishTrace(trace));
  return null;
}

function anomaly(run: RunPlan, kind: AnomalyMessage['kind'], epoch: number, step: number, layer: string | null, message: string): AnomalyMessage {
  const layerObj = run.layers.find((l) => l.name === layer)?.layer;
  return { type: 'anomaly', kind, epoch, step, layer, source: layerObj ? run.loaded.locate(layerObj) : null, message };
}
