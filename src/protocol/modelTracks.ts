// A script may train several models; the panel shows one at a time. Each model's own messages (its
// model, epochs, batches and gradients: those with its modelId) fold into a state of its own, the
// run's other messages (ready, logs, scalars, errors, the end) stay the whole run's. The shown state
// is the whole run's with the picked model's parts. Pure: the webview keeps one, tests drive it.
import type { ModelId, ModelMessage, TrainerMessage } from './messages';
import { applyMessage, batchMessageAt, emptyRunState, type BatchSeries, type RunState } from './runState';

export class ModelTracks {
  private readonly tracks = new Map<ModelId, RunState>();
  /** The model whose message came last: the one training now, which the panel follows until one is picked. */
  latest: ModelId | null = null;

  /** Folds `m` into its model's state (messages without a model id belong to the whole run only). */
  apply(m: TrainerMessage): void {
    const id = 'modelId' in m ? m.modelId : undefined;
    if (id === undefined) return;
    let track = this.tracks.get(id);
    if (!track) {
      track = emptyRunState();
      this.tracks.set(id, track);
    }
    applyMessage(track, m);
    this.latest = id;
  }

  /** A snapshot's batch columns, each row to its model. */
  applyBatches(b: BatchSeries): void {
    for (let i = 0; i < b.step.length; i++) if (b.modelId[i]) this.apply(batchMessageAt(b, i));
  }

  /** The ids of the models seen, in the order they came. */
  ids(): ModelId[] {
    return [...this.tracks.keys()];
  }

  /**
   * What the views draw: the whole run while it has fewer than two models, else the run with `id`'s
   * model, epochs, batches and gradients (the latest model's when `id` is null or unknown).
   */
  shown(whole: RunState, id: ModelId | null): RunState {
    if (this.tracks.size < 2) return whole;
    const pick = id !== null && this.tracks.has(id) ? id : this.latest;
    const track = pick === null ? undefined : this.tracks.get(pick);
    if (!track) return whole;
    return {
      ...whole, model: track.model ?? whole.model, epoch: track.epoch, batches: track.batches, epochs: track.epochs, gradients: track.gradients,
    };
  }
}

/** A model's entry in the picker: its index, name and size (two models may share a name). */
export function modelChoiceLabel(m: ModelMessage): string {
  const layers = m.summary.layers.filter((l) => !l.isContainer).length;
  return `#${m.modelId ?? 1} ${m.name} · ${layers} layer${layers === 1 ? '' : 's'}, ${m.summary.totals.totalParams.toLocaleString('en-US')} params`;
}
