// What `model-lens runs` prints: the list, one run, and runs side by side, as text tables for people
// and as JSON. Pure: the command reads the runs, these shape them.
import * as path from 'node:path';
import type { ScheduleSpec } from '../protocol/experimentSpec';
import type { Metrics } from '../protocol/messages';
import { metricInfo, orderedMetricNames } from '../protocol/metricNames';
import { scheduleLabel, type RunFigures, type RunStatus } from '../runs/runHeader';
import type { RunDetails } from '../runs/runDetails';
import type { RunEntry } from '../runs/runStore';
import { clock, epochLine, printedMetric } from './trainingPrinter';

/** A run as `runs list --json` gives it. */
export interface RunListing {
  id: string;
  file: string;
  name: string;
  status: RunStatus;
  started: string;
  ended: string | null;
  steps: number;
  totalSteps: number | null;
  epochs: number;
  schedule: ScheduleSpec | null;
  optimizer: string | null;
  batchSize: number | null;
  /** Named figures (metricNames.ts): the last batch's, the last epoch's training, validation and test ones, the best. */
  batch: Metrics;
  train: Metrics;
  val: Metrics;
  test: Metrics;
  bestVal: Metrics;
  bestTest: Metrics;
  elapsedSec: number;
  backend: string | null;
  reason: string | null;
  dir: string;
}

export function runListing(e: RunEntry): RunListing {
  const f = e.figures;
  return {
    id: e.id, file: e.file, name: e.name, status: e.status, started: e.started, ended: e.ended, steps: f.steps,
    totalSteps: e.plan?.totalSteps ?? null, epochs: f.epochs, schedule: e.schedule, optimizer: e.plan?.optimizer ?? null,
    batchSize: e.plan?.batchSize ?? null, batch: f.batch, train: f.train, val: f.val, test: f.test, bestVal: f.bestVal, bestTest: f.bestTest,
    elapsedSec: f.elapsedSec, backend: e.backend, reason: e.reason, dir: e.dir,
  };
}

/** Columns padded to their widest cell; `right` columns aligned right (numbers). */
export function textTable(rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, [...cell].length); });
  return rows.map((row) => row.map((cell, i) => {
    const pad = ' '.repeat(widths[i] - [...cell].length);
    return i === row.length - 1 && !right.has(i) ? cell : right.has(i) ? pad + cell : cell + pad;
  }).join('  ')).join('\n');
}

const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(2)}%`);
/** `digits` decimals; a diverging figure (a million and up) in exponent form, as 3.422e+23 rather than toFixed's 22 digits. */
const fixed = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '—' : Math.abs(v) >= 1e6 ? v.toExponential(3) : v.toFixed(digits));
const figure = (figures: Metrics, name: string) => (Object.hasOwn(figures, name) ? printedMetric(name, figures[name]) : '—');

/** A run's headline test figure: the first in vocabulary order besides the loss (`acc 91.23%`, `mae 0.3120`), else the loss. */
function headline(f: RunFigures): string {
  const names = orderedMetricNames([f.test]);
  const name = names.find((n) => n !== 'loss') ?? names[0];
  return name === undefined ? '—' : `${metricInfo(name).short} ${printedMetric(name, f.test[name])}`;
}
const stepsOf = (e: RunEntry) => (e.plan ? `${e.figures.steps}/${e.plan.totalSteps}` : String(e.figures.steps));

/** `2025-01-31 14:25`, local time. */
export function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A run's LR schedule; a script's run has no plan (the script sets its own rate), so none is named. */
function scheduleOf(e: RunEntry, withParams = false): string {
  return e.plan ? scheduleLabel(e.schedule, withParams) : '—';
}

export function listText(entries: readonly RunEntry[]): string {
  if (entries.length === 0) return 'No runs yet: `model-lens train FILE` keeps each run here.';
  const rows = [['RUN', 'STATUS', 'STEPS', 'SCHEDULE', 'LOSS', 'TEST', 'TIME', 'STARTED', 'FILE']];
  for (const e of entries) {
    rows.push([e.id, e.status, stepsOf(e), scheduleOf(e), fixed(e.figures.batch.loss), headline(e.figures),
      clock(e.figures.elapsedSec), localTime(e.started), e.file]);
  }
  return textTable(rows, new Set([2, 4, 5, 6]));
}

function trainingLine(d: RunDetails): string {
  const p = d.entry.plan;
  if (!p) return '—';
  const lr = typeof d.settings?.initialLr === 'number' ? `, lr ${d.settings.initialLr}` : '';
  return `${p.epochs} epoch(s) × ${p.stepsPerEpoch} steps of ${p.batchSize}, ${p.optimizer}${lr}, ${p.loss}, seed ${p.seed}, ` +
    `schedule ${scheduleLabel(d.entry.schedule, true)}`;
}

export function showText(d: RunDetails, filePath: string, copyPath: string | null): string {
  const e = d.entry;
  const lines = [
    `Run ${e.id}: ${e.status}${e.reason ? ` (${e.reason})` : ''}`,
    `  File:      ${filePath}`,
    ...(copyPath ? [`  As it ran: ${copyPath}`] : []),
    `  Name:      ${e.name}`,
    `  Started:   ${localTime(e.started)}${e.ended ? `, ended ${localTime(e.ended)}` : ''}; trained ${clock(e.figures.elapsedSec)}`,
    `  Backend:   ${e.backend ?? '—'}`,
    `  Training:  ${trainingLine(d)}`,
    `  Steps:     ${stepsOf(e)}; last loss ${fixed(e.figures.batch.loss)}, lr ${e.figures.lr ?? '—'}`,
  ];
  if (d.final.epochs.length) lines.push('', ...epochLines(d));
  const evaluation = d.final.evaluation;
  if (evaluation) {
    const test = evaluation.test;
    lines.push('', ...orderedMetricNames([test]).filter((n) => n !== 'loss').map((n) => `Test ${metricInfo(n).label}: ${printedMetric(n, test[n])}`));
    evaluation.perClassAccuracy.forEach((acc, c) => lines.push(`Accuracy of class ${evaluation.classNames[c] ?? c}: ${acc === null ? 'n/a (no samples)' : pct(acc)}`));
  }
  return lines.join('\n');
}

/**
 * `Epoch [i/n]`, n as the epoch's own fit planned it (a script may fit several models, and one model
 * several times), each line naming its model when the run trained several.
 */
function epochLines(d: RunDetails): string[] {
  const { epochs, epochTotals, modelNames } = d.final;
  const totals = epochTotals?.length === epochs.length ? epochTotals : null;
  const several = new Set(epochs.map((m) => m.modelId ?? 0)).size > 1;
  return epochs.map((m, i) => {
    const line = epochLine(m, totals?.[i] ?? d.entry.plan?.epochs ?? null);
    if (!several) return line;
    const name = modelNames?.[String(m.modelId)];
    return `Model #${m.modelId ?? 0}${name ? ` (${name})` : ''}: ${line}`;
  });
}

