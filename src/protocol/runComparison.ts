// Runs side by side (the panel's overlay and table): what one run contributes, folded from its
// messages. Metrics are kept by name (`loss`, `accuracy`, `lr`, `test_accuracy`, …), so a metric the
// trainer starts sending draws without a change here but the one line that names a message's metrics.
// Pure: the host computes it from recorded runs, the report's page from its embedded runs.
import type { ScheduleSpec } from './experimentSpec';
import type { BatchMessage, EpochEndMessage, Metrics, TrainerMessage } from './messages';
import { arrayOf, either, finite, nullable, objectOf, recordOf, refine, string, type Check } from './validation';

/** Points a run's step curves keep at most (every k-th step and the last): a long run stays small to post. */
export const MAX_COMPARED_POINTS = 2000;

export interface ComparedSeries {
  /** The x axes: step, epoch (fractional: 1.5 is half-way through the second), wall time in seconds. */
  step: number[];
  epoch: number[];
  elapsedSec: number[];
  /** Values by metric name, one per x (null where a metric has none). */
  metrics: Record<string, (number | null)[]>;
}

export interface ComparedRun {
  runId: string;
  /** How the legend and the table name the run. */
  label: string;
  file: string;
  status: string;
  /** Hyperparameters (optimizer, lr, batch size, schedule, …) as the table shows them. */
  params: Record<string, string | number | null>;
  /** Final results by name (test_accuracy, test_loss, train_loss, steps, seconds). */
  results: Record<string, number | null>;
  /** Per (kept) step. */
  steps: ComparedSeries;
  /** Per finished epoch, at the step it ended. */
  epochs: ComparedSeries;
  /** Custom scalars (`modelLens.log`, `lens.log`) by name, at the step (and the epoch and time of the last batch) they were logged. */
  scalars: ComparedSeries;
}

/** A batch's metrics by name (`loss`, `accuracy`, `mae`, … as sent) and its rate. */
export function batchMetrics(m: BatchMessage): Record<string, number | null> {
  return { ...m.metrics, lr: m.lr };
}

/** Each figure of a record under a split's prefix: `{ loss }` → `{ test_loss }`. */
function prefixed(prefix: string, metrics: Metrics | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(metrics ?? {}).map(([k, v]) => [`${prefix}_${k}`, v]));
}

/** An epoch's figures by name: train_* over the epoch, val_* on the validation split, test_* on the test split. */
export function epochMetrics(m: EpochEndMessage): Record<string, number | null> {
  return { ...prefixed('train', m.metrics), ...prefixed('val', m.val), ...prefixed('test', m.test), lr: m.lr };
}

/** The schedule in a word or two: `cosine`, `step(stepSize=2, gamma=0.5)`; `constant` without one. */
export function scheduleLabel(schedule: ScheduleSpec | null, withParams = false): string {
  if (!schedule) return 'constant';
  if (!withParams) return schedule.type;
  const params = Object.entries(schedule).filter(([k]) => k !== 'type').map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return params.length ? `${schedule.type}(${params.join(', ')})` : schedule.type;
}

function emptySeries(): ComparedSeries {
  return { step: [], epoch: [], elapsedSec: [], metrics: {} };
}

function pushPoint(s: ComparedSeries, x: { step: number; epoch: number; elapsedSec: number }, values: Record<string, number | null>): void {
  const n = s.step.length;
  s.step.push(x.step);
  s.epoch.push(x.epoch);
  s.elapsedSec.push(x.elapsedSec);
  for (const [name, v] of Object.entries(values)) {
    const column = (s.metrics[name] ??= new Array<number | null>(n).fill(null));
    column.push(v);
  }
  for (const column of Object.values(s.metrics)) if (column.length === n) column.push(null);
}

