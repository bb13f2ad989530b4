// The end of an epoch: evaluation on the test split, the per-epoch schedule step, and the
// `epochEnd`, `evaluation` and `samples` messages.
import type { LoadedDataset } from '../data/dataset';
import { evaluate } from './evaluation';
import { now, type Emit } from './runMessages';
import type { RunPlan } from './runPlan';
import type { EpochTally } from './trainingStep';

const SAMPLE_GRID = 32;

export function endEpoch(run: RunPlan, tally: EpochTally, emit: Emit): void {
  const { loaded: { model }, data, loss, schedule } = run;
  const evaluation = evaluate(model, data.test, data.inputShape, loss, data.numClasses);
  const tested = data.test.count > 0;
  const trainLoss = tally.lossSum / Math.max(1, tally.seen);
  const testLoss = tested ? evaluation.loss : null;
  const lrUsed = schedule.lr();
  schedule.stepEpoch(schedule.monitor === 'trainLoss' ? trainLoss : (testLoss ?? trainLoss));
  const { epoch } = tally;
  const test = { loss: evaluation.loss, accuracy: evaluation.accuracy };
  emit({
    type: 'epochEnd', epoch, metrics: { loss: trainLoss, accuracy: tally.correctSum / Math.max(1, tally.seen) },
    ...(tested ? { test } : {}),
    lr: lrUsed, epochSec: now() - tally.started, elapsedSec: now() - run.started,
  });
  if (!tested) return;
  emit({
    type: 'evaluation', epoch, test,
    perClassAccuracy: evaluation.perClassAccuracy, classNames: data.classNames, confusion: evaluation.confusion,
  });
  emitSamples(emit, epoch, data, evaluation.predictions, epoch === 1);
}

/**
 * The first test images with this epoch's predictions. The images are the same every epoch, so only
 * the first message carries them (a fast run ends several epochs a second: the same pixels again and again).
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
