// The plan of a run: everything decided before its first step (backend, model, data, the checks
// that they fit, optimizer, schedule), announced by the `ready` and `model` messages.
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { outputUnits as taskOutputs, type DataSource, type TaskKind } from '../data/dataSource';
import { createRandom } from '../data/seededRandom';
import { loadExperiment, loadModelFile, type LoadedModel, type LoadOptions } from '../model/loadExperiment';
import { memoryLimits } from '../model/memoryLimits';
import { locateSettingInFile } from '../model/settingLocation';
import { computeSummary } from '../model/modelSummary';
import { checkSaveFolder } from '../model/saveModelFiles';
import { UserError } from '../model/userError';
import type { ExperimentSettings, OptimizerSpec, TrainingSpec } from '../protocol/experimentSpec';
import type { BackendName, DatasetInfo, TrainingPlan, TrainRequest } from '../protocol/messages';
import type { DiagnosisMessage } from '../protocol/doctorMessages';
import type { ModelSummary, SourceLocation } from '../protocol/modelInfo';
import type { SettingPath } from '../protocol/settingRules';
import { activationTaps, type ActivationTaps } from './activationStats';
import { backendThatRuns, chooseBackend, type BackendChoice } from './backendChoice';
import { batchTensors, zeroBatch } from './batchTensors';
import { freezeLayers } from './freezeLayers';
import { DEFAULT_GRADIENT_EVERY, gradientLayers, HISTOGRAM_EVERY_SAMPLES, type GradientLayer } from './gradientStats';
import { emitInspection } from './inspection';
import { diagnoseOutput, fixesHint, inputReadAsIndices } from './modelDoctor';
import { inputScaling, type InputScaling } from './inputScale';
import { withForwardTimes } from './layerTimes';
import { createSchedule, type LrSchedule, type ScheduleContext } from './lrSchedule';
import { lossDefinition, type LossDefinition } from './losses';
import { checkModelFitsData, outputUnits } from './modelFit';
import { createOptimizer, optimizerCopies } from './optimizers';
import { checkTrainingMemory, trainingMemory } from './memoryCheck';
import { plannedLr } from './plannedLr';
import { Checkpoints } from './checkpoints';
import { EarlyStopping, unmeasuredMonitor } from './epochMonitor';
import { modelMessage, now, readyMessage, type Emit } from './runMessages';
import { openTrainingData } from './trainingData';
import { TrainingDoctor } from './trainingDoctor';
import { computeStep } from './trainingStep';

/** What a run trains, with what, and how: fixed before its first step. */
export interface RunPlan {
  loaded: LoadedModel;
  data: DataSource;
  /** Values per sample's target: classes (one-hot width) or numbers. */
  outputs: number;
  loss: LossDefinition;
  optimizer: tf.Optimizer;
  /** What the optimizer was made from (a lost GPU's run remakes it on the next backend). */
  optimizerSpec: OptimizerSpec;
  schedule: LrSchedule;
  /** The model with its layers' outputs tapped, for activation figures on sampled steps (null: none). */
  taps: ActivationTaps | null;
  /** Layers with weights (input to output), and the trainable variables the optimizer updates. */
  layers: GradientLayer[];
  variables: tf.Variable[];
  /** As the model message announced it. */
  plan: TrainingPlan;
  /** Where the model is saved at the end (checked writable before the first step), and whether a stopped run is saved too. */
  save: { dir: string; onStop: boolean } | null;
  /** Reads the sampled steps' figures for signs that persist (learning rate, gradient flow, dead units). */
  doctor: TrainingDoctor;
  /** When the run began (`now()`). */
  started: number;
  /** training.checkpoint, in the run's folder; training.earlyStopping. */
  checkpoints: Checkpoints | null;
  earlyStopping: EarlyStopping | null;
  /** Whether a `samples` message has carried the test images (later ones leave them out). */
  testImagesSent: boolean;
  /** What the doctor measures the first training batch against, and the setting its finding points at (null: token ids, not checked). */
  inputCheck: { scaling: InputScaling; where: SourceLocation | null } | null;
}

