// The state of one script run that the tfjs hooks share: the models seen (each announced by a
// `model` message), the run's step and epoch, and the clock. The figures of fit's logs are kept
// under their names (scriptFigures.ts) and put into the batch/epoch messages in one place. The model
// doctor's state is here too: each model's loss as checked, the findings sent (once each), the
// training call that a `check` stops at. An inspection (summary, graph of a script) sends one model
// message only: the model that call trains, at the inspection's batch size and depth.
import type * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../model/loadExperiment';
import { computeSummary } from '../../model/modelSummary';
import type { DiagnosisMessage, LayerActivation } from '../../protocol/doctorMessages';
import type { BatchMessage, EpochEndMessage, LayerGradient, TrainRequest } from '../../protocol/messages';
import type { SourceLocation } from '../../protocol/modelInfo';
import { gradientLayers, type GradientLayer } from '../gradientStats';
import { modelMessage, now, type Emit } from '../runMessages';
import { TrainingDoctor } from '../trainingDoctor';
import { SamplingBudget } from './samplingBudget';
import type { NamedFigures } from './scriptFigures';
import { diagnoseCompiled, type ReadText } from './scriptDoctor';
import { diagnoseInputs } from '../inputScale';

interface SeenModel {
  model: tf.LayersModel;
  /** Its ModelId: 1-based, in the order the script made or first trained it. */
  id: number;
  /** The batch size its last model message was made for (null: none sent yet). */
  announcedBatch: number | null;
  layers: GradientLayer[] | null;
  variableCount: number;
  /** The training doctor reading its sampled gradients (made on its first). */
  doctor: TrainingDoctor | null;
  /** The loss its output was last checked against, and whether the doctor could read that loss. */
  checkedLoss: unknown;
  lossRecognised: boolean;
}

/** What a script run does with the doctor's findings beyond sending them. */
export interface ScriptDoctorHooks {
  /** An error finding: the run stops (a `check` goes on to the first update). */
  onError(d: DiagnosisMessage): void;
  /** Before the run's first update (check: stop there). */
  beforeUpdate(): void;
  readText: ReadText;
  /** The script's line of the call being made now (from the stack). */
  callSite(): SourceLocation | null;
}

export class ScriptSession {
  readonly started = now();
  /** 1-based count of optimizer updates over the whole run (fit's batches, trainOnBatch, minimize). */
  step = 0;
  /** 1-based epoch of the fit running now (1 outside fit). */
  epoch = 1;
  /** >0 while an instrumented call of a model runs (fit, fitDataset, trainOnBatch, compile): its updates report through it. */
  modelCalls = 0;
  /** The variables the last update changed: which model a custom loop trains. */
  lastUpdated: string[] = [];
  /** Rows of the last concrete input a model was applied to: a custom loop's batch size. */
  lastInputRows: number | null = null;
  /** After every optimizer update (loopHooks.ts reports a custom loop's loss there). */
  afterUpdate: (optimizer: tf.Optimizer) => void = () => undefined;
  private readonly models: SeenModel[] = [];
  /** Findings sent, by code and place: each once per run. */
  private readonly reported = new Set<string>();
  /** Whether the run's first training inputs were checked (once per run, as an experiment's first batch). */
  private inputsChecked = false;
  /** Depth of fits of compiled models whose loss the doctor read: their loss calls need no value check. */
  private lossReadByModel = 0;
  /** Where the script made its first training call (fit, fitDataset, trainOnBatch; else the first update's). */
  trainingCall: SourceLocation | null = null;
  /** The model of the training call (fit, fitDataset, trainOnBatch) last made: while modelCalls > 0, the one under way. */
  private callModel: tf.LayersModel | null = null;
  /** Set for an inspection (inspectAtFirstUpdate). */
  private inspection: Pick<TrainRequest, 'batchSize' | 'depth'> | null = null;
  doctorHooks: ScriptDoctorHooks = { onError: () => undefined, beforeUpdate: () => undefined, readText: () => null, callSite: () => null };

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
    this.models.push({ model, id, announcedBatch: null, layers: null, variableCount: -1, doctor: null, checkedLoss: undefined, lossRecognised: false });
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
    const batch = batchSize ?? seen.announcedBatch ?? this.lastInputRows ?? 1;
    if (seen.announcedBatch === batch || !model.built) return;
    seen.announcedBatch = batch;
    if (this.inspection) return; // its one model message comes at the first update
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

