import { MAGNITUDES } from '@model-lens/tfjs-training-kernels';
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

/** Reads a tensor back (async: the webgpu backend has no synchronous read in Node) and frees it. */
export async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
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

const liveLayers = (layers: GradientLayer[]) => layers.filter((l) => !l.frozen);
const layerGrads = (l: GradientLayer, grads: tf.NamedTensorMap) =>
  l.variables.map((v) => grads[v.name]).filter((g): g is tf.Tensor => g !== undefined);

/** [Σx², Σ|x|, max |x|] of a tensor: one kernel where the backend has ours (wasm), else five. */
export function magnitudes(x: tf.Tensor): tf.Tensor1D {
  if (x.dtype === 'float32' && tf.getKernel(MAGNITUDES, tf.getBackend())) return tf.engine().runKernel(MAGNITUDES, { x }) as tf.Tensor1D;
  return tf.tidy(() => {
    const abs = tf.abs(x);
    return tf.stack([tf.sum(tf.square(x)), tf.sum(abs), tf.max(abs)]) as tf.Tensor1D;
  });
}

/** [Σ, Σ, max] of several magnitudes() rows: the sums added, the largest kept. */
function combined(rows: tf.Tensor1D[]): tf.Tensor1D {
  if (rows.length === 1) return rows[0];
  const all = tf.stack(rows);
  return tf.concat([tf.sum(tf.slice(all, [0, 0], [-1, 2]), 0), tf.max(tf.slice(all, [0, 2], [-1, 1]), 0)]) as tf.Tensor1D;
}

/**
 * This step's figures, still on the backend, as one 1-D tensor: per live layer its sum of g², sum of
 * |g| and max |g|; then, when `withValues`, every gradient value (for the histograms). A step's
 * update ratios (updateRatioTensor) go after it, so that one read brings back everything.
 */
export function gradientStatsTensor(layers: GradientLayer[], grads: tf.NamedTensorMap, withValues: boolean): tf.Tensor {
  return tf.tidy(() => {
    const live = liveLayers(layers);
    if (live.length === 0) return tf.zeros([0]);
    const rows = live.map((l) => combined(layerGrads(l, grads).map(magnitudes)));
    const stats = tf.reshape(tf.stack(rows), [-1]);
    if (!withValues) return stats;
    return tf.concat([stats, ...live.flatMap((l) => layerGrads(l, grads).map((g) => tf.reshape(g, [-1])))]);
  });
}

/** What a sampled step's one read-back holds: stats, then the gradient values (histograms), then the update ratios. */
export interface FigureLayout {
  withRatios: boolean;
  withHistograms: boolean;
}

/** The per-layer figures from what gradientStatsTensor (and updateRatioTensor, appended) computed. */
export function figuresFromValues(layers: GradientLayer[], values: Float32Array, layout: FigureLayout): StepGradientFigures {
  const live = liveLayers(layers);
  const counts = live.map((l) => l.variables.reduce((n, v) => n + v.size, 0));
  let valueAt = 3 * live.length;
  const ratioAt = valueAt + (layout.withHistograms ? counts.reduce((a, b) => a + b, 0) : 0);
  let firstNonFinite: string | null = null;
  const figures = new Map<string, LayerGradient>();
  live.forEach((l, i) => {
    const count = counts[i];
    const [sumSq, sumAbs, maxAbs] = [values[3 * i], values[3 * i + 1], values[3 * i + 2]];
    if (!(Number.isFinite(sumSq) && Number.isFinite(maxAbs)) && firstNonFinite === null) firstNonFinite = l.name;
    const figure: LayerGradient = {
      layer: l.name, frozen: false, l2: finiteOrNull(Math.sqrt(sumSq)), meanAbs: finiteOrNull(sumAbs / count),
      maxAbs: finiteOrNull(maxAbs), updateRatio: layout.withRatios ? finiteOrNull(values[ratioAt + i]) : null,
    };
    if (layout.withHistograms) {
      const mine = values.subarray(valueAt, valueAt + count);
      valueAt += count;
      if (Number.isFinite(maxAbs)) figure.histogram = histogram([mine], maxAbs);
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

/** Per-layer L2 norm, mean |g| and max |g| of this step's gradients (no update ratios), in one read. */
export async function gradientFigures(layers: GradientLayer[], grads: tf.NamedTensorMap, withHistograms: boolean): Promise<StepGradientFigures> {
  const values = await readAndDispose(gradientStatsTensor(layers, grads, withHistograms));
  return figuresFromValues(layers, values, { withRatios: false, withHistograms });
}

/** Copies of the live layers' weights before a step (none for frozen ones), to measure ‖Δw‖ / ‖w‖ after it. */
export function snapshotWeights(layers: GradientLayer[]): tf.Tensor[][] {
  return layers.map((l) => (l.frozen ? [] : l.variables.map((v) => tf.clone(v))));
}

/** ‖Δw‖ / ‖w‖ per live layer (the order of gradientStatsTensor's rows), on the backend; frees `before`. */
export function updateRatioTensor(layers: GradientLayer[], before: tf.Tensor[][]): tf.Tensor {
  const live = liveLayers(layers);
  const ratios = live.length === 0 ? tf.zeros([0]) : tf.tidy(() => tf.concat(live.map((l) => {
    const b = before[layers.indexOf(l)];
    const delta = combined(l.variables.map((v, k) => magnitudes(tf.sub(v, b[k]))));
    const norm = combined(b.map(magnitudes));
    return tf.div(tf.sqrt(tf.slice(delta, [0], [1])), tf.sqrt(tf.slice(norm, [0], [1])));
  })));
  tf.dispose(before.flat());
  return ratios;
}
