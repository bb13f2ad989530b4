// The end of an epoch: evaluation on the test split, the per-epoch schedule step, and the
// `epochEnd`, `evaluation` (classes) or `regression` (numbers) and `samples` messages.
import type { SampleDisplay } from '../data/dataSource';
import type { EpochEndMessage } from '../protocol/messages';
import type { Metrics } from '../protocol/metricNames';
import { evaluate, type ClassEvaluation } from './evaluation';
import { now, type Emit } from './runMessages';
import type { RunPlan } from './runPlan';
import type { EpochTally } from './trainingStep';

const SAMPLE_GRID = 32;
/** Points of the predicted-against-true scatter. */
const SCATTER_POINTS = 500;

/** Returns the epoch's figures (as sent), for checkpoints and early stopping. */
export async function endEpoch(run: RunPlan, tally: EpochTally, emit: Emit): Promise<EpochEndMessage> {
  const { loaded: { model }, data, loss, schedule } = run;
  const evaluation = await evaluate(model, data, loss, data.task.kind === 'regression' ? SCATTER_POINTS : SAMPLE_GRID);
  const tested = data.testCount > 0;
  const trainLoss = tally.lossSum / Math.max(1, tally.seen);
  const lrUsed = schedule.lr();
  schedule.stepEpoch(schedule.monitor === 'trainLoss' ? trainLoss : (tested ? evaluation.loss : trainLoss));
  const { epoch } = tally;
  // Numbers get `mae` (and on the test split `r2`) where classes get accuracy.
  const regression = evaluation.kind === 'regression';
  const metrics: Metrics = regression
    ? { loss: trainLoss, mae: tally.metricSum / Math.max(1, tally.seen * run.outputs) }
    : { loss: trainLoss, accuracy: tally.metricSum / Math.max(1, tally.seen) };
  const test: Metrics = evaluation.kind === 'regression'
    ? { loss: evaluation.loss, mae: evaluation.mae, r2: evaluation.r2 }
    : { loss: evaluation.loss, accuracy: evaluation.accuracy };
  const figures: EpochEndMessage = {
    type: 'epochEnd', epoch, metrics, ...(tested ? { test } : {}),
    lr: lrUsed, epochSec: now() - tally.started, elapsedSec: now() - run.started,
  };
  emit(figures);
  if (!tested) return figures;
  if (evaluation.kind === 'regression') {
    emit({
      type: 'regression', epoch, test,
      target: data.task.kind === 'regression' ? data.task.targetNames[0] : 'y', truth: evaluation.truth, predicted: evaluation.predicted,
    });
    return figures;
  }
  const classNames = data.task.kind === 'classification' ? data.task.classNames : [];
  emit({
    type: 'evaluation', epoch, test,
    perClassAccuracy: evaluation.perClassAccuracy, classNames, confusion: evaluation.confusion,
  });
  // The grid before step 1 showed training samples: the first evaluation sends the test images it predicts.
  emitSamples(emit, epoch, await run.data.samples(SAMPLE_GRID, 'test'), evaluation, classNames, !run.testImagesSent);
  run.testImagesSent = true;
  return figures;
}

/**
 * The first test images with this epoch's predictions. The images are the same every epoch, so only
 * the run's first evaluation carries them (a fast run ends several epochs a second: the same pixels again and again).
 */
function emitSamples(emit: Emit, epoch: number, shown: SampleDisplay, evaluation: ClassEvaluation, classNames: string[], withImages: boolean): void {
  if (shown.kind !== 'images') return;
  const { height, width, channels } = shown;
  const size = height * width * channels;
  const count = Math.min(shown.count, evaluation.labels.length);
  const images = withImages ? Array.from({ length: count }, (_, i) => Buffer.from(shown.pixels.subarray(i * size, (i + 1) * size)).toString('base64')) : undefined;
  emit({
    type: 'samples', epoch, width, height, channels, ...(images ? { images } : {}),
    labels: Array.from(evaluation.labels.subarray(0, count)), predictions: Array.from(evaluation.predictions.subarray(0, count)),
    probabilities: evaluation.probabilities.slice(0, count), classNames,
  });
}

/**
 * Before step 1: the first training samples with their labels, as loaded (an image grid, or a table's
 * rows with the label last), as soon as the data is open.
 */
export async function emitTrainingSamples(run: RunPlan, emit: Emit): Promise<void> {
  const { data } = run;
  const shown = await data.samples(SAMPLE_GRID, 'train');
  if (shown.count === 0) return;
  if (shown.kind === 'rows') {
    emit({ type: 'sampleRows', columns: shown.columns, rows: shown.rows });
    return;
  }
  if (data.task.kind !== 'classification' || !shown.labels) return;
  const size = shown.height * shown.width * shown.channels;
  const count = Math.min(shown.count, shown.labels.length);
  emit({
    type: 'samples', epoch: 0, width: shown.width, height: shown.height, channels: shown.channels,
    images: Array.from({ length: count }, (_, i) => Buffer.from(shown.pixels.subarray(i * size, (i + 1) * size)).toString('base64')),
    labels: Array.from(shown.labels.subarray(0, count)), predictions: [], classNames: data.task.classNames,
  });
}
