import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadDataset, type LoadedDataset } from '../data/dataset';
import { createRandom, permutation } from '../data/seededRandom';
import { loadExperiment, type LoadedModel } from '../model/loadExperiment';
import { buildModelGraph } from '../model/modelGraph';
import { computeSummary } from '../model/modelSummary';
import { saveModelFiles } from '../model/saveModelFiles';
import { UserError } from '../model/userError';
import type { ExperimentSettings } from '../protocol/experimentSpec';
import type {
  BackendName, DatasetInfo, DoneMessage, ModelMessage, PlannedLr, TrainerMessage, TrainRequest, TrainingPlan,
} from '../protocol/messages';
import type { SourceLocation } from '../protocol/modelInfo';
import { modelLensVersion } from '../version';
import { chooseBackend, type BackendChoice } from './backendChoice';
import { batchInputs, batchLabels, evaluate } from './evaluation';
import { freezeLayers } from './freezeLayers';
import { gradientFigures, gradientLayers, snapshotWeights, updateRatios, type GradientLayer } from './gradientStats';
import { createSchedule, plannedLearningRates, plannedLrCurve, type LrSchedule } from './lrSchedule';
import { lossDefinition, predictedClasses, targetTensor, type LossDefinition } from './losses';
import { createOptimizer, setLearningRate } from './optimizers';

export interface RunControl {
  stopRequested: boolean;
  /** In-process observers (tests, benchmarks): the model once built, and each step as it ends. */
  onModel?: (model: tf.LayersModel) => void;
  onStep?: (step: number) => void;
}

export type Emit = (message: TrainerMessage) => void;

/** Gradient figures every 20th step keep instrumentation within 3% of a bare loop (npm run bench -- train). */
export const DEFAULT_GRADIENT_EVERY = 20;
/** Histograms on every 10th sampled step (they read every gradient value back). */
export const HISTOGRAM_EVERY_SAMPLES = 10;
const SAMPLE_GRID = 32;

const now = () => performance.now() / 1000;
const yieldToEvents = () => new Promise<void>((resolve) => setImmediate(resolve));

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === null || d === b[i]);
}

/** Checks the model can read the data set and its output fits the labels. */
function checkModelFitsData(loaded: LoadedModel, data: LoadedDataset, loss: LossDefinition): void {
  const { model } = loaded;
  const firstLayer = model.layers[0];
  const where = (firstLayer && loaded.locate(firstLayer)) ?? loaded.locate(model) ?? { file: loaded.file, line: 1, column: 1 };
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError(`training needs a model with one input and one output; this one has ${model.inputs.length} and ${model.outputs.length}.`, where);
  }
  const inShape = model.inputs[0].shape.slice(1);
  if (!sameShape(inShape, data.inputShape)) {
    throw new UserError(`the model's input shape [${inShape.join(', ')}] does not fit the "${data.name}" samples, shaped [${data.inputShape.join(', ')}].`,
      where, `Give the first layer inputShape: [${data.inputShape.join(', ')}].`);
  }
  const units = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  const expected = loss.targets === 'binary' ? 1 : data.numClasses;
  if (units !== expected) {
    const last = model.layers[model.layers.length - 1];
    throw new UserError(`the model ends with ${units} output units but "${data.name}" has ${data.numClasses} classes (loss ${loss.name} needs ${expected}).`,
      (last && loaded.locate(last)) ?? where, `Make the last layer dense({ units: ${expected}, ... }).`);
  }
}

function callSites(message: Pick<ModelMessage, 'graph'>): Record<string, SourceLocation> {
  const out: Record<string, SourceLocation> = {};
  for (const n of message.graph.nodes) if (n.source) out[n.name] = n.source;
  return out;
}

interface StepResult {
  loss: number;
  correct: number;
  grads: tf.NamedTensorMap;
}

