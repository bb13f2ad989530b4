// The first level of a Runs tree: one row per experiment or script, newest first, with what a row
// shows (how many runs, the latest one's status and figures, the best test accuracy). Pure.
import type { RunEntry } from './runStore';

export interface RunFileGroup {
  file: string;
  name: string;
  runs: number;
  running: number;
  latest: RunEntry;
  bestTestAccuracy: number | null;
}

export function runFileGroups(entries: readonly RunEntry[]): RunFileGroup[] {
  const groups = new Map<string, RunFileGroup>();
  for (const e of entries) {
    let g = groups.get(e.file);
    if (!g) {
      g = { file: e.file, name: e.name, runs: 0, running: 0, latest: e, bestTestAccuracy: null };
      groups.set(e.file, g);
    }
    g.runs++;
    if (e.status === 'running') g.running++;
    if (e.started >= g.latest.started) { g.latest = e; g.name = e.name; }
    const best = e.figures.bestTestAccuracy;
    if (best !== null && (g.bestTestAccuracy === null || best > g.bestTestAccuracy)) g.bestTestAccuracy = best;
  }
  return [...groups.values()].sort((a, b) => (a.latest.started < b.latest.started ? 1 : -1));
}
