// The state of one run, folded from its protocol messages. Pure and dependency-free: the host keeps
// one per run (for hovers, the status bar and snapshots), the webview and the HTML report rebuild
// theirs by replaying the same messages.
import { DEAD_SAMPLES_IN_A_ROW, DEAD_SHARE } from './doctorMessages';
import type {
  ActivationsMessage, AnomalyMessage, DiagnosisMessage, BatchMessage, DoneMessage, EpochEndMessage, ErrorMessage, EvaluationMessage, GradientHistogram, GradientsMessage,
  LayerGradient, LogMessage, ModelMessage, PausedMessage, ReadyMessage, RegressionMessage, SampleRowsMessage, SamplesMessage, ScalarsMessage,
  TraceMessage, TrainerMessage,
} from './messages';
import { metricsText, normalizeMetrics, type Metrics } from './metricNames';

export type RunStatus = 'starting' | 'running' | 'completed' | 'stopped' | 'anomaly' | 'error' | 'inspected';

/** Named figures over steps, one column per name aligned with `step` (null where a row lacks the name). */
export interface MetricColumns {
  step: number[];
  metrics: Record<string, (number | null)[]>;
}

/** Per-batch figures, one array per column (cheap to append and to draw). */
export interface BatchSeries extends MetricColumns {
  /** The script's model each batch trained (ModelId), 0 for an experiment's. */
  modelId: number[];
  epoch: number[];
  /** 1-based batch within its epoch. */
  batch: number[];
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

export interface ActivationState {
  latest: ActivationsMessage | null;
  /** Per ReLU layer, how many sampled steps in a row it had more than DEAD_SHARE dead units. */
  deadStreak: Record<string, number>;
}

export interface RunState {
  status: RunStatus;
  ready: ReadyMessage | null;
  /** The latest model message (of whichever model came last). */
  model: ModelMessage | null;
  /** Every model of the run, each as its latest message, in the order they came (a script may train several). */
  models: ModelMessage[];
  epoch: number;
  batches: BatchSeries;
  /** The epochs' messages, their figures under the vocabulary's names. */
  epochs: EpochEndMessage[];
  /** Custom scalars (`lens.log`), by name over the steps they were logged at. */
  scalars: MetricColumns;
  evaluation: EvaluationMessage | null;
  /** A regression's latest test figures and predicted-against-true points. */
  regression: RegressionMessage | null;
  /** A table's first rows as written. */
  sampleRows: SampleRowsMessage | null;
  /** The latest samples, always with their images (foldSamples). */
  samples: (SamplesMessage & { images: string[] }) | null;
  gradients: GradientState;
  activations: ActivationState;
  /** The model doctor's findings, in order (each once). */
  diagnoses: DiagnosisMessage[];
  anomaly: AnomalyMessage | null;
  error: ErrorMessage | null;
  done: DoneMessage | null;
  logs: LogMessage[];
  /** The latest traced step (step through), and whether the trainer waits between steps now. */
  trace: TraceMessage | null;
  paused: PausedMessage | null;
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
  scalars: boolean;
  status: boolean;
  trace: boolean;
}

export const MAX_LOGS = 200;
export const MAX_HISTOGRAMS_PER_LAYER = 100;

export function emptyRunState(): RunState {
  return {
    status: 'starting', ready: null, model: null, models: [], epoch: 0,
    batches: emptyBatchSeries(),
    epochs: [], scalars: { step: [], metrics: {} }, evaluation: null, regression: null, sampleRows: null, samples: null,
    gradients: { steps: [], layers: [], byLayer: {}, latest: null, histograms: {} },
    activations: { latest: null, deadStreak: {} }, diagnoses: [],
    anomaly: null, error: null, done: null, logs: [], trace: null, paused: null, version: 0,
  };
}

/** The number columns of a BatchSeries besides `metrics`: each a field of the batch message it came from. */
export const BATCH_COLUMNS = ['modelId', 'step', 'epoch', 'batch', 'lr', 'samplesPerSec', 'elapsedSec'] as const;

export function emptyBatchSeries(): BatchSeries {
  return { modelId: [], step: [], epoch: [], batch: [], metrics: {}, lr: [], samplesPerSec: [], elapsedSec: [] };
}

/** The figures of row `i` (the names it has). */
export function metricsAt(columns: MetricColumns, i: number): Metrics {
  const out: Metrics = {};
  for (const [name, column] of Object.entries(columns.metrics)) {
    const v = column[i];
    if (v !== null && v !== undefined) out[name] = v;
  }
  return out;
}

/** The batch message that row `i` of the series was folded from. */
export function batchMessageAt(b: BatchSeries, i: number): BatchMessage {
  const message: BatchMessage = {
    type: 'batch', epoch: b.epoch[i], step: b.step[i], batch: b.batch[i], metrics: metricsAt(b, i),
    lr: b.lr[i], samplesPerSec: b.samplesPerSec[i], elapsedSec: b.elapsedSec[i],
  };
  if (b.modelId[i]) message.modelId = b.modelId[i];
  return message;
}

/** Keeps `m` as its model's latest message (a model announced again, e.g. at another batch size, replaces its older message). */
function noteModel(models: ModelMessage[], m: ModelMessage): void {
  const at = models.findIndex((known) => known.modelId === m.modelId);
  if (at >= 0) models[at] = m;
  else models.push(m);
}

/** Appends a batch message as one row of the series (its metrics under the vocabulary's names). */
export function pushBatch(b: BatchSeries, m: BatchMessage): void {
  pushMetrics(b, m.step, normalizeMetrics(m.metrics));
  b.modelId.push(m.modelId ?? 0); b.epoch.push(m.epoch); b.batch.push(m.batch); b.lr.push(m.lr); b.samplesPerSec.push(m.samplesPerSec); b.elapsedSec.push(m.elapsedSec);
}

/** Appends one row: a new name's column starts with nulls for the rows before it, a missing name gets null. */
export function pushMetrics(columns: MetricColumns, step: number, metrics: Metrics): void {
  const row = columns.step.length;
  columns.step.push(step);
  for (const [name, value] of Object.entries(metrics)) {
    if (!Object.hasOwn(columns.metrics, name)) columns.metrics[name] = new Array<number | null>(row).fill(null);
    columns.metrics[name].push(value);
  }
  for (const column of Object.values(columns.metrics)) if (column.length <= row) column.push(null);
}

/** The newest value of `name` in `columns` (null when it has none). */
export function lastMetric(columns: MetricColumns, name: string): number | null {
  const column = Object.hasOwn(columns.metrics, name) ? columns.metrics[name] : [];
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== null) return column[i];
  return null;
}

