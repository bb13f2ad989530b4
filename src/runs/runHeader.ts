// run.json: the small header of a run folder, written when the run starts, when its model arrives
// and when it ends, so a listing of a thousand runs reads a thousand small files and no messages.
import type { ScheduleSpec } from '../protocol/experimentSpec';
import type { TrainerMessage } from '../protocol/messages';
import { scheduleCheck } from '../protocol/messageChecks';
import { finite, integer, literal, nullable, objectOf, refine, string, type Checked } from '../protocol/validation';

export const RUN_HEADER_FILE = 'run.json';
export const RUN_HEADER_VERSION = 1;

export type RunStatus = 'running' | 'completed' | 'stopped' | 'error' | 'interrupted';

/** A run's key figures, folded from its messages as they arrive (foldFigures). */
export interface RunFigures {
  /** The last step trained (1-based, over the whole run); 0 before the first batch. */
  steps: number;
  epochs: number;
  /** The last batch's loss, accuracy and learning rate. */
  loss: number | null;
  accuracy: number | null;
  lr: number | null;
  /** The last finished epoch's figures. */
  trainLoss: number | null;
  trainAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
  bestTestAccuracy: number | null;
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
  return {
    steps: 0, epochs: 0, loss: null, accuracy: null, lr: null, trainLoss: null, trainAccuracy: null,
    testLoss: null, testAccuracy: null, bestTestAccuracy: null, elapsedSec: 0,
  };
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
      h.schedule = m.plan.schedule;
      h.plan = {
        epochs: m.plan.epochs, batchSize: m.plan.batchSize, stepsPerEpoch: m.plan.stepsPerEpoch, totalSteps: m.plan.totalSteps,
        optimizer: m.plan.optimizer, loss: m.plan.loss, seed: m.plan.seed,
      };
      break;
    case 'batch':
      f.steps = m.step;
      f.loss = m.loss;
      f.accuracy = m.accuracy;
      f.lr = m.lr;
      f.elapsedSec = m.elapsedSec;
      break;
    case 'epochEnd':
      f.epochs = m.epoch;
      f.trainLoss = m.trainLoss;
      f.trainAccuracy = m.trainAccuracy;
      f.testLoss = m.testLoss;
      f.testAccuracy = m.testAccuracy;
      if (m.testAccuracy !== null) f.bestTestAccuracy = Math.max(f.bestTestAccuracy ?? -Infinity, m.testAccuracy);
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
  steps: integer, epochs: integer, loss: nullable(finite), accuracy: nullable(finite), lr: nullable(finite),
  trainLoss: nullable(finite), trainAccuracy: nullable(finite), testLoss: nullable(finite), testAccuracy: nullable(finite),
  bestTestAccuracy: nullable(finite), elapsedSec: finite,
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

/** A header read from disk: it entered this process, so it is checked like any message. */
export function checkRunHeader(value: unknown): Checked<RunHeader> {
  const error = headerCheck(value, 'run.json');
  return error ? { ok: false, error } : { ok: true, value: value as RunHeader };
}

export { scheduleLabel } from '../protocol/runComparison';
