// Where a file's runs are kept: `.model-lens/runs` in its project, the nearest folder upward that
// has `.model-lens/`, `package.json` or `.git` (a folder, or a file in a git worktree); a file in no
// project keeps its runs beside it.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MODEL_LENS_DIR = '.model-lens';
export const RUNS_DIR = 'runs';
const PROJECT_MARKERS = [MODEL_LENS_DIR, 'package.json', '.git'];

/** The nearest folder from `dir` upward that has a project marker, or null. */
export function findProjectRoot(dir: string): string | null {
  let current = path.resolve(dir);
  for (;;) {
    if (PROJECT_MARKERS.some((m) => fs.existsSync(path.join(current, m)))) return current;
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/** The runs folder for a file's runs. */
export function runsDirForFile(file: string): string {
  const dir = path.dirname(path.resolve(file));
  return path.join(findProjectRoot(dir) ?? dir, MODEL_LENS_DIR, RUNS_DIR);
}

/** The runs folder seen from a working folder (the CLI's default). */
export function runsDirFromFolder(dir: string): string {
  return path.join(findProjectRoot(dir) ?? path.resolve(dir), MODEL_LENS_DIR, RUNS_DIR);
}

/**
 * The runs folder a user named: a folder of runs itself, or a project that holds `.model-lens/runs`.
 */
export function runsDirFromOption(dir: string): string {
  const nested = path.join(path.resolve(dir), MODEL_LENS_DIR, RUNS_DIR);
  return fs.existsSync(nested) ? nested : path.resolve(dir);
}

/**
 * Makes the runs folder, and a `.gitignore` of `*` in `.model-lens/` when it makes that folder, so
 * runs stay out of version control unless the user decides otherwise (an existing one is kept).
 */
export function ensureRunsDir(runsDir: string): void {
  const parent = path.dirname(runsDir);
  if (path.basename(parent) === MODEL_LENS_DIR && !fs.existsSync(parent)) {
    fs.mkdirSync(parent, { recursive: true });
    fs.writeFileSync(path.join(parent, '.gitignore'), '# Model Lens runs: kept out of version control. Delete this file to commit them.\n*\n');
  }
  fs.mkdirSync(runsDir, { recursive: true });
}
