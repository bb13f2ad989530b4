import * as tf from '@tensorflow/tfjs';
import type { GradientHistogram, LayerGradient } from '../protocol/messages';
import { modelCalls } from '../model/layerCalls';
import { isModel, type LayerLike } from '../model/modelStructure';

/** Gradient figures every 20th step keep instrumentation within its budget, 3% of a bare loop (npm run bench -- train). */
export const DEFAULT_GRADIENT_EVERY = 20;
/** Histograms on every 10th sampled step (they read every gradient value back). */
export const HISTOGRAM_EVERY_SAMPLES = 10;

/** A layer with weights, and the trainable variables whose gradients belong to it. */
export interface GradientLayer {
  name: string;
  layer: LayerLike;
  frozen: boolean;
  variables: tf.Variable[];
}

interface WeightWithValue {
  read(): tf.Variable;
}

/** Leaf layers with weights, input to output, through nested models; each layer once. */
export function gradientLayers(model: tf.LayersModel): GradientLayer[] {
  const out: GradientLayer[] = [];
  const seen = new Set<LayerLike>();
  const visit = (owner: LayerLike) => {
    for (const { layer } of modelCalls(owner).calls) {
      if (seen.has(layer)) continue;
      seen.add(layer);
      if (isModel(layer)) { visit(layer); continue; }
      if (layer.weights.length === 0) continue;
      const variables = (layer.trainableWeights as unknown as WeightWithValue[]).map((w) => w.read());
      out.push({ name: layer.name, layer, frozen: variables.length === 0, variables });
    }
  };
  visit(model as unknown as LayerLike);
  return out;
}

export interface StepGradientFigures {
  layers: LayerGradient[];
  /** The first layer (input to output) with a non-finite gradient, if any. */
  firstNonFinite: string | null;
}

const HISTOGRAM_BINS = 30;

/** Computes a tensor in a tidy scope, reads it back in one go and frees it. */
function readOnce(compute: () => tf.Tensor): Float32Array {
  const t = tf.tidy(compute);
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

function histogram(parts: Float32Array[], maxAbs: number): GradientHistogram {
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  const scale = maxAbs > 0 ? HISTOGRAM_BINS / (2 * maxAbs) : 0;
  const last = HISTOGRAM_BINS - 1;
  for (const values of parts) {
    for (let i = 0; i < values.length; i++) {
      const b = ((values[i] + maxAbs) * scale) | 0;
      counts[b < 0 ? 0 : b > last ? last : b]++;
    }
  }
  return { min: -maxAbs, max: maxAbs, counts };
}

const finiteOrNull = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * Per-layer L2 norm, mean |g| and max |g| of this step's gradients, computed on the backend and read
 * back with one dataSync; histograms (one more read) only when asked.
 */
export function gradientFigures(layers: GradientLayer[], grads: tf.NamedTensorMap, withHistograms: boolean,
  updateRatios: Map<string, number> | null): StepGradientFigures {
  const live = layers.filter((l) => !l.frozen);
  const stats = live.length === 0 ? new Float32Array(0) : readOnce(() => {
    const rows = live.map((l) => {
      const gs = l.variables.map((v) => grads[v.name]).filter((g): g is tf.Tensor => g !== undefined);
      const abs = gs.map((g) => tf.abs(g));
      const sumSq = tf.addN(gs.map((g) => tf.sum(tf.square(g))));
      const sumAbs = tf.addN(abs.map((a) => tf.sum(a)));
      const maxAbs = tf.max(tf.stack(abs.map((a) => tf.max(a))));
      return tf.stack([sumSq, sumAbs, maxAbs]);
    });
    return tf.stack(rows);
  });

  let firstNonFinite: string | null = null;
  const figures = new Map<string, LayerGradient>();
  live.forEach((l, i) => {
    const count = l.variables.reduce((n, v) => n + v.size, 0);
    const [sumSq, sumAbs, maxAbs] = [stats[3 * i], stats[3 * i + 1], stats[3 * i + 2]];
    if (!(Number.isFinite(sumSq) && Number.isFinite(maxAbs)) && firstNonFinite === null) firstNonFinite = l.name;
    const figure: LayerGradient = {
      layer: l.name, frozen: false, l2: finiteOrNull(Math.sqrt(sumSq)), meanAbs: finiteOrNull(sumAbs / count),
      maxAbs: finiteOrNull(maxAbs), updateRatio: finiteOrNull(updateRatios?.get(l.name) ?? NaN),
    };
    if (withHistograms && Number.isFinite(maxAbs)) {
      figure.histogram = histogram(l.variables.map((v) => grads[v.name].dataSync() as Float32Array), maxAbs);
    }
    figures.set(l.name, figure);
  });
  return {
    layers: layers.map((l) => figures.get(l.name) ?? {
      layer: l.name, frozen: true, l2: null, meanAbs: null, maxAbs: null, updateRatio: null,
    }),
    firstNonFinite,
  };
}

/** Copies of the trainable weights before a step, to measure ‖Δw‖ / ‖w‖ after it. */
export function snapshotWeights(layers: GradientLayer[]): tf.Tensor[][] {
  return layers.map((l) => l.variables.map((v) => tf.clone(v)));
}

export function updateRatios(layers: GradientLayer[], before: tf.Tensor[][]): Map<string, number> {
  const live = layers.map((l, i) => ({ l, b: before[i] })).filter((x) => x.b.length > 0);
  const values = live.length === 0 ? new Float32Array(0) : readOnce(() => tf.stack(live.map(({ l, b }) => {
    const delta = tf.addN(l.variables.map((v, k) => tf.sum(tf.square(tf.sub(v, b[k])))));
    const norm = tf.addN(b.map((w) => tf.sum(tf.square(w))));
    return tf.div(tf.sqrt(delta), tf.sqrt(norm));
  })));
  const out = new Map<string, number>();
  live.forEach(({ l }, i) => out.set(l.name, values[i]));
  tf.dispose(before.flat());
  return out;
}
