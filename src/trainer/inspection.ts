import type { LoadedModel } from '../model/loadExperiment';
import type { BackendChoice } from './backendChoice';
import { freezeLayers } from './freezeLayers';
import { DEFAULT_GRADIENT_EVERY } from './gradientStats';
import { modelMessage, readyMessage, type Emit } from './runMessages';

/** Graph and summary of the experiment's model, without data or training (hovers, Show Model Graph). */
export function emitInspection(loaded: LoadedModel, choice: BackendChoice, emit: Emit): void {
  const { model, settings } = loaded;
  if (settings.freeze?.length) freezeLayers(model, settings.freeze);
  const training = settings.training ?? {};
  emit(readyMessage(choice));
  emit(modelMessage(loaded, {
    name: settings.data?.dataset ?? 'none', source: 'not loaded (inspection)', trainCount: 0, testCount: 0,
    inputShape: model.inputs[0]?.shape.slice(1).map((d) => d ?? 0) ?? [], numClasses: 0, classNames: [],
  }, {
    epochs: training.epochs ?? 1, batchSize: training.batchSize ?? 1, stepsPerEpoch: 0, totalSteps: 0,
    gradientEvery: typeof training.gradientEvery === 'number' ? training.gradientEvery : DEFAULT_GRADIENT_EVERY,
    histogramEvery: 0, optimizer: training.optimizer?.type ?? 'sgd', loss: training.loss ?? '', seed: training.seed ?? 0,
    schedule: training.schedule ?? null, plannedLr: null,
  }));
}
