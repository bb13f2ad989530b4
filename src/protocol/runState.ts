// The state of one run, folded from its protocol messages. Pure and dependency-free: the host keeps
// one per run (for hovers, the status bar and snapshots), the webview and the HTML report rebuild
// theirs by replaying the same messages.
import type {
  AnomalyMessage, BatchMessage, DoneMessage, EpochEndMessage, ErrorMessage, EvaluationMessage, GradientHistogram, GradientsMessage,
  LayerGradient, LogMessage, ModelMessage, ReadyMessage, RegressionMessage, SampleRowsMessage, SamplesMessage, TrainerMessage,
} from './messages';

export type RunStatus = 'starting' | 'running' | 'completed' | 'stopped' | 'anomaly' | 'error' | 'inspected';

/** Per-batch figures, one array per column (cheap to append and to draw). */
export interface BatchSeries {
  step: number[];
  epoch: number[];
  /** 1-based batch within its epoch. */
  batch: number[];
  loss: number[];
  accuracy: number[];
  lr: number[];
  samplesPerSec: number[];
  elapsedSec: number[];
}

/** Per-layer gradient figures over the sampled steps (aligned with `steps`). */
export interface LayerGradientSeries {
  frozen: boolean;
  l2: (number | null)[];
  meanAbs: (number | null)[];
  maxAbs: (number | null)[];
  updateRatio: (number | null)[];
}

export interface HistogramSample {
  step: number;
  histogram: GradientHistogram;
}

export interface GradientState {
  steps: number[];
  layers: string[];
  byLayer: Record<string, LayerGradientSeries>;
  latest: GradientsMessage | null;
  histograms: Record<string, HistogramSample[]>;
}

export interface RunState {
  status: RunStatus;
  ready: ReadyMessage | null;
  model: ModelMessage | null;
  epoch: number;
  batches: BatchSeries;
  epochs: EpochEndMessage[];
  evaluation: EvaluationMessage | null;
  /** A regression's latest test figures and predicted-against-true points. */
  regression: RegressionMessage | null;
  /** A table's first rows as written. */
  sampleRows: SampleRowsMessage | null;
  /** The latest samples, always with their images (foldSamples). */
  samples: (SamplesMessage & { images: string[] }) | null;
  gradients: GradientState;
  anomaly: AnomalyMessage | null;
  error: ErrorMessage | null;
  done: DoneMessage | null;
  logs: LogMessage[];
  /** How many messages went into this state (a cheap version number). */
  version: number;
}

/** What changed in the last apply, so views redraw only what they show. */
export interface Changes {
  model: boolean;
  batches: boolean;
  epochs: boolean;
  gradients: boolean;
  evaluation: boolean;
  samples: boolean;
  status: boolean;
}

export const MAX_LOGS = 200;
export const MAX_HISTOGRAMS_PER_LAYER = 100;

export function emptyRunState(): RunState {
  return {
    status: 'starting', ready: null, model: null, epoch: 0,
    batches: emptyBatchSeries(),
    epochs: [], evaluation: null, regression: null, sampleRows: null, samples: null,
    gradients: { steps: [], layers: [], byLayer: {}, latest: null, histograms: {} },
    anomaly: null, error: null, done: null, logs: [], version: 0,
  };
}

/** The columns of a BatchSeries: each a field of the batch message it came from. */
export const BATCH_COLUMNS = ['step', 'epoch', 'batch', 'loss', 'accuracy', 'lr', 'samplesPerSec', 'elapsedSec'] as const;

export function emptyBatchSeries(): BatchSeries {
  return { step: [], epoch: [], batch: [], loss: [], accuracy: [], lr: [], samplesPerSec: [], elapsedSec: [] };
}

/** The batch message that row `i` of the series was folded from. */
export function batchMessageAt(b: BatchSeries, i: number): BatchMessage {
  return {
    type: 'batch', epoch: b.epoch[i], step: b.step[i], batch: b.batch[i], loss: b.loss[i], accuracy: b.accuracy[i],
    lr: b.lr[i], samplesPerSec: b.samplesPerSec[i], elapsedSec: b.elapsedSec[i],
  };
}

export function noChanges(): Changes {
  return { model: false, batches: false, epochs: false, gradients: false, evaluation: false, samples: false, status: false };
}