/** One forward + backward pass; the gradients are returned, not applied. */
function computeStep(model: tf.LayersModel, optimizer: tf.Optimizer, variables: tf.Variable[], x: tf.Tensor, y: tf.Tensor,
  loss: LossDefinition): StepResult {
  let correct: tf.Tensor | null = null;
  const { value, grads } = optimizer.computeGradients(() => {
    const pred = model.apply(x, { training: true }) as tf.Tensor;
    const truth = loss.targets === 'oneHot' ? tf.argMax(y, -1) : tf.reshape(y, [-1]);
    correct = tf.keep(tf.sum(tf.cast(tf.equal(predictedClasses(pred), tf.cast(truth, 'int32')), 'float32')));
    return loss.fn(y, pred);
  }, variables);
  const both = tf.tidy(() => tf.stack([value, correct!]));
  const [lossValue, correctValue] = both.dataSync();
  tf.dispose([both, value, correct!]);
  return { loss: lossValue, correct: correctValue, grads };
}

/** Runs an experiment from start to `done`, emitting every protocol message on the way. */
export async function runTraining(request: TrainRequest, emit: Emit, control: RunControl): Promise<DoneMessage> {
  const started = now();
  let steps = 0;
  const done = (reason: DoneMessage['reason'], savedTo: string | null = null): DoneMessage => {
    const message: DoneMessage = { type: 'done', stopped: reason === 'stopped', reason, steps, elapsedSec: now() - started, savedTo };
    emit(message);
    return message;
  };
  try {
    return await train(request, emit, control, (n) => { steps = n; }, done);
  } catch (e) {
    if (e instanceof UserError) emit({ type: 'error', message: e.message, location: e.location, hint: e.hint });
    else emit({ type: 'error', message: `internal error: ${(e as Error).message ?? String(e)}`, location: null, hint: 'Please report this with the experiment file.' });
    return done('error');
  }
}

