import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainRequest } from '../protocol/messages';
import type { RunRecorder } from '../runs/runRecorder';
import { RunStore } from '../runs/runStore';
import { epochFiguresText } from '../protocol/runState';
import { FileInspections, type Inspection } from './fileInspections';
import { ResponsivenessProbe } from './responsivenessProbe';
import { RunSession } from './runSession';
import { readSettings } from './settings';

/**
 * The runs of this window: one training at a time per file, the latest one shown in the panel, and
 * inspections (graph and summary without training) apart from them. Both run in a forked trainer;
 * the host only relays and remembers.
 */
export class RunRegistry implements vscode.Disposable {
  private readonly byFile = new Map<string, RunSession>();
  private readonly inspections = new FileInspections((file, sourceText) => {
    const session = this.launch({ file, inspect: true, timeLayers: true, backend: readSettings().backend, sourceText });
    this.lastInspection = session;
    this.changed.fire(session);
    return session;
  });
  private current: RunSession | null = null;
  private lastInspection: RunSession | null = null;
  private readonly changed = new vscode.EventEmitter<RunSession>();
  /** Fires when a run starts or its current run changes. */
  readonly onDidStart = this.changed.event;

  constructor(private readonly context: vscode.ExtensionContext, private readonly output: vscode.LogOutputChannel) {}

  log(line: string): void {
    this.output.appendLine(`[host] ${line}`);
  }

  /** The latest training run (what the panel, its restore and Export Run show); the latest inspection only when nothing trained yet. */
  get latest(): RunSession | null {
    return this.current ?? this.lastInspection;
  }

  runFor(file: string): RunSession | undefined {
    return this.byFile.get(file);
  }

  /** The session of this window that records into `dir`, if any. */
  sessionForRunDir(dir: string): RunSession | undefined {
    return [...this.byFile.values()].find((s) => s.runDir === dir);
  }

  inspectionFor(file: string): RunSession | undefined {
    return this.inspections.latest(file);
  }

  /** A running training of `file`, else the newest session (training or inspection) that knows its model. */
  modelSessionFor(file: string): RunSession | undefined {
    const training = this.byFile.get(file);
    if (training?.running && training.state.model) return training;
    const sessions = [this.byFile.get(file), this.inspections.latest(file)].filter((s): s is RunSession => Boolean(s))
      .sort((a, b) => b.startedAt - a.startedAt);
    return sessions.find((s) => s.state.model) ?? sessions[0];
  }

  private trainerPath(): string {
    return path.join(this.context.extensionPath, 'dist', 'trainer.js');
  }

  /** Trains `request.file`, keeping the run in its project's `.model-lens/runs/` (a script: runs it, in `cwd`). */
  start(request: TrainRequest, cwd?: string): RunSession {
    const recorder = this.record(request);
    const session = this.launch(recorder ? { ...request, runDir: recorder.dir } : request, recorder, cwd);
    this.byFile.set(request.file, session);
    this.current = session;
    this.changed.fire(session); // once it is known here: listeners ask runningSessions()
    return session;
  }

  /**
   * Graph and summary of `file` (or of the editor's unsaved `sourceText`) without training, on the
   * training backend: shared while the text is unchanged, else the older inspection is killed.
   */
  inspect(file: string, sourceText?: string): Inspection {
    return this.inspections.request(file, sourceText);
  }

  /** The run's folder, made before the trainer starts; a run that cannot be kept still trains. */
  private record(request: TrainRequest): RunRecorder | undefined {
    const overrides = Object.fromEntries(Object.entries(request).filter(([k, v]) => k !== 'file' && k !== 'sourceText' && v !== undefined));
    const store = RunStore.forFile(request.file);
    try {
      return store.create({
        file: request.file, overrides, keep: readSettings().keepRuns,
        onWriteError: (e) => this.output.warn(`[host] the rest of this run is not kept: ${e.message}`),
      });
    } catch (e) {
      this.output.warn(`[host] this run is not kept in ${store.dir}: ${(e as Error).message}`);
      return undefined;
    }
  }

  private launch(request: TrainRequest, recorder?: RunRecorder, cwd?: string): RunSession {
    const session = new RunSession({
      recorder,
      trainerPath: this.trainerPath(),
      request,
      cwd,
      env: { ELECTRON_RUN_AS_NODE: '1' },
      buildTimeoutSec: readSettings().buildTimeoutSeconds,
      log: (line) => this.output.appendLine(line),
    });
    session.on('message', (m) => {
      if (m.type === 'log') this.output.appendLine(`[trainer] ${m.message}`);
      if (m.type === 'ready') this.output.appendLine(`[trainer] backend ${m.backend}: ${m.reason}`);
      if (m.type === 'error') this.output.error(`[trainer] ${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ''}${m.message}`);
      if (m.type === 'anomaly') this.output.warn(`[trainer] anomaly: ${m.message}`);
      if (m.type === 'epochEnd') this.output.appendLine(`[trainer] epoch ${m.epoch}: ${epochFiguresText(m)}`);
    });
    const probe = request.inspect ? null : new ResponsivenessProbe();
    session.on('end', (d) => {
      this.output.appendLine(`[trainer] ${request.inspect ? 'inspection' : 'run'} of ${path.basename(request.file)} ended: ${d.reason} after ${d.steps} steps`);
      if (probe) this.output.appendLine(`[host] ${probe.stop()}`);
    });
    this.output.appendLine(`[host] ${request.inspect ? 'inspecting' : request.script ? 'running the script' : 'training'} ${request.file}`);
    session.start();
    return session;
  }

  /** Stops the running training of `file`, or of the latest run. */
  stop(file?: string): RunSession | null {
    const session = file ? this.byFile.get(file) : [...this.byFile.values()].reverse().find((s) => s.running) ?? null;
    if (!session?.running) return null;
    session.stop();
    return session;
  }

  runningSessions(): RunSession[] {
    return [...this.byFile.values()].filter((s) => s.running);
  }

  dispose(): void {
    for (const s of this.byFile.values()) s.dispose();
    this.inspections.dispose();
    this.changed.dispose();
  }
}
