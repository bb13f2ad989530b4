// A run's messages as TensorBoard `Event` protocol buffers (tensorboard/compat/proto/event.proto,
// summary.proto, histogram.proto): the file_version event first, then one event per step with the
// batch's scalars, per epoch with the epoch's and the test set's, and per sampled step with each
// layer's gradient norm, update ratio and histogram. Old-style `simple_value` and `histo` values,
// which TensorBoard reads as scalars and histograms. Pure: bytes in, no files.
import type { GradientHistogram, Metrics, TrainerMessage } from '../../protocol/messages';
import { ProtoWriter } from './protoWriter';

/** Event fields. */
const WALL_TIME = 1;
const STEP = 2;
const FILE_VERSION = 3;
const SUMMARY = 5;
const SOURCE_METADATA = 10;
const WRITER = 1;
/** Summary.value; Summary.Value fields; HistogramProto fields. */
const VALUE = 1;
const TAG = 1;
const SIMPLE_VALUE = 2;
const HISTO = 5;
const H_MIN = 1;
const H_MAX = 2;
const H_NUM = 3;
const H_SUM = 4;
const H_SUM_SQUARES = 5;
const H_BUCKET_LIMIT = 6;
const H_BUCKET = 7;

export const FILE_VERSION_STRING = 'brain.Event:2';

export interface TensorBoardHistogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edge of each bucket (the first starts at min). */
  bucketLimit: number[];
  bucket: number[];
}

type SummaryValue = { tag: string; scalar: number } | { tag: string; histogram: TensorBoardHistogram };

/** Named figures as scalars tagged `<prefix><name>` (`train/loss`, `test/accuracy`). */
function tagged(prefix: string, metrics: Metrics | undefined): SummaryValue[] {
  return Object.entries(metrics ?? {}).map(([name, scalar]) => ({ tag: `${prefix}${name}`, scalar }));
}

function event(wallTime: number, step: number, values: SummaryValue[]): Uint8Array {
  const w = new ProtoWriter().double(WALL_TIME, wallTime);
  if (step > 0) w.int64(STEP, step);
  w.message(SUMMARY, (summary) => {
    for (const v of values) {
      summary.message(VALUE, (value) => {
        value.string(TAG, v.tag);
        if ('scalar' in v) value.float(SIMPLE_VALUE, v.scalar);
        else value.message(HISTO, (h) => writeHistogram(h, v.histogram));
      });
    }
  });
  return w.finish();
}

function writeHistogram(w: ProtoWriter, h: TensorBoardHistogram): void {
  w.double(H_MIN, h.min).double(H_MAX, h.max).double(H_NUM, h.num).double(H_SUM, h.sum).double(H_SUM_SQUARES, h.sumSquares)
    .packedDoubles(H_BUCKET_LIMIT, h.bucketLimit).packedDoubles(H_BUCKET, h.bucket);
}

/** The first event of every event file. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return new ProtoWriter().double(WALL_TIME, wallTime).string(FILE_VERSION, FILE_VERSION_STRING)
    .message(SOURCE_METADATA, (s) => s.string(WRITER, 'model-lens')).finish();
}

/**
 * Our histogram (equal bins from min to max) as TensorBoard's: bucket i ends at min + (i+1)·width.
 * The sum is taken at the bins' centres; the sum of squares is exact when the L2 norm is known.
 */
export function toTensorBoardHistogram(h: GradientHistogram, l2: number | null): TensorBoardHistogram {
  const bins = h.counts.length;
  const width = bins > 0 ? (h.max - h.min) / bins : 0;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  const bucketLimit: number[] = [];
  for (let i = 0; i < bins; i++) {
    const centre = h.min + (i + 0.5) * width;
    num += h.counts[i];
    sum += centre * h.counts[i];
    sumSquares += centre * centre * h.counts[i];
    bucketLimit.push(i === bins - 1 ? h.max : h.min + (i + 1) * width);
  }
  return { min: h.min, max: h.max, num, sum, sumSquares: l2 === null ? sumSquares : l2 * l2, bucketLimit, bucket: [...h.counts] };
}

/** Turns messages into events one at a time, keeping what later messages need (the step, the clock). */
export class EventEncoder {
  private step = 0;
  private wallTime: number;

  /** `startedSec`: the run's start as Unix seconds; messages' elapsedSec count from it. */
  constructor(private readonly startedSec: number) {
    this.wallTime = startedSec;
  }

  encode(m: TrainerMessage): Uint8Array[] {
    switch (m.type) {
      case 'batch':
        this.step = m.step;
        this.wallTime = this.startedSec + m.elapsedSec;
        return [event(this.wallTime, m.step, [...tagged('train/', m.metrics), { tag: 'train/learning_rate', scalar: m.lr }])];
      case 'epochEnd': {
        this.wallTime = this.startedSec + m.elapsedSec;
        const values = [...tagged('epoch/train_', m.metrics), ...tagged('val/', m.val), ...tagged('test/', m.test)];
        return [event(this.wallTime, this.step, values)];
      }
      case 'scalars':
        return [event(this.wallTime, m.step, tagged('scalars/', m.values))];
      case 'evaluation': {
        const values: SummaryValue[] = [];
        m.perClassAccuracy.forEach((accuracy, c) => {
          if (accuracy !== null) values.push({ tag: `test_class_accuracy/${m.classNames[c] ?? c}`, scalar: accuracy });
        });
        return values.length ? [event(this.wallTime, this.step, values)] : [];
      }
      case 'gradients': {
        const values: SummaryValue[] = [];
        for (const l of m.layers) {
          if (l.l2 !== null) values.push({ tag: `gradient_norm/${l.layer}`, scalar: l.l2 });
          if (l.updateRatio !== null) values.push({ tag: `update_ratio/${l.layer}`, scalar: l.updateRatio });
          if (l.histogram && l.histogram.counts.length > 0) values.push({ tag: `gradients/${l.layer}`, histogram: toTensorBoardHistogram(l.histogram, l.l2) });
        }
        return values.length ? [event(this.wallTime, m.step, values)] : [];
      }
      default:
        return [];
    }
  }
}