async function train(request: TrainRequest, emit: Emit, control: RunControl, setSteps: (n: number) => void,
  done: (reason: DoneMessage['reason'], savedTo?: string | null) => DoneMessage): Promise<DoneMessage> {
  const started = now();
  if (request.file.toLowerCase().endsWith('.json')) {
    throw new UserError(`${request.file}: training needs an experiment file (.ts/.js), not a model.json.`, null,
      'Write an experiment whose model() calls loadModel("./model.json") and adds what to train.');
  }
  let choice: BackendChoice;
  try {
    choice = await chooseBackend(request.backend ?? 'auto');
  } catch (e) {
    throw new UserError(`the ${request.backend} backend is not available: ${(e as Error).message}.`, null,
      'Use --backend wasm or --backend cpu (or leave the backend on auto).');
  }

  let seed = 0;
  const loaded = await loadExperiment(request.file, {
    beforeModel: (settings: ExperimentSettings) => {
      const given = settings.training?.seed;
      seed = typeof given === 'number' && Number.isFinite(given) ? given : Math.floor(Math.random() * 2 ** 31);
      // tfjs's initializers and dropout draw their seeds from Math.random: seeding it makes runs repeatable.
      Math.random = createRandom(seed);
    },
  });
  const { model, settings } = loaded;
  const training = settings.training ?? {};
  if (request.inspect) return inspectOnly(loaded, choice, emit, done);
  if (!settings.data) {
    throw new UserError(`${request.file} has no data to train on.`, loaded.locate(model),
      "Add `data: { dataset: 'mnist' }` (or fashion-mnist, idx with a folder, circle, xor, gauss, spiral) to the experiment.");
  }
  const dataSpec = { ...settings.data };
  if (request.datasetFolder && !dataSpec.folder && dataSpec.dataset !== 'mnist') dataSpec.folder = request.datasetFolder;
  const data = loadDataset(dataSpec, {
    baseDir: path.dirname(loaded.file), seed, limit: request.limit, testLimit: request.testLimit ?? request.limit,
  });

  const outputUnits = model.outputs[0]?.shape[model.outputs[0].shape.length - 1] ?? 0;
  const loss = lossDefinition(training.loss, outputUnits ?? 0);
  checkModelFitsData(loaded, data, loss);
  if (settings.freeze?.length) freezeLayers(model, settings.freeze);

  const epochs = request.epochs ?? training.epochs ?? 1;
  const batchSize = request.batchSize ?? training.batchSize ?? 32;
  const stepsPerEpoch = Math.ceil(data.train.count / batchSize);
  const gradientEvery = request.gradientEvery ?? (typeof training.gradientEvery === 'number' ? training.gradientEvery : DEFAULT_GRADIENT_EVERY);
  const optimizerSpec = training.optimizer ?? { type: 'sgd', learningRate: 0.01 };
  const optimizer = createOptimizer(optimizerSpec);
  const scheduleContext = { baseLr: optimizerSpec.learningRate, epochs, stepsPerEpoch };
  const schedule: LrSchedule = createSchedule(training.schedule, scheduleContext);
  let plannedLr: PlannedLr | null = null;
  try {
    plannedLr = plannedLrCurve(plannedLearningRates(training.schedule, scheduleContext));
  } catch {
    plannedLr = null; // ReduceLROnPlateau depends on the losses to come
  }

  const layers: GradientLayer[] = gradientLayers(model);
  const variables = layers.flatMap((l) => l.variables);
  if (variables.length === 0) {
    throw new UserError('every layer is frozen: there is nothing to train.', loaded.locate(model), 'Unfreeze at least the last layer.');
  }

  // Dry run: one backward pass on two samples, so a missing kernel falls back instead of crashing.
  choice = await dryRun(choice, request, () => {
    const idx = [0, Math.min(1, data.train.count - 1)];
    const x = batchInputs(data.train, data.inputShape, idx);
    const y = targetTensor(batchLabels(data.train, idx), loss.targets, data.numClasses);
    try {
      tf.dispose(Object.values(computeStep(model, optimizer, variables, x, y, loss).grads));
    } finally {
      tf.dispose([x, y]);
    }
  });
  emit({ type: 'ready', backend: choice.backend, reason: choice.reason, versions: { tfjs: tf.version.tfjs, node: process.versions.node, modelLens: modelLensVersion } });

  const graph = buildModelGraph(model, { locate: loaded.locate });
  const summary = computeSummary(model, { batchSize, locate: loaded.locate });
  const dataset: DatasetInfo = {
    name: data.name, source: data.source, trainCount: data.train.count, testCount: data.test.count,
    inputShape: data.inputShape, numClasses: data.numClasses, classNames: data.classNames,
  };
  const plan: TrainingPlan = {
    epochs, batchSize, stepsPerEpoch, totalSteps: epochs * stepsPerEpoch, gradientEvery, histogramEvery: gradientEvery * HISTOGRAM_EVERY_SAMPLES,
    optimizer: optimizerSpec.type, loss: loss.name, seed, schedule: training.schedule ?? null, plannedLr,
  };
  control.onModel?.(model);
  emit({ type: 'model', name: settings.name ?? model.name, file: loaded.file, graph, summary, callSites: callSites({ graph }), dataset, plan });

  const shuffle = createRandom(seed + 1);
  let step = 0;
  let lastTestLoss: number | null = null;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStarted = now();
    const order = permutation(data.train.count, shuffle);
    emit({ type: 'epochStart', epoch, epochs, stepsPerEpoch, lr: schedule.lr() });
    let lossSum = 0;
    let correctSum = 0;
    let seen = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      await yieldToEvents(); // lets a Stop request in
      if (control.stopRequested) return finish('stopped');
      const indices = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, data.train.count));
      const lr = schedule.lr();
      setLearningRate(optimizer, lr);
      step++;
      setSteps(step);
      const sampled = step % gradientEvery === 0 || step === 1;
      const x = batchInputs(data.train, data.inputShape, indices);
      const y = targetTensor(batchLabels(data.train, indices), loss.targets, data.numClasses);
      const result = computeStep(model, optimizer, variables, x, y, loss);
      tf.dispose([x, y]);
      if (!Number.isFinite(result.loss)) {
        const figures = gradientFigures(layers, result.grads, false, null);
        tf.dispose(Object.values(result.grads));
        const layer = figures.firstNonFinite;
        const layerObj = layers.find((l) => l.name === layer)?.layer;
        emit({
          type: 'anomaly', kind: 'nonFiniteLoss', epoch, step, layer,
          source: layerObj ? loaded.locate(layerObj) : null,
          message: `the loss became ${result.loss} at step ${step} (epoch ${epoch}, batch ${b + 1})` +
            (layer ? `; the first layer with a non-finite gradient is "${layer}"` : '') +
            `. Lower the learning rate (now ${lr}) or normalise the inputs.`,
        });
        return done('anomaly');
      }
      const before = sampled ? snapshotWeights(layers) : null;
      const figures = sampled ? gradientFigures(layers, result.grads, step % plan.histogramEvery === 0 || step === 1, null) : null;
      optimizer.applyGradients(result.grads);
      tf.dispose(Object.values(result.grads));
      if (figures && before) {
        const ratios = updateRatios(layers, before);
        for (const f of figures.layers) f.updateRatio = f.frozen ? null : (Number.isFinite(ratios.get(f.layer) ?? NaN) ? ratios.get(f.layer)! : null);
        if (figures.firstNonFinite) {
          const layerObj = layers.find((l) => l.name === figures.firstNonFinite)?.layer;
          emit({
            type: 'anomaly', kind: 'nonFiniteGradient', epoch, step, layer: figures.firstNonFinite,
            source: layerObj ? loaded.locate(layerObj) : null,
            message: `the gradient of layer "${figures.firstNonFinite}" is not finite at step ${step} (epoch ${epoch}). Lower the learning rate (now ${lr}).`,
          });
          return done('anomaly');
        }
      }
      schedule.stepBatch();
      lossSum += result.loss * indices.length;
      correctSum += result.correct;
      seen += indices.length;
      const elapsed = now() - epochStarted;
      emit({
        type: 'batch', epoch, step, batch: b + 1, loss: result.loss, accuracy: result.correct / indices.length, lr,
        samplesPerSec: elapsed > 0 ? seen / elapsed : 0, elapsedSec: now() - started,
      });
      if (figures) emit({ type: 'gradients', epoch, step, layers: figures.layers });
      control.onStep?.(step);
    }
    const evaluation = evaluate(model, data.test, data.inputShape, loss, data.numClasses);
    const trainLoss = lossSum / Math.max(1, seen);
    lastTestLoss = data.test.count > 0 ? evaluation.loss : null;
    const lrUsed = schedule.lr();
    schedule.stepEpoch(schedule.monitor === 'trainLoss' ? trainLoss : (lastTestLoss ?? trainLoss));
    emit({
      type: 'epochEnd', epoch, trainLoss, trainAccuracy: correctSum / Math.max(1, seen),
      testLoss: lastTestLoss, testAccuracy: data.test.count > 0 ? evaluation.accuracy : null,
      lr: lrUsed, epochSec: now() - epochStarted, elapsedSec: now() - started,
    });
    if (data.test.count > 0) {
      emit({
        type: 'evaluation', epoch, testLoss: evaluation.loss, testAccuracy: evaluation.accuracy,
        perClassAccuracy: evaluation.perClassAccuracy, classNames: data.classNames, confusion: evaluation.confusion,
      });
      emitSamples(emit, epoch, data, evaluation.predictions, epoch === 1);
    }
  }
  return finish('completed');

  async function finish(reason: 'completed' | 'stopped'): Promise<DoneMessage> {
    let savedTo: string | null = null;
    // --save DIR, else the experiment's own `training.save` (relative to the experiment file).
    const saveDir = request.save ? path.resolve(request.save)
      : typeof training.save === 'string' ? path.resolve(path.dirname(loaded.file), training.save) : null;
    if (saveDir) {
      savedTo = await saveModelFiles(model, saveDir);
      emit({ type: 'log', level: 'info', message: `saved the model to ${savedTo}` });
    }
    return done(reason, savedTo);
  }
}

