// The first level of a Runs tree: one row per experiment or script, newest first, with what a row
// shows (how many runs, the latest one's status and figures, the best test figures). Pure.
import type { Metrics } from '../protocol/messages';
import { foldBest } from './runHeader';
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
