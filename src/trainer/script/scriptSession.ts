// The state of one script run that the tfjs hooks share: the models seen (each announced by a
// `model` message), the run's step and epoch, and the clock. The figures of fit's logs are kept
// under their names (scriptFigures.ts) and put into the batch/epoch messages in one place.
import type * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../model/loadExperiment';
import { computeSummary } from '../../model/modelSummary';
import type { BatchMessage, EpochEndMessage } from '../../protocol/messages';
import { gradientLayers, type GradientLayer } from '../gradientStats';
import { modelMessage, now, type Emit } from '../runMessages';
import { SamplingBudget } from './samplingBudget';
import type { NamedFigures } from './scriptFigures';

interface SeenModel {
  model: tf.LayersModel;
  /** Its ModelId: 1-based, in the order the script made or first trained it. */
  id: number;
  /** The batch size its last model message was made for (null: none sent yet). */
  announcedBatch: number | null;
  layers: GradientLayer[] | null;
  variableCount: number;
}

export class ScriptSession {
  readonly started = now();
  /** 1-based count of optimizer updates over the whole run (fit's batches, trainOnBatch, minimize). */
  step = 0;
  /** 1-based epoch of the fit running now (1 outside fit). */
  epoch = 1;
  private readonly models: SeenModel[] = [];

  constructor(
    readonly emit: Emit,
    readonly file: string,
    /** Where the script made each layer, and the call stacks that built them (the graph's groups). */
    private readonly sites: Pick<LoadedModel, 'locate' | 'stackOf'>,
    readonly gradientEvery: number,
    /** Which steps get gradient figures (default: every gradientEvery-th, exactly). */
    readonly sampling: SamplingBudget = new SamplingBudget(gradientEvery, false),
  ) {}

  /** A model made by tf.sequential / tf.model: known, so a custom loop's gradients find their layers. */
  noteModel(model: tf.LayersModel): number {
    const known = this.models.find((m) => m.model === model);
    if (known) return known.id;
    const id = this.models.length + 1;
    this.models.push({ model, id, announcedBatch: null, layers: null, variableCount: -1 });
    return id;
  }

  /** The model's id (ModelId), which every message about it carries. */
  idOf(model: tf.LayersModel): number {
    return this.noteModel(model);
  }

  /** Sends the model's graph and summary (again when trained at another batch size than announced). */
  announce(model: tf.LayersModel, batchSize: number | null): void {
    this.noteModel(model);
    const seen = this.models.find((m) => m.model === model)!;
    const batch = batchSize ?? seen.announcedBatch ?? 1;
    if (seen.announcedBatch === batch || !model.built) return;
    seen.announcedBatch = batch;
    const loaded: LoadedModel = { model, ...this.sites, settings: {}, file: this.file };
    this.emit({ ...modelMessage(loaded, undefined, undefined, computeSummary(model, { batchSize: batch, rowDepth: Infinity, ...this.sites })), modelId: seen.id });
  }

  /** The layers (input to output) whose variables these gradients update, and their model; null when no model owns them. */
  layersFor(variableNames: string[]): { model: tf.LayersModel; id: number; layers: GradientLayer[] } | null {
    const names = new Set(variableNames);
    for (const seen of this.models) {
      const count = seen.model.trainableWeights.length;
      if (!seen.layers || seen.variableCount !== count) {
        if (!seen.model.built) continue;
        seen.layers = gradientLayers(seen.model);
        seen.variableCount = count;
      }
      if (seen.layers.some((l) => l.variables.some((v) => names.has(v.name)))) return { model: seen.model, id: seen.id, layers: seen.layers };
    }
    return null;
  }

  batchMessage(model: tf.LayersModel, epoch: number, batch: number, figures: NamedFigures, lr: number, samplesPerSec: number): BatchMessage {
    return {
      type: 'batch', modelId: this.idOf(model), epoch, step: this.step, batch, metrics: figures.metrics, lr, samplesPerSec, elapsedSec: now() - this.started,
    };
  }

  epochEndMessage(model: tf.LayersModel, epoch: number, figures: NamedFigures, lr: number, epochSec: number): EpochEndMessage {
    const message: EpochEndMessage = { type: 'epochEnd', modelId: this.idOf(model), epoch, metrics: figures.metrics, lr, epochSec, elapsedSec: now() - this.started };
    if (figures.val) message.val = figures.val;
    return message;
  }
}

/** The optimizer's current learning rate (tfjs keeps it as `learningRate`), 0 when it has none. */
export function learningRateOf(optimizer: unknown): number {
  const lr = (optimizer as { learningRate?: unknown } | null)?.learningRate;
  return typeof lr === 'number' && Number.isFinite(lr) ? lr : 0;
}
