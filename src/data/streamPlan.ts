// The streamed kinds of data, by the plan their first pass made: the same functions run in the
// trainer's thread or in the prefetch worker, which receives the plan as plain data.
import type { Batch, SampleDisplay, StreamRequest } from './dataSource';
import type { CsvPlan } from './csvPlan';
import { csvBatches, csvSamples } from './csvStream';
import type { ImageFolderPlan } from './imageFolderScan';
import { imageBatches, imageSamples } from './imageFolderStream';

export type StreamPlan = CsvPlan | ImageFolderPlan;

export function planBatches(plan: StreamPlan, request: StreamRequest): AsyncGenerator<Batch> {
  return plan.kind === 'csv' ? csvBatches(plan, request) : imageBatches(plan, request);
}

export function planSamples(plan: StreamPlan, count: number, split: 'train' | 'test'): Promise<SampleDisplay> {
  return plan.kind === 'csv' ? csvSamples(plan, count, split) : imageSamples(plan, count, split);
}