/**
 * Chooses the backend, loads the experiment and its data, checks they fit, builds optimizer and
 * schedule, dry-runs one step and emits `ready` and `model`. An inspection (of an experiment or a
 * model.json) stops after the model. `announce` is awaited before each step of the user's code that
 * builds the model, and once it is built.
 */
export async function planRun(request: TrainRequest, emit: Emit, announce?: LoadOptions['announce']): Promise<RunPlan | 'inspected'> {
  const started = now();
  if (request.inspect) {
    const choice = await startBackend(request);
    await emitInspection(await loadModelFile(request.file, { announce, sourceText: request.sourceText }), choice, emit, request);
    return 'inspected';
  }
  if (request.file.toLowerCase().endsWith('.json')) {
    throw new UserError(`${request.file}: training needs an experiment file (.ts/.js), not a model.json.`, null,
      'Write an experiment whose model() calls loadModel("./model.json") and adds what to train.');
  }
  const choice = await startBackend(request);
  const { loaded, seed } = await loadSeeded(request.file, request.sourceText, announce);
  const { model, settings } = loaded;
  const training = settings.training ?? {};
  const findings = diagnoseOutput(loaded, training.loss);
  stopOnError(findings, emit);
  const save = saveTarget(request, loaded.file, training);
  const loss = lossDefinition(training.loss, outputUnits(model));
  const batchSize = request.batchSize ?? training.batchSize ?? 32;
  const data = await openTrainingData(request, loaded, {
    seed, loss, outputs: outputUnits(model), batchSize, sampleRank: (model.inputs[0]?.shape.length ?? 1) - 1,
    announce, progress: (message) => emit({ type: 'log', level: 'info', message }),
  });
  try {
    return await planWithData(request, emit, { loaded, seed, choice, save, loss, data, findings, started });
  } catch (e) {
    await data.close();
    throw e;
  }
}

interface Opened {
  loaded: LoadedModel;
  seed: number;
  choice: BackendChoice;
  save: RunPlan['save'];
  loss: LossDefinition;
  data: DataSource;
  /** The doctor's findings so far (warnings), sent after the model message. */
  findings: DiagnosisMessage[];
  started: number;
}

async function planWithData(request: TrainRequest, emit: Emit, opened: Opened): Promise<RunPlan> {
  const { loaded, seed, choice, save, loss, data, findings, started } = opened;
  const { model, settings } = loaded;
  const training = settings.training ?? {};
  checkModelFitsData(loaded, data, loss);
  const scale = inputScaling(settings.data, data.inputShape[2] ?? 1);
  // Ids into an Embedding are looked up, not scaled.
  const inputCheck = inputReadAsIndices(model) ? null : { scaling: scale.scaling, where: locateSettingInFile(loaded.file, scale.setting, request.sourceText) };
  for (const note of data.notes) emit({ type: 'log', level: 'info', message: `data: ${note}` });
  if (settings.freeze?.length) freezeLayers(model, settings.freeze);

  const optimizerSpec = training.optimizer ?? { type: 'sgd', learningRate: 0.01 };
  const plan = trainingPlan(request, training, data, { optimizer: optimizerSpec.type, loss: loss.name, seed });
  const optimizer = createOptimizer(optimizerSpec);
  const scheduleContext: ScheduleContext = { baseLr: optimizerSpec.learningRate, epochs: plan.epochs, stepsPerEpoch: plan.stepsPerEpoch };
  const schedule = createSchedule(training.schedule, scheduleContext);
  plan.plannedLr = plannedLr(training.schedule, scheduleContext);

  const layers = gradientLayers(model);
  const variables = layers.flatMap((l) => l.variables);
  if (variables.length === 0) {
    throw new UserError('every layer is frozen: there is nothing to train.', loaded.locate(model), 'Unfreeze at least the last layer.');
  }
  const summaryOptions = { batchSize: plan.batchSize, rowDepth: Infinity, locate: loaded.locate, stackOf: loaded.stackOf };
  const summary = computeSummary(model, summaryOptions);
  checkMemory(loaded, summary, optimizerSpec, choice.backend, plan.batchSize);
  checkMonitors(training, data.task.kind);
  const checkpoints = checkpointsOf(request, training, emit);
  const earlyStopping = training.earlyStopping ? new EarlyStopping(training.earlyStopping) : null;
  const run: RunPlan = { loaded, data, outputs: taskOutputs(data.task), loss, optimizer, optimizerSpec, schedule, taps: activationTaps(model), layers, variables, plan, save,
    doctor: trainingDoctor(loaded, request.sourceText), started, checkpoints, earlyStopping, testImagesSent: false, inputCheck };
  const backend = await backendThatRuns(choice, request.backend, () => dryStep(run));
  emit(readyMessage(backend));
  emit(modelMessage(loaded, datasetInfo(data), plan, await withForwardTimes(loaded, summary, summaryOptions, backend.backend)));
  for (const finding of findings) emit(finding);
  return run;
}

