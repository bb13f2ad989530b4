// The one way Model Lens runs its trainer: the extension host's RunSession and the CLI both fork
// dist/trainer.js through this class. It sends `start`, checks every frame, passes the run's messages
// on, and sees that the process ends whatever the user's code does:
// - Stop asks the trainer to stop after its step and kills it after a grace period (a trainer stuck in
//   the user's code cannot read the request);
// - building the model runs under a timeout kept here, not in the trainer (a loop in model() blocks
//   the trainer's event loop): the trainer announces each build step before the user's code runs;
// - a crash becomes an error message with the end of the trainer's stderr.
// Listeners get exactly one `done`, always the last message. No vscode, no tfjs.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { getPriority, setPriority } from 'node:os';
import { checkTrainerFrame, type StepCommand } from '../protocol/messageChecks';
import type { BuildMessage, DoneMessage, ErrorMessage, TrainerCommand, TrainerMessage, TrainRequest } from '../protocol/messages';
import { buildTimeoutError } from './buildTimeout';

export const DEFAULT_BUILD_TIMEOUT_SEC = 60;
export const DEFAULT_STOP_GRACE_MS = 5000;
/** A trainer exits on its own right after its `done`; one still there this much later is killed. */
const EXIT_AFTER_DONE_MS = 5000;
/** After the exit, how long to wait for the IPC channel to deliver what the trainer wrote last. */
const LAST_FRAMES_MS = 1000;

export interface TrainerProcessOptions {
  trainerPath: string;
  request: TrainRequest;
  /** Extra environment (e.g. ELECTRON_RUN_AS_NODE under VS Code's Electron). */
  env?: NodeJS.ProcessEnv;
  /** How long Stop waits for the trainer to finish its step before killing it. */
  stopGraceMs?: number;
  /** How long building the model may take: the file's top-level code, model(), a model.json. */
  buildTimeoutSec?: number;
  /** How the user raises the build timeout, named in its message (e.g. "--build-timeout SECONDS"). */
  buildTimeoutSetting?: string;
  /** What to do after the trainer crashed: the hint of that error. */
  crashHint?: string;
  /** The trainer's scheduling niceness (POSIX 0–19); its priority is never raised. */
  niceness?: number;
  /**
   * The trainer runs a user's script (request.script): its exit, whatever the code, ends the run as
   * the script ended it (0 completed, else error), not as a crash; see `exitCode`.
   */
  script?: boolean;
  /** Where the trainer runs (a script's cwd); the parent's when not given. */
  cwd?: string;
  /** What the trainer itself (and the user's code in it) writes to stdout and stderr. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /** Frames that failed their check. */
  log?: (line: string) => void;
  /** Wraps the handling of each frame (the extension host books it for its responsiveness report). */
  measure?: (label: string, work: () => void) => void;
}

/**
 * Who wrote a message: the trainer, or this class for it, because the trainer crashed, its build
 * timed out, or Stop (or kill) ended it.
 */
export type MessageSource = 'trainer' | 'crash' | 'timeout' | 'stop';

export interface TrainerProcessEvents {
  /** Every checked message of the run; the last one is its `done`. */
  message: [TrainerMessage, MessageSource];
  /** The process is gone (its run's `done` came before). */
  exit: [];
}

export class TrainerProcess extends EventEmitter<TrainerProcessEvents> {
  private child: ChildProcess | null = null;
  private ended = false;
  private gone = false;
  private exitEmitted = false;
  private stopping = false;
  private building: BuildMessage | null = null;
  private buildTimer: NodeJS.Timeout | null = null;
  private stopTimer: NodeJS.Timeout | null = null;
  private exitTimer: NodeJS.Timeout | null = null;
  private stderrTail = '';
  private steps = 0;
  private elapsedSec = 0;
  private code: number | null = null;

  constructor(private readonly options: TrainerProcessOptions) {
    super();
  }

  /** The trainer's exit code once it has exited (null: killed by a signal, or not exited yet). */
  get exitCode(): number | null {
    return this.code;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Until the run's `done` has been passed on. */
  get running(): boolean {
    return !this.ended;
  }

  /** Until the process has exited. */
  get alive(): boolean {
    return this.child !== null && !this.gone;
  }

  start(): void {
    if (this.child) return;
    const child = fork(this.options.trainerPath, [], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      ...(this.options.cwd ? { cwd: this.options.cwd } : {}),
      env: { ...process.env, ...this.options.env },
    });
    this.child = child;
    if (this.options.niceness !== undefined && child.pid !== undefined) {
      try {
        if (getPriority(child.pid) < this.options.niceness) setPriority(child.pid, this.options.niceness);
      } catch {
        // Not permitted here (some containers): the trainer runs at normal priority.
      }
    }
    child.stdout?.on('data', (d: Buffer) => this.options.onOutput?.('stdout', d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      this.stderrTail = (this.stderrTail + text).slice(-2000);
      this.options.onOutput?.('stderr', text);
    });
    const measure = this.options.measure ?? ((_label: string, work: () => void) => work());
    child.on('message', (raw) => measure('trainer frames', () => this.receive(raw)));
    child.on('error', (e) => {
      this.fail(`the trainer process could not run: ${e.message}`);
      if (child.pid === undefined) this.exited(null, null); // never started: no exit event will come
    });
    child.on('exit', (code, signal) => {
      this.gone = true;
      this.clearTimers();
      // Frames written just before the exit may still be in the IPC pipe: read them first.
      const settle = () => this.exited(code, signal);
      if (!child.connected) settle();
      else {
        child.once('disconnect', settle);
        setTimeout(settle, LAST_FRAMES_MS).unref();
      }
    });
    this.command({ type: 'start', request: this.options.request });
  }

