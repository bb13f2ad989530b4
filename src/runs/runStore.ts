// The runs of a project: `.model-lens/runs/<time>-<name>/`, one folder per run. No vscode and no
// tfjs here: the extension host and the CLI share it.
//
// A run folder holds:
//   run.json        the header (RunHeader): what listings read, rewritten at the start, when the
//                   model arrives and at the end
//   messages.jsonl  every protocol message, one a line, appended a frame at a time as it arrives
//   <file>.ts       a copy of the experiment as it was when the run started
//   settings.json   the overrides it ran with, the resolved plan, the dataset, the backend
//   summary.txt     the layer summary as torchinfo prints it
//   figures.json    per-epoch figures, the last evaluation and the end (FinalFigures)
//
// On disk a run costs what its messages cost, kept whole: a batch message every step and, on sampled
// steps, the gradient figures (with a histogram now and then), so a few hundred bytes per step at the
// default sampling, plus the model, samples and summary once. `npm run bench -- runs` measures it on
// a real run (docs/benchmarks.md).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from '../model/userError';
import type { TrainerMessage } from '../protocol/messages';
import { MESSAGES_FILE, readMessages, readTail, type ReadStats } from './messagesFile';
import { ensureRunsDir, MODEL_LENS_DIR, runsDirForFile } from './projectRoot';
import { checkRunHeader, emptyFigures, RUN_HEADER_FILE, RUN_HEADER_VERSION, statusOfDone, type RunHeader } from './runHeader';
import { RunRecorder, writeJsonAtomic } from './runRecorder';

export interface CreateRunOptions {
  /** The experiment or script the run trains. */
  file: string;
  /** What the run was asked to change (CLI flags, VS Code settings): kept in settings.json. */
  overrides?: Record<string, unknown>;
  /** Keep only the last N runs of this file (the new one included); default: all. */
  keep?: number;
  /** The process that will append the messages (default: this one). */
  pid?: number;
  now?: Date;
  onWriteError?: (e: Error) => void;
}

/** A listed run: its header, as its status stands now, and its folder. */
export interface RunEntry extends RunHeader {
  dir: string;
}

export interface RunRecord {
  entry: RunEntry;
  messages: TrainerMessage[];
  stats: ReadStats;
}

const HOST = os.hostname();

export class RunStore {
  /** `dir` is the runs folder itself (…/.model-lens/runs). */
  constructor(readonly dir: string) {}

  static forFile(file: string): RunStore {
    return new RunStore(runsDirForFile(file));
  }

  /** The folder the runs' `file` paths are relative to: the project that holds `.model-lens/`. */
  get projectRoot(): string {
    const parent = path.dirname(this.dir);
    return path.basename(parent) === MODEL_LENS_DIR ? path.dirname(parent) : parent;
  }

  /** The experiment or script a run trained, as an absolute path. */
  fileOf(header: RunHeader): string {
    return path.resolve(this.projectRoot, header.file);
  }

  /** Starts a run: its folder, the copy of its file, the start header; then prunes older runs of the file. */
  create(options: CreateRunOptions): RunRecorder {
    ensureRunsDir(this.dir);
    const file = path.resolve(options.file);
    const started = options.now ?? new Date();
    const base = path.basename(file).replace(/\.[^.]+$/, '');
    const dir = this.claimFolder(`${folderTime(started)}-${slug(base)}`);
    const relative = path.relative(this.projectRoot, file);
    const copy = path.basename(file);
    let copied: string | null = null;
    try {
      fs.copyFileSync(file, path.join(dir, copy));
      copied = copy;
    } catch {
      copied = null; // a file that is gone or unreadable: the run still records
    }
    const header: RunHeader = {
      version: RUN_HEADER_VERSION, id: path.basename(dir),
      file: relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/'),
      copy: copied, name: base, started: started.toISOString(), ended: null, status: 'running', reason: null,
      pid: options.pid ?? process.pid, host: HOST, backend: null, schedule: null, plan: null, figures: emptyFigures(),
    };
    writeJsonAtomic(path.join(dir, RUN_HEADER_FILE), header);
    const recorder = new RunRecorder(dir, header, options.overrides ?? {}, options.onWriteError);
    if (options.keep !== undefined) this.prune(header.file, options.keep);
    return recorder;
  }

