// The first level of a Runs tree: one row per experiment or script, newest first, with what a row
// shows (how many runs, the latest one's status and figures, the best test figures). Pure.
import type { Metrics } from '../protocol/messages';
import { foldBest, scheduleLabel } from './runHeader';
import type { RunEntry } from './runStore';

export interface RunFileGroup {
  file: string;
  name: string;
  runs: number;
  running: number;
  latest: RunEntry;
  /** Each test figure's best over the file's runs. */
  bestTest: Metrics;
}

export function runFileGroups(entries: readonly RunEntry[]): RunFileGroup[] {
  const groups = new Map<string, RunFileGroup>();
  for (const e of entries) {
    let g = groups.get(e.file);
    if (!g) {
      g = { file: e.file, name: e.name, runs: 0, running: 0, latest: e, bestTest: {} };
      groups.set(e.file, g);
    }
    g.runs++;
    if (e.status === 'running') g.running++;
    if (e.started >= g.latest.started) { g.latest = e; g.name = e.name; }
    foldBest(g.bestTest, e.figures.bestTest);
  }
  return [...groups.values()].sort((a, b) => (a.latest.started < b.latest.started ? 1 : -1));
}

/** What a row of the Runs tree shows: its label, the figures beside it, and its hover text. */
export interface RunRowText {
  label: string;
  description: string;
  tooltip: string;
}

const percent = (v: number | null) => (v === null ? null : `${(100 * v).toFixed(1)}%`);

/** `1:05`, `1:02:03`: how long a run trained. */
export function durationText(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const p = (n: number) => String(n).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}` : `${Math.floor(s / 60)}:${p(s % 60)}`;
}

/** `Dec 6 14:05` in local time (the year only when it is not this one). */
export function startedText(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const month = d.toLocaleString('en-US', { month: 'short' });
  const p = (n: number) => String(n).padStart(2, '0');
  return `${month} ${d.getDate()}${d.getFullYear() === now.getFullYear() ? '' : ` ${d.getFullYear()}`} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A file's row: its name, how many runs, the best test accuracy (or loss when it has none). */
export function fileRowText(g: RunFileGroup): RunRowText {
  const best = g.bestTest.accuracy !== undefined ? percent(g.bestTest.accuracy) : g.bestTest.loss !== undefined ? `loss ${g.bestTest.loss.toPrecision(3)}` : null;
  const parts = [`${g.runs} run${g.runs === 1 ? '' : 's'}`, ...(g.running ? [`${g.running} running`] : []), ...(best ? [`best ${best}`] : [])];
  return { label: g.name, description: parts.join(' · '), tooltip: `${g.file}\nlatest: ${g.latest.id} (${g.latest.status})` };
}

/** A run's row: when it started; its status, key figures and duration beside it. */
export function runRowText(e: RunEntry, now = new Date()): RunRowText {
  const f = e.figures;
  const steps = e.plan ? `${f.steps}/${e.plan.totalSteps} steps` : `${f.steps} steps`;
  const testAccuracy = f.test.accuracy ?? null;
  const loss = f.batch.loss ?? f.train.loss ?? null;
  const figures = [
    e.status,
    ...(testAccuracy !== null ? [`test ${percent(testAccuracy)}`] : []),
    ...(loss !== null ? [`loss ${loss.toPrecision(3)}`] : []),
    ...(e.schedule ? [e.schedule.type] : []),
    durationText(f.elapsedSec),
  ];
  const tooltip = [
    `${e.name} — ${e.id}`, `${e.status}${e.reason ? `: ${e.reason}` : ''}`, steps,
    ...(e.plan ? [`${e.plan.optimizer}, batch ${e.plan.batchSize}, schedule ${scheduleLabel(e.schedule, true)}`] : []),
    ...(testAccuracy !== null ? [`test accuracy ${percent(testAccuracy)} (best ${percent(f.bestTest.accuracy ?? null)})`] : []),
    `trained ${durationText(f.elapsedSec)}${e.backend ? ` on ${e.backend}` : ''}`,
  ].join('\n');
  return { label: startedText(e.started, now), description: figures.join(' · '), tooltip };
}
