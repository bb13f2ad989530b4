// A run read back from its folder (`.model-lens/runs/<id>/`), shown in the panel as a live run is:
// the same snapshot (batch columns and the other messages), and then nothing new. An interrupted
// run is closed as the report closes it (up to its last step, then why it stopped). No vscode.
import { EventEmitter } from 'node:events';
import type { StepCommand } from '../protocol/messageChecks';
import type { TrainerMessage } from '../protocol/messages';
import { emptyBatchSeries, pushBatch, type BatchSeries, type RunState } from '../protocol/runState';
import { replayMessages } from '../runs/runReplay';
import type { RunEntry, RunStore } from '../runs/runStore';
import type { RunSessionEvents } from './runSession';

/** What the panel shows: a live RunSession or a RecordedRun. */
export interface ShownRun {
  readonly id: string;
  readonly file: string;
  /** The run's folder, when it is kept on disk. */
  readonly runDir: string | null;
  /** The model (its layers' call sites: a click on a node reveals its line). */
  readonly state: Pick<RunState, 'model'> & Partial<Pick<RunState, 'models'>>;
  snapshot(): { batches?: BatchSeries; messages: TrainerMessage[] };
  on(event: 'message', listener: (m: TrainerMessage) => void): unknown;
  off(event: 'message', listener: (m: TrainerMessage) => void): unknown;
  /** Passes a step-through command to the run's trainer; false when none is running. */
  control(command: StepCommand): boolean;
}

export class RecordedRun extends EventEmitter<RunSessionEvents> implements ShownRun {
  readonly id: string;
  readonly file: string;
  readonly runDir: string;
  readonly entry: RunEntry;
  readonly state: Pick<RunState, 'model' | 'models'> = { model: null, models: [] };
  private readonly batches: BatchSeries;
  private readonly others: TrainerMessage[] = [];

  /** Reads the whole run (`ref`: its folder or id); throws a UserError when it is no run. */
  constructor(store: RunStore, ref: string) {
    super();
    const { entry, messages } = store.read(ref);
    this.entry = entry;
    this.id = `recorded-${entry.id}`;
    this.file = store.fileOf(entry);
    this.runDir = entry.dir;
    this.batches = emptyBatchSeries();
    for (const m of replayMessages(entry, messages)) {
      if (m.type === 'model') {
        this.state.model = m;
        if (!this.state.models.some((known) => known.modelId === m.modelId)) this.state.models.push(m);
      }
      if (m.type === 'batch') pushBatch(this.batches, m);
      else this.others.push(m);
    }
  }

  /** A recorded run has no trainer to step. */
  control(): boolean {
    return false;
  }

  snapshot(): { batches: BatchSeries; messages: TrainerMessage[] } {
    return { batches: this.batches, messages: this.others };
  }
}