  /**
   * Every run, oldest first, from the headers alone; a run whose header still says running is
   * looked at closer (the tail of its messages, its process): a dead process makes it `interrupted`,
   * and its header is corrected on disk so the next listing reads the header only.
   */
  list(): RunEntry[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const entries: RunEntry[] = [];
    for (const name of names) {
      const entry = this.entryAt(path.join(this.dir, name));
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) => (a.started < b.started ? -1 : a.started > b.started ? 1 : a.id < b.id ? -1 : 1));
  }

  /** A run folder's header with its current status, or null if the folder is no run. */
  entryAt(dir: string): RunEntry | null {
    let raw: string;
    try {
      raw = fs.readFileSync(path.join(dir, RUN_HEADER_FILE), 'utf8');
    } catch {
      return null;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return null;
    }
    const checked = checkRunHeader(parsed);
    if (!checked.ok) return null;
    const entry: RunEntry = { ...checked.value, dir };
    if (entry.status === 'running') settleRunning(entry);
    return entry;
  }

  /** A run's folder from what a user typed: a folder name, a unique prefix of one, or a path. */
  resolve(ref: string): string {
    const asPath = path.resolve(ref);
    if (fs.existsSync(path.join(asPath, RUN_HEADER_FILE))) return asPath;
    let names: string[] = [];
    try {
      names = fs.readdirSync(this.dir).filter((n) => fs.existsSync(path.join(this.dir, n, RUN_HEADER_FILE)));
    } catch {
      throw new UserError(`no runs in ${this.dir}.`, null, 'Train a model first, or point --dir at a folder of runs.');
    }
    if (names.includes(ref)) return path.join(this.dir, ref);
    const matches = names.filter((n) => n.startsWith(ref));
    if (matches.length === 1) return path.join(this.dir, matches[0]);
    if (matches.length === 0) {
      throw new UserError(`no run "${ref}" in ${this.dir}.`, null, 'Run `model-lens runs list` to see the runs (a unique prefix of a name is enough).');
    }
    const shown = matches.slice(0, 5).join(', ') + (matches.length > 5 ? `, … (${matches.length} in all)` : '');
    throw new UserError(`"${ref}" matches ${matches.length} runs: ${shown}.`, null, 'Give more of the name.');
  }

  /** A run's header and every message it recorded (a cut-short last line left out). */
  read(ref: string): RunRecord {
    const dir = this.resolve(ref);
    const entry = this.entryAt(dir);
    if (!entry) throw new UserError(`${dir} has no readable ${RUN_HEADER_FILE}: it is not a Model Lens run.`);
    const { messages, stats } = readMessages(path.join(dir, MESSAGES_FILE));
    return { entry, messages, stats };
  }

  /** Deletes a run folder; a run still recording is refused. */
  remove(ref: string): RunEntry {
    const dir = this.resolve(ref);
    const entry = this.entryAt(dir);
    if (!entry) throw new UserError(`${dir} has no readable ${RUN_HEADER_FILE}: not removing a folder that is not a Model Lens run.`);
    if (entry.status === 'running') {
      throw new UserError(`run ${entry.id} is still running (process ${entry.pid}).`, null, 'Stop it first.');
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return entry;
  }

  /** Keeps the last `keep` runs of `file` (header path), removing older ones that are not running. */
  prune(file: string, keep: number): RunEntry[] {
    const ofFile = this.list().filter((e) => e.file === file);
    const old = ofFile.slice(0, Math.max(0, ofFile.length - Math.max(1, keep))).filter((e) => e.status !== 'running');
    for (const e of old) fs.rmSync(e.dir, { recursive: true, force: true });
    return old;
  }

  private claimFolder(name: string): string {
    for (let n = 1; ; n++) {
      const dir = path.join(this.dir, n === 1 ? name : `${name}-${n}`);
      try {
        fs.mkdirSync(dir);
        return dir;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
  }
}

/** A header that says running: ended after all (a done message), still going, or interrupted. */
function settleRunning(entry: RunEntry): void {
  const tail = readTail(path.join(entry.dir, MESSAGES_FILE));
  if (tail.lastBatch) {
    entry.figures.steps = Math.max(entry.figures.steps, tail.lastBatch.step);
    entry.figures.batch = tail.lastBatch.metrics;
    entry.figures.lr = tail.lastBatch.lr;
    entry.figures.elapsedSec = tail.lastBatch.elapsedSec;
  }
  const alive = processAlive(entry.pid, entry.host);
  if (tail.done) {
    entry.status = statusOfDone(tail.done.reason);
    entry.figures.steps = Math.max(entry.figures.steps, tail.done.steps);
    entry.figures.elapsedSec = tail.done.elapsedSec;
  } else if (!alive) {
    entry.status = 'interrupted';
  }
  if (alive) return; // its recorder writes the header itself
  try {
    const { dir: _dir, ...header } = entry;
    writeJsonAtomic(path.join(entry.dir, RUN_HEADER_FILE), header);
  } catch {
    // a read-only folder: listed right all the same, settled again next time
  }
}

/** Whether the recording process may still be alive: on another machine we cannot tell, so yes. */
export function processAlive(pid: number, host: string): boolean {
  if (host !== HOST) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `20250131-142501`: local time, sortable, safe in every file system. */
export function folderTime(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function slug(name: string): string {
  return name.replace(/[^\w.-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 60) || 'run';
}
