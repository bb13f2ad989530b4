// Writes one run's folder while it trains. The process that receives the trainer's messages (the
// CLI, the extension host) appends each frame as it arrives with one synchronous write, so a kill -9
// of either process loses at most the frame in flight; nothing is thinned. The header is rewritten
// (atomically: a temporary file renamed over it) when the model arrives and when the run ends.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_SUMMARY_COLUMNS, formatSummary } from '../model/formatSummary';
import type { EpochEndMessage, EvaluationMessage, DoneMessage, TrainerMessage } from '../protocol/messages';
import { frameText, MESSAGES_FILE } from './messagesFile';
import { foldHeader, RUN_HEADER_FILE, type RunHeader, type RunStatus } from './runHeader';

export const SETTINGS_FILE = 'settings.json';
export const SUMMARY_FILE = 'summary.txt';
export const FIGURES_FILE = 'figures.json';

/** figures.json: what a finished run reached, per epoch and at the end. */
export interface FinalFigures {
  epochs: EpochEndMessage[];
  /**
   * For each of `epochs`, how many its fit was to run (its epochStart's `epochs`; null: none seen):
   * a script's fits each have their own, and its models their own fits. Absent in older runs.
   */
  epochTotals?: (number | null)[];
  /** A script's models by id (ModelId): their names. Absent in older runs. */
  modelNames?: Record<string, string>;
  evaluation: EvaluationMessage | null;
  done: DoneMessage | null;
  figures: RunHeader['figures'];
}

export function writeJsonAtomic(file: string, value: unknown): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, `${JSON.stringify(value, null, 1)}\n`);
  fs.renameSync(temporary, file);
}

/** What the epoch lines of a run need from its messages, folded in order: each epoch's total, each model's name. */
export class EpochTotals {
  readonly totals: (number | null)[] = [];
  readonly modelNames: Record<string, string> = {};
  /** The epochs of each model's fit under way (by ModelId; 0: an experiment's one model). */
  private readonly running = new Map<number, number>();

  fold(m: TrainerMessage): void {
    if (m.type === 'epochStart') this.running.set(m.modelId ?? 0, m.epochs);
    else if (m.type === 'epochEnd') this.totals.push(this.running.get(m.modelId ?? 0) ?? null);
    else if (m.type === 'model' && m.modelId !== undefined) this.modelNames[String(m.modelId)] = m.name;
  }
}

export class RunRecorder {
  private fd: number | null;
  private readonly epochs: EpochEndMessage[] = [];
  private readonly epochTotals = new EpochTotals();
  private evaluation: EvaluationMessage | null = null;
  private done: DoneMessage | null = null;
  private settings: Record<string, unknown>;
  private failure: Error | null = null;
  /** Each model's summary, by model id: a script that trains several models keeps them all. */
  private readonly summaries = new Map<number, string>();

  /** Opened by RunStore.create, which made `dir` and wrote the start header. */
  constructor(readonly dir: string, private readonly header: RunHeader, overrides: Record<string, unknown>,
    private readonly onWriteError: (e: Error) => void = () => {}) {
    this.settings = { overrides };
    this.fd = fs.openSync(path.join(dir, MESSAGES_FILE), 'a');
    writeJsonAtomic(path.join(dir, SETTINGS_FILE), this.settings);
  }

  get id(): string { return this.header.id; }
  get finished(): boolean { return this.fd === null; }
  /** The header as it stands (its figures follow every message). */
  get current(): Readonly<RunHeader> { return this.header; }

  /** One frame (a message or the messages that arrived together): one append, then the header's figures. */
  append(frame: TrainerMessage | readonly TrainerMessage[]): void {
    if (this.fd === null) return;
    const messages = Array.isArray(frame) ? frame as readonly TrainerMessage[] : [frame as TrainerMessage];
    this.guard(() => writeAll(this.fd!, frameText(messages)));
    for (const m of messages) {
      foldHeader(this.header, m);
      this.epochTotals.fold(m);
      if (m.type === 'epochEnd') this.epochs.push(m);
      else if (m.type === 'evaluation') this.evaluation = m;
      else if (m.type === 'ready') this.settings.backend = { name: m.backend, reason: m.reason, versions: m.versions };
      else if (m.type === 'epochStart' && m.epoch === 1) this.settings.initialLr = m.lr;
      else if (m.type === 'model') this.onModel(m);
      else if (m.type === 'done') this.done = m;
    }
    if (this.done) this.finish();
  }

  /**
   * Ends the record: figures.json and the final header. Without a done message the trainer went away
   * mid-run, so the run is `interrupted` (or `status`, when the caller knows better). Idempotent.
   */
  finish(status?: RunStatus): Readonly<RunHeader> {
    if (this.fd === null) return this.header;
    const fd = this.fd;
    this.fd = null;
    try { fs.closeSync(fd); } catch { /* already gone with its folder */ }
    if (!this.done) this.header.status = status ?? 'interrupted';
    this.header.ended = new Date().toISOString();
    const final: FinalFigures = {
      epochs: this.epochs, epochTotals: this.epochTotals.totals, modelNames: this.epochTotals.modelNames,
      evaluation: this.evaluation, done: this.done, figures: this.header.figures,
    };
    this.guard(() => writeJsonAtomic(path.join(this.dir, FIGURES_FILE), final));
    this.guard(() => writeJsonAtomic(path.join(this.dir, SETTINGS_FILE), this.settings));
    this.guard(() => writeJsonAtomic(path.join(this.dir, RUN_HEADER_FILE), this.header));
    return this.header;
  }

  private onModel(m: Extract<TrainerMessage, { type: 'model' }>): void {
    this.settings = { ...this.settings, plan: m.plan, dataset: m.dataset };
    this.summaries.set(m.modelId ?? 0, formatSummary(m.summary, { columns: ALL_SUMMARY_COLUMNS }));
    const text = this.summaries.size === 1 ? [...this.summaries.values()]
      : [...this.summaries].map(([id, summary]) => `Model #${id}\n${summary}`);
    this.guard(() => fs.writeFileSync(path.join(this.dir, SUMMARY_FILE), `${text.join('\n\n')}\n`));
    this.guard(() => writeJsonAtomic(path.join(this.dir, SETTINGS_FILE), this.settings));
    this.guard(() => writeJsonAtomic(path.join(this.dir, RUN_HEADER_FILE), this.header));
  }

  /** A full disk or a deleted folder must not stop the training: the first failure is reported, later writes are skipped. */
  private guard(write: () => void): void {
    if (this.failure) return;
    try {
      write();
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.onWriteError(this.failure);
    }
  }
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let written = 0; written < bytes.length;) written += fs.writeSync(fd, bytes, written, bytes.length - written);
}