function pushGradients(g: GradientState, m: GradientsMessage): void {
  g.steps.push(m.step);
  const index = g.steps.length - 1;
  for (const l of m.layers) {
    let series = g.byLayer[l.layer];
    if (!series) {
      series = { frozen: l.frozen, l2: [], meanAbs: [], maxAbs: [], updateRatio: [] };
      for (const k of ['l2', 'meanAbs', 'maxAbs', 'updateRatio'] as const) series[k] = new Array(index).fill(null);
      g.byLayer[l.layer] = series;
      g.layers.push(l.layer);
    }
    series.frozen = l.frozen;
    series.l2.push(l.l2);
    series.meanAbs.push(l.meanAbs);
    series.maxAbs.push(l.maxAbs);
    series.updateRatio.push(l.updateRatio);
    if (l.histogram) {
      const list = (g.histograms[l.layer] ??= []);
      list.push({ step: m.step, histogram: l.histogram });
      if (list.length > MAX_HISTOGRAMS_PER_LAYER) list.splice(0, list.length - MAX_HISTOGRAMS_PER_LAYER);
    }
  }
  // Layers this message did not mention keep their columns aligned.
  for (const name of g.layers) {
    const s = g.byLayer[name];
    if (s.l2.length < g.steps.length) for (const k of ['l2', 'meanAbs', 'maxAbs', 'updateRatio'] as const) s[k].push(null);
  }
  g.latest = m;
}

/** A samples message with the images it left out (the same as the previous one's) filled in. */
export function foldSamples(previous: RunState['samples'], m: SamplesMessage): NonNullable<RunState['samples']> {
  return { ...m, images: m.images ?? previous?.images ?? [] };
}

/** Folds one message into `state` (in place, for speed) and marks what it changed. */
export function applyMessage(state: RunState, m: TrainerMessage, changes: Changes = noChanges()): Changes {
  state.version++;
  switch (m.type) {
    case 'ready':
      state.ready = m;
      changes.status = true;
      break;
    case 'model':
      state.model = m;
      state.status = 'running';
      changes.model = changes.status = true;
      break;
    case 'epochStart':
      state.epoch = m.epoch;
      changes.status = true;
      break;
    case 'batch': {
      const b = state.batches;
      b.step.push(m.step); b.epoch.push(m.epoch); b.batch.push(m.batch); b.loss.push(m.loss); b.accuracy.push(m.accuracy ?? NaN);
      b.lr.push(m.lr); b.samplesPerSec.push(m.samplesPerSec); b.elapsedSec.push(m.elapsedSec);
      changes.batches = true;
      break;
    }
    case 'gradients':
      pushGradients(state.gradients, m);
      changes.gradients = true;
      break;
    case 'epochEnd':
      state.epochs.push(m);
      changes.epochs = true;
      break;
    case 'evaluation':
      state.evaluation = m;
      changes.evaluation = true;
      break;
    case 'regression':
      state.regression = m;
      changes.evaluation = true;
      break;
    case 'sampleRows':
      state.sampleRows = m;
      changes.samples = true;
      break;
    case 'samples':
      state.samples = foldSamples(state.samples, m);
      changes.samples = true;
      break;
    case 'anomaly':
      state.anomaly = m;
      state.status = 'anomaly';
      changes.status = true;
      break;
    case 'log':
      state.logs.push(m);
      if (state.logs.length > MAX_LOGS) state.logs.splice(0, state.logs.length - MAX_LOGS);
      break;
    case 'error':
      state.error = m;
      state.status = 'error';
      changes.status = true;
      break;
    case 'done':
      state.done = m;
      if (m.reason === 'completed' || m.reason === 'stopped' || m.reason === 'inspected') state.status = m.reason;
      else if (state.status !== 'anomaly' && state.status !== 'error') state.status = m.reason;
      changes.status = true;
      break;
  }
  return changes;
}

export function runStateFrom(messages: readonly TrainerMessage[]): RunState {
  const state = emptyRunState();
  for (const m of messages) applyMessage(state, m);
  return state;
}

/** The latest gradient figures of one layer, and its recent L2 norms (for hovers and cards). */
export function layerGradientInfo(state: RunState, layer: string, history = 20): { latest: LayerGradient | null; l2History: (number | null)[] } {
  const latest = state.gradients.latest?.layers.find((l) => l.layer === layer) ?? null;
  const series = state.gradients.byLayer[layer];
  return { latest, l2History: series ? series.l2.slice(-history) : [] };
}
