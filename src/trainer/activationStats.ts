// Activation figures on sampled steps: a second model over the same layers whose outputs are the
// tapped layers' outputs and the model's, applied instead of the model on those steps, so the figures
// come from the step's own forward pass (training mode, the step's batch) at the cost of a few
// reductions, read back with the step's loss in one go.
import * as tf from '@tensorflow/tfjs';
import type { LayerLike } from '../model/modelStructure';
import { isInputLayer, isModel } from '../model/modelStructure';
import type { GradientHistogram, LayerActivation } from '../protocol/messages';
import { layerActivation } from './modelDoctor';

/** Layers whose output is not worth a figure of its own (it repeats its input's values). */
const NOT_TAPPED = new Set(['Flatten', 'Reshape', 'Dropout', 'GaussianNoise', 'AlphaDropout', 'SpatialDropout1D', 'SpatialDropout2D', 'Permute', 'RepeatVector']);

/** The derivative of sigmoid and tanh below this share of its maximum counts as saturated. */
export const SATURATED_BELOW = 0.05;
const HISTOGRAM_BINS = 30;
/** Figures per layer in the stats tensor: mean, std, dead share, saturated share, min, max. */
export const STATS_PER_LAYER = 6;

export interface TappedLayer {
  name: string;
  activation: string;
}

export interface ActivationTaps {
  /** Same inputs and layers as the model; outputs: the tapped layers', then the model's own unless it is tapped. */
  model: tf.LayersModel;
  /** Which of its outputs is the model's prediction. */
  predictionIndex: number;
  layers: TappedLayer[];
}

/** The taps of a model's top-level layers; null when none can be tapped (nested or shared layers only). */
export function activationTaps(model: tf.LayersModel): ActivationTaps | null {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return null;
  const layers: TappedLayer[] = [];
  const outputs: tf.SymbolicTensor[] = [];
  for (const layer of model.layers as unknown as (LayerLike & { output: tf.SymbolicTensor | tf.SymbolicTensor[] })[]) {
    if (isInputLayer(layer) || isModel(layer) || NOT_TAPPED.has(layer.getClassName())) continue;
    let output: tf.SymbolicTensor | tf.SymbolicTensor[];
    try {
      output = layer.output; // throws for a layer called more than once
    } catch {
      continue;
    }
    if (Array.isArray(output)) continue;
    layers.push({ name: layer.name, activation: layerActivation(layer) });
    outputs.push(output);
  }
  if (layers.length === 0) return null;
  try {
    const tapped = outputs.indexOf(model.outputs[0]);
    const all = tapped >= 0 ? outputs : [...outputs, model.outputs[0]];
    return { model: tf.model({ inputs: model.inputs, outputs: all }), layers, predictionIndex: tapped >= 0 ? tapped : outputs.length };
  } catch {
    return null;
  }
}

/**
 * One row of STATS_PER_LAYER figures per activation: mean, std, the share of dead units (ReLU:
 * units of the last axis that are ≤ 0 for every sample and position), the share of saturated
 * outputs (sigmoid, tanh: derivative < 5% of its maximum), min and max. NaN where it does not apply.
 */
export function activationStatRows(layers: TappedLayer[], activations: tf.Tensor[]): tf.Tensor2D {
  return tf.tidy(() => tf.stack(activations.map((a, i) => {
    const x = a.dtype === 'float32' ? a : tf.cast(a, 'float32');
    const mean = tf.mean(x);
    const std = tf.sqrt(tf.mean(tf.squaredDifference(x, mean))); // one kernel: (x − mean)², as sub then square
    const kind = layers[i].activation;
    const nan = tf.scalar(NaN);
    let dead: tf.Tensor = nan;
    let max: tf.Tensor | null = null;
    if (kind === 'relu' || kind === 'relu6') {
      const units = x.shape[x.rank - 1] ?? 1;
      const perUnitMax = tf.max(tf.reshape(x, [-1, units]), 0);
      dead = tf.mean(tf.cast(tf.lessEqual(perUnitMax, 0), 'float32'));
      max = tf.max(perUnitMax); // the largest of the units' largest: no second pass over x
    }
    let saturated: tf.Tensor = nan;
    if (kind === 'sigmoid') saturated = tf.mean(tf.cast(tf.less(tf.mul(4, tf.mul(x, tf.sub(1, x))), SATURATED_BELOW), 'float32'));
    if (kind === 'tanh') saturated = tf.mean(tf.cast(tf.less(tf.sub(1, tf.square(x)), SATURATED_BELOW), 'float32'));
    return tf.stack([mean, std, dead, saturated, tf.min(x), max ?? tf.max(x)]);
  })) as tf.Tensor2D);
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

function histogram(values: Float32Array, min: number, max: number): GradientHistogram {
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const scale = max > min ? HISTOGRAM_BINS / (max - min) : 0;
  const last = HISTOGRAM_BINS - 1;
  for (let i = 0; i < values.length; i++) {
    const b = ((values[i] - min) * scale) | 0;
    counts[b < 0 ? 0 : b > last ? last : b]++;
  }
  return { min, max, counts };
}

/** The figures of the stats rows (as read back), with histograms from the activations' values when given. */
export function activationFigures(layers: TappedLayer[], stats: ArrayLike<number>, values: Float32Array[] | null): LayerActivation[] {
  return layers.map((l, i) => {
    const [mean, std, dead, saturated, min, max] = Array.from({ length: STATS_PER_LAYER }, (_, k) => stats[i * STATS_PER_LAYER + k]);
    const figure: LayerActivation = {
      layer: l.name, activation: l.activation, mean: finiteOrNull(mean), std: finiteOrNull(std),
      deadShare: finiteOrNull(dead), saturatedShare: finiteOrNull(saturated),
    };
    if (values && Number.isFinite(min) && Number.isFinite(max)) figure.histogram = histogram(values[i], min, max);
    return figure;
  });
}
