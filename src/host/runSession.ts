// One training run as the extension host sees it: the forked trainer process (src/trainerProcess),
// every message it sent (checked), and the state folded from them. No `vscode` import: tested on its
// own in plain Node.
// Batch messages (most of a run: one per step) are kept only as the state's columns, not as objects:
// a fast model trained for an hour sends ~10⁶ of them.
import { EventEmitter } from 'node:events';
import type { RunRecorder } from '../runs/runRecorder';
import type { StepCommand } from '../protocol/messageChecks';
import { TrainerProcess, type MessageSource } from '../trainerProcess/trainerProcess';
import { timeHostWork } from './responsivenessProbe';
import type { DoneMessage, ModelId, TrainerMessage, TrainRequest } from '../protocol/messages';
import { ModelTracks } from '../protocol/modelTracks';
import { applyMessage, batchMessageAt, BATCH_COLUMNS, emptyRunState, type BatchSeries, type RunState } from '../protocol/runState';

export interface RunSessionOptions {
  trainerPath: string;
  request: TrainRequest;
  /** Extra environment (e.g. ELECTRON_RUN_AS_NODE under VS Code's Electron). */
  env?: NodeJS.ProcessEnv;
  /** How long Stop waits for the trainer to finish its step before killing it. */
  stopGraceMs?: number;
  /** How long building the model may take (default 60 s). */
  buildTimeoutSec?: number;
  log?: (line: string) => void;
  /** The trainer's scheduling niceness (POSIX 0–19; mapped to a priority class on Windows). */
  niceness?: number;
  /**
   * Keeps the run on disk (training runs): each frame is appended as it arrives, before anyone hears
   * of its messages. A trainer that crashed leaves its record unfinished: `interrupted`.
   */
  recorder?: RunRecorder;
  /** Where a script runs (request.script): its cwd, as a terminal in its workspace folder would give it. */
  cwd?: string;
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
  /** Each model's gradient figures apart: a script may train several, whose layers may share names. */
  private readonly modelGradients = new ModelTracks();

  /** The run's state with `modelId`'s gradients (the whole run's when it trains one model). */
  gradientStateOf(modelId: ModelId | undefined): RunState {
    return modelId === undefined ? this.state : this.modelGradients.shown(this.state, modelId);
  }
  /** The messages other than batches, in order, and how many batches came before each. */
  private readonly events: TrainerMessage[] = [];
  private readonly batchesBefore: number[] = [];
  private readonly trainer: TrainerProcess;
  readonly recorder: RunRecorder | null;

  constructor(options: RunSessionOptions) {
    super();
    this.file = options.request.file;
    this.recorder = options.recorder ?? null;
    this.trainer = new TrainerProcess({
      trainerPath: options.trainerPath,
      request: options.request,
      env: options.env,
      stopGraceMs: options.stopGraceMs,
      buildTimeoutSec: options.buildTimeoutSec,
      buildTimeoutSetting: 'the modelLens.buildTimeoutSeconds setting',
      crashHint: 'Check the "Model Lens" output for the trainer\'s log, then run again.',
      // Training takes a whole core for as long as it runs: below normal priority, so VS Code's UI and
      // extension host (and the panel drawing the run) come first when the cores are busy.
      niceness: options.niceness ?? TRAINER_NICENESS,
      script: options.request.script !== undefined,
      cwd: options.cwd,
      onOutput: (_stream, text) => options.log?.(text.trimEnd()),
      log: options.log,
      measure: timeHostWork,
    });
    this.trainer.on('frame', (frame, source) => this.receive(frame, source));
  }

  /** The run's folder, when it is kept on disk. */
  get runDir(): string | null {
    return this.recorder?.dir ?? null;
  }

  /** Until the run's `done`. */
  get running(): boolean {
    return this.trainer.running;
  }

  /** Until the trainer process has exited. */
  get alive(): boolean {
    return this.trainer.alive;
  }

  get pid(): number | undefined {
    return this.trainer.pid;
  }

  start(): void {
    // fork() returns once the child has exec'd: tens of milliseconds on a busy machine (the child
    // must get a core first). Booked for the responsiveness probe's report.
    timeHostWork('trainer fork', () => this.trainer.start());
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
    const metrics = Object.fromEntries(Object.entries(b.metrics).map(([name, column]) => [name, column.slice()]));
    const batches = { ...Object.fromEntries(BATCH_COLUMNS.map((c) => [c, b[c].slice()])), metrics } as unknown as BatchSeries;
    return { batches, messages: this.events.slice() };
  }

  /** Asks the trainer to stop after its current step; kills it if it does not within the grace time. */
  stop(): void {
    this.trainer.stop();
  }

  /** Passes a step-through command (checked by the caller) to the running trainer; false when it is not running. */
  control(command: StepCommand): boolean {
    return this.trainer.control(command);
  }

  /** Kills the trainer at once (window closing, extension deactivating, a newer inspection). */
  dispose(): void {
    this.trainer.kill();
  }

  private receive(frame: TrainerMessage[], source: MessageSource): void {
    if (this.recorder) {
      // What the trainer never said (its crash) is not its record: the run stays interrupted there.
      if (source === 'crash') this.recorder.finish();
      else this.recorder.append(frame);
    }
    for (const m of frame) this.push(m);
  }

  private push(m: TrainerMessage): void {
    if (m.type !== 'batch') {
      this.events.push(m);
      this.batchesBefore.push(this.state.batches.step.length);
    }
    applyMessage(this.state, m);
    if (m.type === 'gradients') this.modelGradients.apply(m);
    this.emit('message', m);
    if (m.type === 'done') this.emit('end', m);
  }
}
