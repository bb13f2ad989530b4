// The state of one script run that the tfjs hooks share: the models seen (each announced by a
// `model` message), the run's step and epoch, and the clock. The figures of fit's logs are kept
// under their names (scriptFigures.ts) and put into the batch/epoch messages in one place. The model
// doctor's state is here too: each model's loss as checked, the findings sent (once each), the
// training call that a `check` stops at. A loss that is not finite ends the run with an anomaly, as an
// experiment's does (reportBatch). An inspection (summary, graph of a script) sends one model message
// only: the model that call trains, at the inspection's batch size and depth.
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import type { LoadedModel } from '../../model/loadExperiment';
import { computeSummary } from '../../model/modelSummary';
import type { DiagnosisMessage, LayerActivation } from '../../protocol/doctorMessages';
import type { AnomalyMessage, BatchMessage, EpochEndMessage, LayerGradient, TrainRequest } from '../../protocol/messages';
import type { SourceLocation } from '../../protocol/modelInfo';
import { gradientLayers, type GradientLayer } from '../gradientStats';
import { modelMessage, now, type Emit } from '../runMessages';
import { TrainingDoctor } from '../trainingDoctor';
import { SamplingBudget } from './samplingBudget';
import type { NamedFigures } from './scriptFigures';
import { diagnoseCompiled, type ReadText } from './scriptDoctor';
import { diagnoseInputs } from '../inputScale';
import { inputReadAsIndices } from '../modelDoctor';
import { EventLoopTurns } from './eventLoopTurns';
import { lossBeforeUpdateText, lossDivergedText } from '../nonFiniteLoss';

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
  /** Updates applied to its variables: its own step count, which its gradient sampling goes by. */
  steps: number;
  /** The line of its training call running now (fit, fitDataset, trainOnBatch), read when needed. */
  call: (() => SourceLocation | null) | null;
  /** Its last sampled step (its own count) and the first layer whose gradient was not finite there. */
  sampled: { step: number; firstNonFinite: string | null } | null;
}

/** A model that an update trains: its layers as the gradient figures read them. */
export interface UpdatedModel {
  model: tf.LayersModel;
  id: number;
  layers: GradientLayer[];
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
  /** The same, the stack taken now and read only when the returned function is called. */
  callSiteLater(): () => SourceLocation | null;
  /** A loss that is not finite: the anomaly is sent; the run ends there. */
  onAnomaly(a: AnomalyMessage): void;
}

export class ScriptSession {
  readonly started = now();
  /** 1-based count of optimizer updates over the whole run (fit's batches, trainOnBatch, minimize). */
  step = 0;
  /** 1-based epoch of the fit running now (1 outside fit). */
  epoch = 1;
  /** >0 while an instrumented call of a model runs (fit, fitDataset, trainOnBatch, compile): its updates report through it. */
  modelCalls = 0;
  /** The model the last update trained: the one a custom loop's loss is charted for (null: variables no model holds). */
  lastUpdated: UpdatedModel | null = null;
  /** Rows of the last concrete input a model was applied to: a custom loop's batch size. */
  lastInputRows: number | null = null;
  /** Lets the event loop turn now and then inside fit and trainOnBatch (timers, IPC: live figures, Stop). */
  readonly turns = new EventLoopTurns();
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
  doctorHooks: ScriptDoctorHooks = {
    onError: () => undefined, beforeUpdate: () => undefined, readText: () => null, callSite: () => null, callSiteLater: () => () => null, onAnomaly: () => undefined,
  };
  /** Updates of variables no model holds (a loop's own tf.variables). */
  private looseSteps = 0;
  /** The model of the training call (fit, fitDataset, trainOnBatch) last made: while modelCalls > 0, the one under way. */
  private callModel: tf.LayersModel | null = null;
  /** Set for an inspection (inspectAtFirstUpdate). */
  private inspection: Pick<TrainRequest, 'batchSize' | 'depth'> | null = null;
  /** The variables the update about to be applied changes (set before beforeFirstUpdate). */
  updating: string[] = [];

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
    this.models.push({
      model, id, announcedBatch: null, layers: null, variableCount: -1, doctor: null, checkedLoss: undefined, lossRecognised: false, steps: 0, call: null, sampled: null,
    });
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