/**
 * The first test images with this epoch's predictions. The images are the same every epoch, so only
 * the first message carries them (a fast run's 13 epochs a second sent ~180 KB/s of the same pixels).
 */
function emitSamples(emit: Emit, epoch: number, data: LoadedDataset, predictions: Int32Array, withImages: boolean): void {
  if (!data.testPixels || data.inputShape.length !== 3) return;
  const [height, width, channels] = data.inputShape;
  const size = height * width * channels;
  const count = Math.min(SAMPLE_GRID, data.test.count);
  const pixels = data.testPixels;
  const images = withImages ? Array.from({ length: count }, (_, i) => Buffer.from(pixels.subarray(i * size, (i + 1) * size)).toString('base64')) : undefined;
  emit({
    type: 'samples', epoch, width, height, channels, ...(images ? { images } : {}),
    labels: Array.from(data.test.labels.subarray(0, count)), predictions: Array.from(predictions.subarray(0, count)),
    classNames: data.classNames,
  });
}

/** Graph and summary of the experiment's model, without data or training (hovers, Show Model Graph). */
function inspectOnly(loaded: LoadedModel, choice: BackendChoice, emit: Emit, done: (reason: DoneMessage['reason']) => DoneMessage): DoneMessage {
  const { model, settings } = loaded;
  if (settings.freeze?.length) freezeLayers(model, settings.freeze);
  const training = settings.training ?? {};
  const batchSize = training.batchSize ?? 1;
  emit({ type: 'ready', backend: choice.backend, reason: choice.reason, versions: { tfjs: tf.version.tfjs, node: process.versions.node, modelLens: modelLensVersion } });
  const graph = buildModelGraph(model, { locate: loaded.locate });
  const summary = computeSummary(model, { batchSize, locate: loaded.locate });
  const epochs = training.epochs ?? 1;
  emit({
    type: 'model', name: settings.name ?? model.name, file: loaded.file, graph, summary, callSites: callSites({ graph }),
    dataset: { name: settings.data?.dataset ?? 'none', source: 'not loaded (inspection)', trainCount: 0, testCount: 0, inputShape: model.inputs[0]?.shape.slice(1).map((d) => d ?? 0) ?? [], numClasses: 0, classNames: [] },
    plan: {
      epochs, batchSize, stepsPerEpoch: 0, totalSteps: 0, gradientEvery: typeof training.gradientEvery === 'number' ? training.gradientEvery : DEFAULT_GRADIENT_EVERY,
      histogramEvery: 0, optimizer: training.optimizer?.type ?? 'sgd', loss: training.loss ?? '', seed: training.seed ?? 0,
      schedule: training.schedule ?? null, plannedLr: null,
    },
  });
  return done('inspected');
}

const BACKEND_ORDER: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

async function dryRun(choice: BackendChoice, request: TrainRequest, step: () => void): Promise<BackendChoice> {
  const tried: BackendName[] = [];
  let current = choice;
  for (;;) {
    try {
      step();
      return current;
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      const kernelProblem = /not registered|not yet implemented|not supported/i.test(message);
      if (!kernelProblem || (request.backend && request.backend !== 'auto') || current.backend === 'cpu') throw e;
      tried.push(current.backend);
      const next = await chooseBackend('auto', [...BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(current.backend)), ...tried]);
      current = { backend: next.backend, reason: `${current.reason}; a training step failed on ${current.backend} (${message.split('\n')[0]}), so ${next.backend} runs it` };
    }
  }
}