/** A monitored figure this task never measures would never stop the run or keep a best: said before step 1, at its setting. */
function checkMonitors(training: TrainingSpec, task: TaskKind): void {
  const watched: [SettingPath, string | undefined][] = [
    [['training', 'earlyStopping', 'monitor'], training.earlyStopping?.monitor],
    [['training', 'checkpoint', 'keepBest'], training.checkpoint?.keepBest],
  ];
  for (const [setting, name] of watched) {
    const problem = name === undefined ? null : unmeasuredMonitor(name, task);
    if (problem) throw UserError.atSetting(setting, `${setting.join('.')}: ${problem}`);
  }
}

/** Checkpoints go in the run's folder: a run nobody records (no runDir) has none, and says so. */
function checkpointsOf(request: TrainRequest, training: TrainingSpec, emit: Emit): Checkpoints | null {
  if (!training.checkpoint) return null;
  if (!request.runDir) {
    emit({ type: 'log', level: 'warn', message: 'training.checkpoint: this run is not recorded (no run folder), so no checkpoints are saved.' });
    return null;
  }
  return Checkpoints.in(request.runDir, training.checkpoint);
}

/** An error of the doctor stops the run before its first step: the diagnosis (with its fixes), then the error. */
function stopOnError(findings: DiagnosisMessage[], emit: Emit): void {
  const error = findings.find((d) => d.severity === 'error');
  if (!error) return;
  emit(error);
  throw new UserError(error.message, error.source, fixesHint(error));
}

function trainingDoctor(loaded: LoadedModel, sourceText: string | undefined): TrainingDoctor {
  const byName = new Map<string, object>();
  const visit = (layers: { name: string; layers?: unknown }[]) => {
    for (const l of layers) {
      byName.set(l.name, l);
      if (Array.isArray(l.layers)) visit(l.layers as { name: string }[]);
    }
  };
  visit(loaded.model.layers);
  return new TrainingDoctor({
    locateLayer: (name) => {
      const layer = byName.get(name);
      return layer ? loaded.locate(layer) : null;
    },
    locateSetting: (setting) => locateSettingInFile(loaded.file, setting, sourceText),
  });
}

async function startBackend(request: TrainRequest): Promise<BackendChoice> {
  try {
    // An inspection computes no gradients: auto leaves the GPU out (Dawn's start is slow and talks on stderr).
    return await chooseBackend(request.backend ?? 'auto', request.inspect ? ['webgpu'] : [], { searchFrom: path.dirname(path.resolve(request.file)), threads: request.threads });
  } catch (e) {
    throw new UserError(`the ${request.backend} backend is not available: ${(e as Error).message}.`, null,
      'Use --backend wasm or --backend cpu (or leave the backend on auto).');
  }
}

/** Evaluates the experiment with Math.random seeded from `training.seed` (or a fresh seed) before model(). */
async function loadSeeded(file: string, sourceText: string | undefined, announce: LoadOptions['announce']): Promise<{ loaded: LoadedModel; seed: number }> {
  let seed = 0;
  const loaded = await loadExperiment(file, {
    sourceText,
    announce,
    beforeModel: (settings: ExperimentSettings) => {
      const given = settings.training?.seed;
      seed = typeof given === 'number' && Number.isFinite(given) ? given : Math.floor(Math.random() * 2 ** 31);
      // tfjs's initializers and dropout draw their seeds from Math.random: seeding it makes runs repeatable.
      Math.random = createRandom(seed);
    },
  });
  return { loaded, seed };
}