/** An epochEnd message with its figures under the vocabulary's names. */
function namedEpoch(m: EpochEndMessage): EpochEndMessage {
  const named: EpochEndMessage = { ...m, metrics: normalizeMetrics(m.metrics) };
  if (m.val) named.val = normalizeMetrics(m.val);
  if (m.test) named.test = normalizeMetrics(m.test);
  return named;
}

export function noChanges(): Changes {
  return { model: false, batches: false, epochs: false, gradients: false, evaluation: false, samples: false, scalars: false, status: false, trace: false };
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
      noteModel(state.models, m);
      state.status = 'running';
      changes.model = changes.status = true;
      break;
    case 'epochStart':
      state.epoch = m.epoch;
      changes.status = true;
      break;
    case 'batch': {
      pushBatch(state.batches, m);
      changes.batches = true;
      break;
    }
    case 'gradients':
      pushGradients(state.gradients, m);
      changes.gradients = true;
      break;
    case 'activations':
      for (const l of m.layers) {
        state.activations.deadStreak[l.layer] = l.deadShare !== null && l.deadShare > DEAD_SHARE ? (state.activations.deadStreak[l.layer] ?? 0) + 1 : 0;
      }
      state.activations.latest = m;
      changes.gradients = true;
      break;
    case 'diagnosis':
      state.diagnoses.push(m);
      changes.gradients = changes.status = true;
      break;
    case 'epochEnd':
      state.epochs.push(namedEpoch(m));
      changes.epochs = true;
      break;
    case 'evaluation':
      state.evaluation = { ...m, test: normalizeMetrics(m.test) };
      changes.evaluation = true;
      break;
    case 'regression':
      state.regression = { ...m, test: normalizeMetrics(m.test) };
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
    case 'scalars':
      pushScalars(state.scalars, m);
      changes.scalars = true;
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
    case 'trace':
      state.trace = m;
      changes.trace = true;
      break;
    case 'paused':
      state.paused = m;
      changes.status = changes.trace = true;
      break;
    case 'resumed':
      state.paused = null;
      changes.status = changes.trace = true;
      break;
    case 'done':
      state.done = m;
      state.paused = null;
      if (m.reason === 'completed' || m.reason === 'stopped' || m.reason === 'inspected') state.status = m.reason;
      else if (state.status !== 'anomaly' && state.status !== 'error') state.status = m.reason;
      changes.status = true;
      break;
  }
  return changes;
}

/** Custom scalars keep the user's names (no aliases); values that are not finite numbers are dropped. */
function pushScalars(columns: MetricColumns, m: ScalarsMessage): void {
  const values: Metrics = {};
  for (const [name, v] of Object.entries(m.values)) if (typeof v === 'number' && Number.isFinite(v)) values[name] = v;
  pushMetrics(columns, m.step, values);
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

/** ReLU layers flagged dead: more than DEAD_SHARE of their units dead for DEAD_SAMPLES_IN_A_ROW sampled steps, with the latest share. */
export function deadLayers(state: RunState): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of state.activations.latest?.layers ?? []) {
    if ((state.activations.deadStreak[l.layer] ?? 0) >= DEAD_SAMPLES_IN_A_ROW && l.deadShare !== null) out.set(l.layer, l.deadShare);
  }
  return out;
}

/** `train (epoch mean) loss 0.31 · acc 91.0%; test loss 0.35 · acc 89.9%`: which figures are which, said. */
export function epochFiguresText(e: EpochEndMessage): string {
  const records: [string, Metrics | undefined][] = [['train (epoch mean)', e.metrics], ['val', e.val], ['test', e.test]];
  return records.filter(([, r]) => r && Object.keys(r).length > 0).map(([what, r]) => `${what} ${metricsText(r!)}`).join('; ');
}