  /** Sends a finding once per run; an error one goes to the hooks (the run stops). */
  diagnose(d: DiagnosisMessage): void {
    const key = `${d.code}:${d.layer ?? ''}:${d.source?.file ?? ''}:${d.source?.line ?? ''}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.emit(d);
    if (d.severity === 'error') this.doctorHooks.onError(d);
  }

  /**
   * A training call of a compiled model starts: its output against its loss, the run's first inputs
   * (`inputs` reads some rows of what fit or trainOnBatch was given; null: not readable) against mean 0
   * and std 1, then `work`; the call's line kept.
   */
  training<T>(model: tf.LayersModel, work: () => T, inputs?: () => Float32Array | null): T {
    this.trainingCall ??= this.doctorHooks.callSite();
    this.callModel = model;
    const seen = this.models[this.noteModel(model) - 1];
    if (model.built && seen.checkedLoss !== model.loss) {
      seen.checkedLoss = model.loss;
      const loaded: LoadedModel = { model, ...this.sites, settings: {}, file: this.file };
      const found = diagnoseCompiled(loaded, model.loss, this.doctorHooks.readText);
      seen.lossRecognised = found.recognised;
      found.diagnoses.forEach((d) => this.diagnose(d));
    }
    if (inputs && !this.inputsChecked) {
      this.inputsChecked = true;
      const values = inputs();
      const d = values && diagnoseInputs(values, { kind: 'script' }, this.trainingCall);
      if (d) this.diagnose(d);
    }
    if (!seen.lossRecognised) return work();
    this.lossReadByModel++;
    let result: T;
    try {
      result = work();
    } catch (e) {
      this.lossReadByModel--;
      throw e;
    }
    if (result instanceof Promise) return result.finally(() => { this.lossReadByModel--; }) as T;
    this.lossReadByModel--;
    return result;
  }

  /** The run's first optimizer update is about to be applied (its gradients are computed; lastUpdated names its variables). */
  beforeFirstUpdate(): void {
    this.trainingCall ??= this.doctorHooks.callSite();
    if (this.inspection) this.sendInspection(this.inspection);
    this.doctorHooks.beforeUpdate();
  }

  /**
   * Makes this run an inspection (`model-lens summary|graph SCRIPT`, with a `check` that stops before
   * the first update): no model message but one, at the first update, of the model it trains.
   */
  inspectAtFirstUpdate(options: Pick<TrainRequest, 'batchSize' | 'depth'>): void {
    this.inspection = options;
  }

  /** The trained model's graph and summary: rows and nesting to `depth`; the summary at `batchSize`, else the training call's, the graph at `batchSize` only. */
  private sendInspection({ batchSize, depth }: Pick<TrainRequest, 'batchSize' | 'depth'>): void {
    const model = this.trainedModel();
    if (!model?.built) return;
    const seen = this.models[this.noteModel(model) - 1];
    const options = { batchSize: batchSize ?? seen.announcedBatch ?? this.lastInputRows ?? 1, depth, rowDepth: depth ?? Infinity, ...this.sites };
    const loaded: LoadedModel = { model, ...this.sites, settings: {}, file: this.file };
    this.emit({ ...modelMessage(loaded, undefined, undefined, computeSummary(model, options), { depth, batchSize: batchSize ?? null }), modelId: seen.id });
  }

  /**
   * The model the update about to be applied trains: that of the training call under way, else (a
   * custom loop) the model holding most of the variables it updates (the outer one of nested models).
   */
  private trainedModel(): tf.LayersModel | null {
    if (this.modelCalls > 0 && this.callModel) return this.callModel;
    const updated = new Set(this.lastUpdated);
    let best: tf.LayersModel | null = null;
    let most = 0;
    for (const { model } of this.models) {
      const held = model.built ? model.trainableWeights.filter((w) => updated.has(w.name)).length : 0;
      if (held > 0 && held >= most) [best, most] = [model, held];
    }
    return best;
  }

  /** Whether a loss function's values are worth reading now (a compiled loss the doctor read is not). */
  lossValuesWanted(): boolean {
    return this.lossReadByModel === 0;
  }

  /** A sampled step's gradient (and dead-unit) figures to the training doctor (no fixes: a script has no setting to write). */
  observeGradients(model: tf.LayersModel, step: number, lr: number, gradients: LayerGradient[], activations: LayerActivation[] | null = null): void {
    const seen = this.models[this.noteModel(model) - 1];
    seen.doctor ??= new TrainingDoctor({ locateLayer: (name) => this.locateLayer(model, name), locateSetting: () => null });
    // A finding about the rate has no setting to point at in a script: the training call's line stands for it.
    for (const d of seen.doctor.observe(step, lr, gradients, activations)) this.diagnose({ ...d, source: d.source ?? this.trainingCall, fixes: [] });
  }

  private locateLayer(model: tf.LayersModel, name: string): SourceLocation | null {
    try {
      return this.sites.locate(model.getLayer(name));
    } catch {
      return null; // a nested model's layer: its name is not the outer model's
    }
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
