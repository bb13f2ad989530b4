// run.json: the small header of a run folder, written when the run starts, when its model arrives
// and when it ends, so a listing of a thousand runs reads a thousand small files and no messages.
import type { ScheduleSpec } from '../protocol/experimentSpec';
import type { Metrics, TrainerMessage } from '../protocol/messages';
import { metricsCheck, scheduleCheck } from '../protocol/messageChecks';
import { metricInfo, normalizeMetrics } from '../protocol/metricNames';
import { finite, integer, literal, nullable, objectOf, refine, string, type Checked } from '../protocol/validation';
import { upgradeRunHeader } from './olderRunFormats';

export const RUN_HEADER_FILE = 'run.json';
/** 2: figures as named metrics (version 1's loss/accuracy fields are converted on read). */
export const RUN_HEADER_VERSION = 2;

export type RunStatus = 'running' | 'completed' | 'stopped' | 'error' | 'interrupted';

/** A run's key figures, folded from its messages as they arrive (foldFigures). */
export interface RunFigures {
  /** The last step trained (1-based, over the whole run); 0 before the first batch. */
  steps: number;
  epochs: number;
  /** The last batch's figures by name (`{ loss, accuracy }`) and its learning rate. */
  batch: Metrics;
  lr: number | null;
  /** The last finished epoch's figures: training (epoch mean), validation and test; empty when none. */
  train: Metrics;
  val: Metrics;
  test: Metrics;
  /** Each validation and test figure's best over the epochs (higher or lower as the vocabulary says; custom metrics left out). */
  bestVal: Metrics;
  bestTest: Metrics;
  elapsedSec: number;
}

export interface RunPlanFigures {
  epochs: number;
  batchSize: number;
  stepsPerEpoch: number;
  totalSteps: number;
  optimizer: string;
  loss: string;
  seed: number;
}

export interface RunHeader {
  version: number;
  /** The run folder's name: `<time>-<name>`. */
  id: string;
  /** The experiment or script, relative to the project (posix separators), or absolute outside it. */
  file: string;
  /** The copy of that file in the run folder (its base name). */
  copy: string | null;
  /** The experiment's or model's `name`, else the file's base name. */
  name: string;
  /** ISO times. */
  started: string;
  ended: string | null;
  status: RunStatus;
  /** Why a run ended in error: the error's or the anomaly's message. */
  reason: string | null;
  /** The process that records the run (it receives the trainer's messages), and its machine. */
  pid: number;
  host: string;
  backend: string | null;
  schedule: ScheduleSpec | null;
  plan: RunPlanFigures | null;
  figures: RunFigures;
}

/** The names tfjs gives models that were not named (`sequential_1`): the file's name says more. */
const TFJS_AUTO_NAME = /^(sequential|model)_\d+$/;

export function emptyFigures(): RunFigures {
  return { steps: 0, epochs: 0, batch: {}, lr: null, train: {}, val: {}, test: {}, bestVal: {}, bestTest: {}, elapsedSec: 0 };
}

/** Folds `figures` into `best` (in place): each known figure kept where it is better. */
export function foldBest(best: Metrics, figures: Metrics): void {
  for (const [name, value] of Object.entries(figures)) {
    const better = metricInfo(name).better;
    if (better === null) continue;
    const old = Object.hasOwn(best, name) ? best[name] : undefined;
    if (old === undefined || (better === 'higher' ? value > old : value < old)) best[name] = value;
  }
}

/** Folds one message into the header (in place): figures, plan, backend, and the end. */
export function foldHeader(h: RunHeader, m: TrainerMessage): void {
  const f = h.figures;
  switch (m.type) {
    case 'ready':
      h.backend = m.backend;
      break;
    case 'model':
      if (m.name && !TFJS_AUTO_NAME.test(m.name)) h.name = m.name;
      if (!m.plan) break; // a script's model: the script, not a plan, decides how it trains
      h.schedule = m.plan.schedule;
      h.plan = {
        epochs: m.plan.epochs, batchSize: m.plan.batchSize, stepsPerEpoch: m.plan.stepsPerEpoch, totalSteps: m.plan.totalSteps,
        optimizer: m.plan.optimizer, loss: m.plan.loss, seed: m.plan.seed,
      };
      break;
    case 'batch':
      f.steps = m.step;
      // A figure that is not finite (a diverged script's last loss) leaves the last finite one, as an
      // experiment's run keeps it (it sends no batch message for the step that diverged).
      f.batch = { ...f.batch, ...normalizeMetrics(m.metrics) };
      f.lr = m.lr;
      f.elapsedSec = m.elapsedSec;
      break;
    case 'epochEnd':
      f.epochs = m.epoch;
      f.train = normalizeMetrics(m.metrics);
      f.val = normalizeMetrics(m.val ?? {});
      f.test = normalizeMetrics(m.test ?? {});
      foldBest(f.bestVal, f.val);
      foldBest(f.bestTest, f.test);
      f.elapsedSec = m.elapsedSec;
      break;
    case 'anomaly':
    case 'error':
      h.reason = m.message;
      break;
    case 'done':
      h.status = statusOfDone(m.reason);
      if (h.status === 'error') h.reason ??= m.reason;
      f.steps = Math.max(f.steps, m.steps);
      f.elapsedSec = m.elapsedSec;
      break;
    default:
      break;
  }
}

export function statusOfDone(reason: string): RunStatus {
  return reason === 'completed' || reason === 'stopped' ? reason : 'error';
}

const figuresCheck = objectOf<RunFigures>({
  steps: integer, epochs: integer, batch: metricsCheck, lr: nullable(finite), train: metricsCheck, val: metricsCheck, test: metricsCheck,
  bestVal: metricsCheck, bestTest: metricsCheck, elapsedSec: finite,
});
const planCheck = objectOf<RunPlanFigures>({
  epochs: integer, batchSize: integer, stepsPerEpoch: integer, totalSteps: integer, optimizer: string, loss: string, seed: finite,
});
const headerCheck = refine(
  objectOf<RunHeader>({
    version: integer, id: string, file: string, copy: nullable(string), name: string, started: string, ended: nullable(string),
    status: literal('running', 'completed', 'stopped', 'error', 'interrupted'), reason: nullable(string), pid: integer, host: string,
    backend: nullable(string), schedule: nullable(scheduleCheck), plan: nullable(planCheck), figures: figuresCheck,
  }),
  (h, p) => (h.version <= RUN_HEADER_VERSION ? null : `${p}.version ${h.version} is newer than this Model Lens reads`),
);

/** A header read from disk: it entered this process, so it is checked like any message (an older version converted first). */
export function checkRunHeader(value: unknown): Checked<RunHeader> {
  const upgraded = upgradeRunHeader(value);
  const error = headerCheck(upgraded, 'run.json');
  return error ? { ok: false, error } : { ok: true, value: upgraded as RunHeader };
}

export { scheduleLabel } from '../protocol/runComparison';