export interface CompareRow {
  field: string;
  values: string[];
  /** The runs do not all agree on it. */
  differs: boolean;
}

/** One row per setting or result, one column per run; `sameFile[i]`: run i's experiment copy equals the first run's. */
export function compareRows(runs: readonly RunDetails[], sameFile: readonly (boolean | null)[]): CompareRow[] {
  const field = (name: string, value: (d: RunDetails, i: number) => string): CompareRow => {
    const values = runs.map(value);
    return { field: name, values, differs: new Set(values).size > 1 };
  };
  const plan = (d: RunDetails) => d.entry.plan;
  return [
    field('file', (d) => d.entry.file),
    {
      field: 'experiment file',
      values: runs.map((_d, i) => (i === 0 ? 'first' : sameFile[i] === null ? 'no copy' : sameFile[i] ? 'same as first' : 'differs from first')),
      differs: sameFile.some((same) => same === false),
    },
    field('status', (d) => d.entry.status),
    field('schedule', (d) => scheduleOf(d.entry, true)),
    field('optimizer', (d) => plan(d)?.optimizer ?? '—'),
    field('initial lr', (d) => (typeof d.settings?.initialLr === 'number' ? String(d.settings.initialLr) : '—')),
    field('loss fn', (d) => plan(d)?.loss ?? '—'),
    field('epochs', (d) => String(plan(d)?.epochs ?? '—')),
    field('batch size', (d) => String(plan(d)?.batchSize ?? '—')),
    field('seed', (d) => String(plan(d)?.seed ?? '—')),
    field('backend', (d) => d.entry.backend ?? '—'),
    field('steps', (d) => stepsOf(d.entry)),
    ...metricRows(runs, field),
    field('time', (d) => clock(d.entry.figures.elapsedSec)),
  ];
}

/** One row per named figure any of the runs has: training, validation, test, best validation and best test (`test accuracy`, `val mae`). */
function metricRows(runs: readonly RunDetails[], field: (name: string, value: (d: RunDetails) => string) => CompareRow): CompareRow[] {
  const records: [string, (f: RunFigures) => Metrics][] = [
    ['train', (f) => f.train], ['val', (f) => f.val], ['test', (f) => f.test], ['best val', (f) => f.bestVal], ['best test', (f) => f.bestTest],
  ];
  return records.flatMap(([prefix, of]) => orderedMetricNames(runs.map((d) => of(d.entry.figures)))
    .map((name) => field(`${prefix} ${metricInfo(name).label.toLowerCase()}`, (d) => figure(of(d.entry.figures), name))));
}

export function compareText(runs: readonly RunDetails[], rows: readonly CompareRow[]): string {
  const table = [['', ...runs.map((d) => d.entry.id)], ...rows.map((r) => [`${r.differs ? '*' : ' '} ${r.field}`, ...r.values])];
  return `${textTable(table)}\n(* the runs differ)`;
}

/** A path as a user would type it from here: relative below the current folder, else absolute. */
export function shownPath(p: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, path.resolve(p));
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : path.resolve(p);
}
