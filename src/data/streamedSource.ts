// A DataSource over a first pass's plan (CSV table, image folder): batches streamed from disk every
// epoch, read ahead by the data worker, or in this thread when asked (tests, the worker itself).
import * as fs from 'node:fs';
import type { Batch, DataSource, DataTask, StreamRequest } from './dataSource';
import { checkBatchRequest } from './memorySource';
import { DEFAULT_WORKER_SCRIPT, PrefetchWorker } from './prefetchWorker';
import { planBatches, planSamples, type StreamPlan } from './streamPlan';

export interface StreamOptions {
  /** 'worker' (default): a worker thread reads ahead; 'inline': read on this thread when asked. */
  prefetch?: 'worker' | 'inline';
  /** The built dist/dataWorker.js; default: next to the running bundle. */
  workerScript?: string;
}

export interface StreamedSourceInfo {
  name: string;
  source: string;
  inputShape: number[];
  task: DataTask;
  trainCount: number;
  testCount: number;
  featureNames: string[];
  notes: string[];
}

/** Batches held ahead: about this many bytes, at least 2, at most 16 batches. */
const PREFETCH_BYTES = 32 * 1024 * 1024;

/** The worker script to use, or null to read on this thread (asked so, or no built worker: a source checkout). */
export function workerScript(options: StreamOptions): string | null {
  const script = options.workerScript ?? DEFAULT_WORKER_SCRIPT;
  return (options.prefetch ?? 'worker') === 'worker' && fs.existsSync(script) ? script : null;
}

export function streamedSource(plan: StreamPlan, info: StreamedSourceInfo, options: StreamOptions = {}): DataSource {
  const script = workerScript(options);
  const worker = script ? new PrefetchWorker(plan, script) : null;
  const width = info.inputShape.reduce((a, b) => a * b, 1);

  function batches(request: StreamRequest): AsyncIterable<Batch> {
    checkBatchRequest(request.epoch, request.batchSize);
    if (!worker) return planBatches(plan, request);
    const depth = Math.max(2, Math.min(16, Math.floor(PREFETCH_BYTES / (request.batchSize * (width + 1) * 4))));
    return worker.stream(request, depth);
  }

  return {
    ...info,
    trainBatches: (epoch, batchSize) => batches({ split: 'train', epoch, batchSize }),
    testBatches: (batchSize) => batches({ split: 'test', epoch: 1, batchSize }),
    samples: (count, split) => planSamples(plan, count, split),
    close: async () => { await worker?.close(); },
  };
}
