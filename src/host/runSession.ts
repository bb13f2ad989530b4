// One training run as the extension host sees it: the forked trainer process, every message it sent
// (checked), and the state folded from them. No `vscode` import: tested on its own in plain Node.
// Batch messages (most of a run: one per step) are kept only as the state's columns, not as objects:
// a fast model trained for an hour sends ~10⁶ of them.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { getPriority, setPriority } from 'node:os';
import { checkTrainerFrame } from '../protocol/messageChecks';
import { timeHostWork } from './responsivenessProbe';
import type { DoneMessage, ErrorMessage, TrainerMessage, TrainRequest } from '../protocol/messages';
import { applyMessage, batchMessageAt, BATCH_COLUMNS, emptyRunState, type BatchSeries, type RunState } from '../protocol/runState';

export interface RunSessionOptions {
  trainerPath: string;
  request: TrainRequest;
  /** Extra environment (e.g. ELECTRON_RUN_AS_NODE under VS Code's Electron). */
  env?: NodeJS.ProcessEnv;
  /** How long Stop waits for the trainer to finish its step before killing it. */
  stopGraceMs?: number;
  log?: (line: string) => void;
  /** The trainer's scheduling niceness (POSIX 0–19; mapped to a priority class on Windows). */
  niceness?: number;
}

/** Below normal: on Windows this maps to BELOW_NORMAL_PRIORITY_CLASS. */
export const TRAINER_NICENESS = 10;

let nextId = 1;

export interface RunSessionEvents {
  message: [TrainerMessage];
  end: [DoneMessage];
}

export class RunSession extends EventEmitter<RunSessionEvents> {
  readonly id = `run-${Date.now().toString(36)}-${nextId++}`;
  readonly file: string;
  readonly startedAt = Date.now();
  readonly state: RunState = emptyRunState();
  /** The messages other than batches, in order, and how many batches came before each. */
  private readonly events: TrainerMessage[] = [];
  private readonly batchesBefore: number[] = [];
  private child: ChildProcess | null = null;
  private ended = false;
  private stopTimer: NodeJS.Timeout | null = null;
  private stderrTail = '';

  constructor(private readonly options: RunSessionOptions) {
    super();
    this.file = options.request.file;
  }

  get running(): boolean {
    return !this.ended;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    // fork() returns once the child has exec'd: 11–37 ms in code-server's extension host on a busy
    // machine (the child must get a core first). Booked for the responsiveness probe's report.
    const child = timeHostWork('trainer fork', () => fork(this.options.trainerPath, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...this.options.env },
    }));
    this.child = child;
    // Training takes a whole core for as long as it runs: below normal priority, so VS Code's UI and
    // extension host (and the panel drawing the run) come first when the cores are busy.
    if (child.pid !== undefined) {
      try {
        const niceness = this.options.niceness ?? TRAINER_NICENESS;
        if (getPriority(child.pid) < niceness) setPriority(child.pid, niceness); // never raise it
      } catch {
        // Not permitted here (some containers): the trainer runs at normal priority.
      }
    }
    child.stdout?.on('data', (d: Buffer) => this.options.log?.(d.toString().trimEnd()));
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      this.stderrTail = (this.stderrTail + text).slice(-2000);
      this.options.log?.(text.trimEnd());
    });
    child.on('message', (raw) => this.receive(raw));
    child.on('error', (e) => this.fail(`the trainer process could not run: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.stopTimer) clearTimeout(this.stopTimer);
      if (!this.ended) {
        const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
        this.fail(`the trainer process ${why} before finishing${tail ? `: ${tail}` : ''}`);
      }
    });
    child.send({ type: 'start', request: this.options.request });
  }

  /** Every message of the run so far, in the order it came (batches rebuilt from the state's columns). */
  *messages(): Generator<TrainerMessage> {
    const b = this.state.batches;
    let next = 0;
    for (let e = 0; e < this.events.length; e++) {
      for (; next < this.batchesBefore[e]; next++) yield batchMessageAt(b, next);
      yield this.events[e];
    }
    for (; next < b.step.length; next++) yield batchMessageAt(b, next);
  }

  /** What a panel needs to show the run so far: the batch columns and the other messages in order. */
  snapshot(): { batches: BatchSeries; messages: TrainerMessage[] } {
    const b = this.state.batches;
    const batches = Object.fromEntries(BATCH_COLUMNS.map((c) => [c, b[c].slice()])) as unknown as BatchSeries;
    return { batches, messages: this.events.slice() };
  }

  /** Asks the trainer to stop after its current step; kills it if it does not within the grace time. */
  stop(): void {
    if (this.ended || !this.child) return;
    if (this.child.connected) this.child.send({ type: 'stop' });
    this.stopTimer ??= setTimeout(() => {
      if (!this.ended) {
        this.child?.kill('SIGKILL');
        this.synthesizeDone('stopped');
      }
    }, this.options.stopGraceMs ?? 5000);
  }

  /** Kills the trainer at once (window closing, extension deactivating). */
  dispose(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
    if (!this.ended) this.synthesizeDone('stopped');
  }

  private receive(raw: unknown): void {
    timeHostWork('trainer frames', () => {
      const { messages, errors } = checkTrainerFrame(raw);
      for (const error of errors) this.options.log?.(`Model Lens: ignored a message from the trainer: ${error}`);
      for (const m of messages) this.push(m);
    });
  }

  private push(m: TrainerMessage): void {
    if (this.ended) return;
    if (m.type !== 'batch') {
      this.events.push(m);
      this.batchesBefore.push(this.state.batches.step.length);
    }
    applyMessage(this.state, m);
    this.emit('message', m);
    if (m.type === 'done') {
      this.ended = true;
      this.emit('end', m);
    }
  }

  private fail(message: string): void {
    if (this.ended) return;
    const error: ErrorMessage = { type: 'error', message, location: null, hint: 'Check the "Model Lens" output for the trainer\'s log, then run again.' };
    this.push(error);
    this.synthesizeDone('error');
  }

  private synthesizeDone(reason: DoneMessage['reason']): void {
    if (this.ended) return;
    const last = this.state.batches.elapsedSec;
    this.push({
      type: 'done', stopped: reason === 'stopped', reason, steps: this.state.batches.step.length,
      elapsedSec: last.length ? last[last.length - 1] : 0, savedTo: null,
    });
  }
}