/** The numbers of the run as the model message carries them (the request's flags over the experiment's settings). */
function trainingPlan(request: TrainRequest, training: TrainingSpec, data: DataSource,
  chosen: Pick<TrainingPlan, 'optimizer' | 'loss' | 'seed'>): TrainingPlan {
  const epochs = request.epochs ?? training.epochs ?? 1;
  // A tf.data.Dataset given in batches trains on its own batches, whatever training.batchSize says.
  const batchSize = data.batchSize ?? request.batchSize ?? training.batchSize ?? 32;
  // Counted before the first step (a streamed source's first pass), so OneCycle's total and the ETA are exact.
  const stepsPerEpoch = data.batchesPerEpoch ?? Math.ceil(data.trainCount / batchSize);
  const gradientEvery = request.gradientEvery ?? (typeof training.gradientEvery === 'number' ? training.gradientEvery : DEFAULT_GRADIENT_EVERY);
  if (!(epochs * stepsPerEpoch >= 1)) {
    throw new UserError(`the run has no step to train: ${epochs} epochs × ${stepsPerEpoch} steps.`, null, 'Give at least one epoch.');
  }
  return {
    epochs, batchSize, stepsPerEpoch, totalSteps: epochs * stepsPerEpoch, gradientEvery, histogramEvery: gradientEvery * HISTOGRAM_EVERY_SAMPLES,
    optimizer: chosen.optimizer, loss: chosen.loss, seed: chosen.seed, schedule: training.schedule ?? null, plannedLr: null,
  };
}

/** Refuses a run whose weights, gradients, optimizer copies and activations cannot fit the backend. */
function checkMemory(loaded: LoadedModel, summary: ModelSummary, optimizer: OptimizerSpec, backend: BackendName, batchSize: number): void {
  const copies = optimizerCopies(optimizer);
  checkTrainingMemory(trainingMemory(summary.totals, copies), memoryLimits(backend),
    { backend, optimizer: optimizer.type, optimizerCopies: copies, batchSize }, loaded.locate(loaded.model));
}

/**
 * --save DIR, else the experiment's own `training.save` (relative to the experiment file), checked
 * now so that a path that cannot take the model costs no training.
 */
function saveTarget(request: TrainRequest, file: string, training: TrainingSpec): RunPlan['save'] {
  const given = request.save ? { dir: request.save, option: '--save', base: process.cwd() }
    : typeof training.save === 'string' ? { dir: training.save, option: 'training.save', base: path.dirname(file) } : null;
  if (!given) return null;
  const dir = path.resolve(given.base, given.dir);
  checkSaveFolder(dir, given.option);
  return { dir, onStop: request.saveOnStop ?? training.saveOnStop === true };
}

/** One backward pass on two samples of zeros, so a missing kernel shows before the run starts. */
async function dryStep(run: RunPlan): Promise<void> {
  const { data, loss } = run;
  const regression = data.task.kind === 'regression';
  const { x, y } = batchTensors(zeroBatch(2, data.inputShape, regression ? run.outputs : null), data.inputShape, loss, run.outputs);
  try {
    tf.dispose(Object.values((await computeStep(run, x, y, regression)).grads));
  } finally {
    tf.dispose([x, y]);
  }
}

function datasetInfo(data: DataSource): DatasetInfo {
  const classNames = data.task.kind === 'classification' ? data.task.classNames : [];
  return {
    name: data.name, source: data.source, trainCount: data.trainCount, testCount: data.testCount,
    inputShape: [...data.inputShape], numClasses: classNames.length, classNames, task: data.task.kind,
    ...(data.task.kind === 'regression' ? { targetNames: data.task.targetNames } : {}),
    ...(data.featureNames.length ? { featureNames: [...data.featureNames] } : {}),
    ...(data.sizes ? { sizes: data.sizes } : {}),
  };
}
