import type { LoadedModel } from '../model/loadExperiment';
import { computeSummary } from '../model/modelSummary';
import type { TrainRequest } from '../protocol/messages';
import type { BackendChoice } from './backendChoice';
import { freezeLayers } from './freezeLayers';
import { withForwardTimes } from './layerTimes';
import { DEFAULT_GRADIENT_EVERY } from './gradientStats';
import { diagnoseOutput } from './modelDoctor';
import { modelMessage, readyMessage, type Emit } from './runMessages';

/**
 * Graph and summary of an experiment's model or a model.json, without data or training (CLI summary
 * and graph, hovers, Show Model Graph), and the model doctor's findings on an experiment (Problems):
 * rows and nesting down to `request.depth`; the summary at `request.batchSize`, else the
 * experiment's, else 1; the graph at `request.batchSize` only;
 * each layer's approximate forward time when `request.timeLayers` asks and the model is small enough.
 */
export async function emitInspection(loaded: LoadedModel, choice: BackendChoice, emit: Emit, request: Pick<TrainRequest, 'batchSize' | 'depth' | 'timeLayers'> = {}): Promise<void> {
  const { model, settings } = loaded;
  if (settings.freeze?.length) freezeLayers(model, settings.freeze);
  const training = settings.training ?? {};
  const batchSize = request.batchSize ?? training.batchSize ?? 1;
  emit(readyMessage(choice));
  // Every row unless a depth was asked for (the CLI's --depth): the panel's hover reaches layers below the table's depth.
  const options = { batchSize, depth: request.depth, rowDepth: request.depth ?? Infinity, locate: loaded.locate, stackOf: loaded.stackOf };
  const untimed = computeSummary(model, options);
  const summary = request.timeLayers ? await withForwardTimes(loaded, untimed, options, choice.backend) : untimed;
  emit(modelMessage(loaded, {
    name: typeof settings.data === 'function' ? 'data()' : settings.data?.dataset ?? 'none', source: 'not loaded (inspection)', trainCount: 0, testCount: 0,
    inputShape: model.inputs[0]?.shape.slice(1).map((d) => d ?? 0) ?? [], task: 'classification', numClasses: 0, classNames: [],
  }, {
    epochs: training.epochs ?? 1, batchSize, stepsPerEpoch: 0, totalSteps: 0,
    gradientEvery: typeof training.gradientEvery === 'number' ? training.gradientEvery : DEFAULT_GRADIENT_EVERY,
    histogramEvery: 0, optimizer: training.optimizer?.type ?? 'sgd', loss: training.loss ?? '', seed: training.seed ?? 0,
    schedule: training.schedule ?? null, plannedLr: null,
  }, summary,
  { depth: request.depth, batchSize: request.batchSize ?? null }));
  // A model.json names no loss: only an experiment's output can be held against one.
  if (!loaded.file.toLowerCase().endsWith('.json')) for (const finding of diagnoseOutput(loaded, training.loss)) emit(finding);
}