  /**
   * Asks the trainer to stop after its current step and kills it if it has not ended within the
   * grace period. While the user's code builds the model there is no step to finish: killed at once.
   */
  stop(): void {
    if (this.ended || !this.child) return;
    this.stopping = true;
    if (this.building) {
      this.kill();
      return;
    }
    this.command({ type: 'stop' });
    this.stopTimer ??= setTimeout(() => this.kill(), this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
  }

  /** Passes pause, resume, step or trace to a trainer that is training; false when there is none. */
  control(command: StepCommand): boolean {
    if (this.ended || this.stopping || !this.child?.connected) return false;
    this.command(command);
    return true;
  }

  /** Kills the trainer at once; a run that had not ended ends as stopped. */
  kill(): void {
    this.stopping = true;
    this.killProcess();
    this.finish('stopped', 'stop');
  }

  private command(command: TrainerCommand): void {
    const child = this.child;
    if (!child?.connected) return;
    try {
      child.send(command);
    } catch {
      // The channel closed under us: the exit handler reports how the process ended.
    }
  }

  private killProcess(): void {
    if (this.child && !this.gone) this.child.kill('SIGKILL');
  }

  private receive(raw: unknown): void {
    const { messages, errors } = checkTrainerFrame(raw);
    for (const error of errors) this.options.log?.(`Model Lens: ignored a message from the trainer: ${error}`);
    for (const m of messages) {
      if (this.ended) return;
      if (m.type === 'build') this.onBuild(m);
      else this.pass(m, 'trainer');
    }
  }

  private onBuild(m: BuildMessage): void {
    if (this.buildTimer) clearTimeout(this.buildTimer);
    this.buildTimer = null;
    this.building = m.running ? m : null;
    const step = m.running;
    if (!step) return;
    const seconds = this.options.buildTimeoutSec ?? DEFAULT_BUILD_TIMEOUT_SEC;
    this.buildTimer = setTimeout(() => {
      if (this.ended) return;
      this.killProcess();
      this.pass(buildTimeoutError(step, m.location, seconds, this.options.buildTimeoutSetting), 'timeout');
      this.finish('error', 'timeout');
    }, seconds * 1000);
  }

  private pass(m: TrainerMessage, source: MessageSource): void {
    if (this.ended) return;
    if (m.type === 'batch') {
      this.steps = m.step;
      this.elapsedSec = m.elapsedSec;
    }
    if (m.type === 'done') {
      this.ended = true;
      this.clearTimers();
      // It exits on its own after `done`; if the user's code keeps it alive, it is not left running.
      if (!this.gone) this.exitTimer = setTimeout(() => this.killProcess(), EXIT_AFTER_DONE_MS);
    }
    this.emit('message', m, source);
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.gone = true;
    this.code = code;
    if (this.exitTimer) clearTimeout(this.exitTimer);
    if (!this.ended) {
      if (this.stopping) this.finish('stopped', 'stop');
      else if (this.options.script && code !== null) this.finish(code === 0 ? 'completed' : 'error', 'trainer');
      else {
        const why = signal ? `was killed (${signal})` : `exited with code ${code}`;
        const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
        this.fail(`the trainer process ${why} before finishing${tail ? `: ${tail}` : ''}`);
      }
    }
    if (!this.exitEmitted) {
      this.exitEmitted = true;
      this.emit('exit');
    }
  }

  private fail(message: string): void {
    if (this.ended) return;
    this.killProcess();
    const error: ErrorMessage = { type: 'error', message, location: null, hint: this.options.crashHint ?? null };
    this.pass(error, 'crash');
    this.finish('error', 'crash');
  }

  /** Ends the run (once): a `done` made here when the trainer could not send its own. */
  private finish(reason: DoneMessage['reason'], source: MessageSource): void {
    if (this.ended) return;
    this.pass({ type: 'done', stopped: reason === 'stopped', reason, steps: this.steps, elapsedSec: this.elapsedSec, savedTo: null }, source);
  }

  private clearTimers(): void {
    for (const t of [this.buildTimer, this.stopTimer]) if (t) clearTimeout(t);
    this.buildTimer = null;
    this.stopTimer = null;
  }
}