/** One run's curves, parameters and results from its messages (in order, as recorded). */
export function comparedRun(run: { runId: string; label: string; file: string; status: string }, messages: readonly TrainerMessage[]): ComparedRun {
  const batches: BatchMessage[] = [];
  const logged: { x: { step: number; epoch: number; elapsedSec: number }; values: Record<string, number | null> }[] = [];
  const epochs = emptySeries();
  let stepsPerEpoch = 1;
  let lastStep = 0;
  const params: ComparedRun['params'] = {};
  const results: ComparedRun['results'] = { test_accuracy: null, test_loss: null, train_loss: null, train_accuracy: null, steps: 0, seconds: 0 };
  for (const m of messages) {
    switch (m.type) {
      case 'ready':
        params.backend = m.backend;
        break;
      case 'model':
        if (!m.plan) break; // a script's model: its script decides the plan
        stepsPerEpoch = Math.max(1, m.plan.stepsPerEpoch);
        Object.assign(params, {
          schedule: scheduleLabel(m.plan.schedule), schedule_params: scheduleLabel(m.plan.schedule, true),
          optimizer: m.plan.optimizer, batch_size: m.plan.batchSize, epochs: m.plan.epochs,
          loss: m.plan.loss, seed: m.plan.seed,
        });
        break;
      case 'epochStart':
        if (m.epoch === 1) params.lr = m.lr;
        break;
      case 'batch':
        batches.push(m);
        lastStep = m.step;
        results.steps = m.step;
        results.seconds = m.elapsedSec;
        break;
      case 'epochEnd':
        pushPoint(epochs, { step: lastStep, epoch: m.epoch, elapsedSec: m.elapsedSec }, epochMetrics(m));
        Object.assign(results, prefixed('train', m.metrics), prefixed('val', m.val), prefixed('test', m.test));
        break;
      case 'evaluation':
        Object.assign(results, prefixed('test', m.test));
        break;
      case 'scalars': {
        const last = batches.at(-1);
        logged.push({ x: { step: m.step, epoch: last ? last.epoch - 1 + last.batch / stepsPerEpoch : 0, elapsedSec: last?.elapsedSec ?? 0 }, values: m.values });
        break;
      }
      case 'done':
        results.steps = Math.max(results.steps ?? 0, m.steps);
        results.seconds = m.elapsedSec;
        break;
      default:
        break;
    }
  }
  const steps = emptySeries();
  const stride = Math.max(1, Math.ceil(batches.length / MAX_COMPARED_POINTS));
  batches.forEach((b, i) => {
    if (i % stride !== 0 && i !== batches.length - 1) return;
    pushPoint(steps, { step: b.step, epoch: b.epoch - 1 + b.batch / stepsPerEpoch, elapsedSec: b.elapsedSec }, batchMetrics(b));
  });
  const scalars = emptySeries();
  const scalarStride = Math.max(1, Math.ceil(logged.length / MAX_COMPARED_POINTS));
  logged.forEach((l, i) => { if (i % scalarStride === 0 || i === logged.length - 1) pushPoint(scalars, l.x, l.values); });
  return { ...run, params, results, steps, epochs, scalars };
}

const column: Check<(number | null)[]> = arrayOf(nullable(finite));
const series = refine(
  objectOf<ComparedSeries>({ step: arrayOf(finite), epoch: arrayOf(finite), elapsedSec: arrayOf(finite), metrics: recordOf(column) }),
  (s, p) => ([s.epoch, s.elapsedSec, ...Object.values(s.metrics)].every((c) => c.length === s.step.length) ? null : `${p}'s columns must all have the same length`),
);

export const comparedRunCheck: Check<ComparedRun> = objectOf<ComparedRun>({
  runId: string, label: string, file: string, status: string,
  params: recordOf(nullable(either(string, finite, 'a string or a number'))),
  results: recordOf(nullable(finite)),
  steps: series, epochs: series, scalars: series,
});

/** Which differing parameters name a run first. */
const LABEL_KEYS = ['schedule', 'lr', 'optimizer', 'batch_size', 'epochs', 'schedule_params'];

/**
 * Legend labels that tell the runs apart: the run's name with its schedule when the runs' schedules
 * differ (`MNIST MLP · cosine`), then, while labels repeat, the first other parameter (by LABEL_KEYS)
 * whose value differs between the runs (at most two parameters in all), else the run's id.
 */
export function distinctLabels(runs: readonly { name: string; id: string; params: ComparedRun['params'] }[]): string[] {
  const rank = (k: string) => { const i = LABEL_KEYS.indexOf(k); return i < 0 ? LABEL_KEYS.length : i; };
  const shown = (v: string | number | null | undefined) => (v === null || v === undefined ? '—' : typeof v === 'number' ? String(Number(v.toPrecision(4))) : v);
  const differing = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort((a, b) => rank(a) - rank(b))
    .filter((k) => new Set(runs.map((r) => shown(r.params[k]))).size > 1);
  const unique = (labels: string[]) => new Set(labels).size === labels.length;
  const lead = differing.includes('schedule') ? ['schedule'] : [];
  const others = differing.filter((k) => k !== 'schedule');
  const labelled = (keys: string[]) => runs.map((r) => [r.name, ...keys.map((k) => shown(r.params[k]))].join(' · '));
  let labels = labelled(lead);
  for (let n = 1; n <= Math.min(2 - lead.length, others.length) && !unique(labels); n++) labels = labelled([...lead, ...others.slice(0, n)]);
  return labels.map((l, i) => (labels.indexOf(l) === labels.lastIndexOf(l) ? l : `${l} · ${runs[i].id}`));
}