  /**
   * An optimizer update of these variables, about to be applied: counts the run's step and the
   * model's own, which it returns (1-based; for variables no model holds, such as a loop's own
   * tf.variables, the count of their updates). `lastUpdated` tells the model, with its layers input to output.
   */
  countUpdate(variableNames: string[]): number {
    this.step++;
    const names = new Set(variableNames);
    for (const seen of this.models) {
      const count = seen.model.trainableWeights.length;
      if (!seen.layers || seen.variableCount !== count) {
        if (!seen.model.built) continue;
        seen.layers = gradientLayers(seen.model);
        seen.variableCount = count;
      }
      if (seen.layers.some((l) => l.variables.some((v) => names.has(v.name)))) {
        this.lastUpdated = { model: seen.model, id: seen.id, layers: seen.layers };
        return ++seen.steps;
      }
    }
    this.lastUpdated = null;
    return ++this.looseSteps;
  }

  /** A sampled step's gradient figures were read: `firstNonFinite` names the layer a non-finite loss at that step points to. */
  noteSampled(model: tf.LayersModel, ownStep: number, firstNonFinite: string | null): void {
    this.models[this.noteModel(model) - 1].sampled = { step: ownStep, firstNonFinite };
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
    this.callModel = model;
    const seen = this.models[this.noteModel(model) - 1];
    const call = this.doctorHooks.callSiteLater();
    seen.call = call;
    this.trainingCall ??= call();
    if (model.built && seen.checkedLoss !== model.loss) {
      seen.checkedLoss = model.loss;
      const loaded: LoadedModel = { model, ...this.sites, settings: {}, file: this.file };
      const found = diagnoseCompiled(loaded, model.loss, this.doctorHooks.readText);
      seen.lossRecognised = found.recognised;
      found.diagnoses.forEach((d) => this.diagnose(d));
    }
    // Token ids into an Embedding are looked up, not scaled: the next inputs a model reads as values are checked instead.
    if (inputs && !this.inputsChecked && !inputReadAsIndices(model)) {
      this.inputsChecked = true;
      const values = inputs();
      const d = values && diagnoseInputs(values, { kind: 'script' }, call() ?? this.trainingCall);
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

  /** The run's first optimizer update is about to be applied (its gradients are computed; `updating` names its variables). */
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
    const updated = new Set(this.updating);
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

  /**
   * Sends a step's batch message (its step: the run's last update). A loss that is not finite then
   * ends the run as an experiment's does: an anomaly at the training call (`where`: a custom loop's
   * line; a fit's is kept by training()), naming the step, and the first layer whose gradient is not
   * finite when that step's gradients were sampled. The loss is left out of the message (not finite).
   */
  reportBatch(model: tf.LayersModel | null, epoch: number, batch: number, figures: NamedFigures, lr: number, samplesPerSec: number,
    where?: () => SourceLocation | null): void {
    this.emit(this.batchMessage(model, epoch, batch, figures, lr, samplesPerSec));
    const loss = figures.notFinite?.loss;
    if (loss === undefined) return;
    const anomaly = this.nonFiniteLoss(model, loss, epoch, batch, lr, where);
    this.emit(anomaly);
    this.doctorHooks.onAnomaly(anomaly);
  }

  private nonFiniteLoss(model: tf.LayersModel | null, loss: number, epoch: number, batch: number, lr: number, where?: () => SourceLocation | null): AnomalyMessage {
    const seen = model ? this.models[this.noteModel(model) - 1] : null;
    const ownStep = seen ? seen.steps : this.looseSteps;
    const layer = seen?.sampled?.step === ownStep ? seen.sampled.firstNonFinite : null;
    const source = (where ?? seen?.call)?.() ?? this.trainingCall;
    const step = this.step;
    const at = `step ${step} (epoch ${epoch}, batch ${batch})`;
    const trained = seen ? (this.models.length > 1 ? `model "${seen.model.name}"` : 'the model') : 'the variables';
    if (ownStep <= 1) {
      // The loss was computed before the first update of what it trains: the learning rate cannot be the cause.
      return {
        type: 'anomaly', kind: 'nonFiniteBeforeUpdate', epoch, step, layer, source,
        message: lossBeforeUpdateText({ loss, at, trained, layer, reads: 'its loss reads', check: path.basename(this.file) }),
      };
    }
    return {
      type: 'anomaly', kind: 'nonFiniteLoss', epoch, step, layer, source,
      message: lossDivergedText({ loss, at, trained, layer, updates: ownStep - 1, lr }),
    };
  }

  /** `model` null: a loop on variables no model holds, whose batches belong to the run alone. */
  batchMessage(model: tf.LayersModel | null, epoch: number, batch: number, figures: NamedFigures, lr: number, samplesPerSec: number): BatchMessage {
    return {
      type: 'batch', ...(model ? { modelId: this.idOf(model) } : {}), epoch, step: this.step, batch, metrics: figures.metrics, lr, samplesPerSec,
      elapsedSec: now() - this.started,
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
