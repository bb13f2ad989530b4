// Messages between the trainer's thread and the data worker (one process, two threads). The worker
// sends at most `depth` batches ahead of what the trainer took: reading runs ahead of the training
// step but never fills memory.
import type { Batch, StreamRequest } from './dataSource';
import type { CsvScan, CsvScanOptions } from './csvScan';
import type { StreamPlan } from './streamPlan';

/** What a worker is started for (its workerData): a CSV's first pass, or streaming a plan's batches. */
export type WorkerJob =
  | { job: 'csvScan'; options: CsvScanOptions }
  | { job: 'stream'; plan: StreamPlan };

export type ToWorker =
  | { type: 'open'; id: number; request: StreamRequest; depth: number }
  /** The trainer took a batch: one more may come. */
  | { type: 'more'; id: number }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'batch'; id: number; batch: Batch }
  | { type: 'end'; id: number }
  /** The first pass's result (id 0: a scan worker does nothing else). */
  | { type: 'scanned'; id: number; scan: CsvScan }
  /** `user`: the user's data is at fault (a UserError), with its hint. */
  | { type: 'error'; id: number; message: string; hint: string | null; user: boolean };

export function isFromWorker(value: unknown): value is FromWorker {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (typeof m.id !== 'number') return false;
  switch (m.type) {
    case 'batch': {
      const b = m.batch as Record<string, unknown> | null;
      return typeof b === 'object' && b !== null && typeof b.count === 'number' && b.inputs instanceof Float32Array &&
        ((b.kind === 'classification' && b.labels instanceof Int32Array) || (b.kind === 'regression' && b.targets instanceof Float32Array));
    }
    case 'end':
      return true;
    case 'scanned': {
      const scan = m.scan as Record<string, unknown> | null;
      return typeof scan === 'object' && scan !== null && Array.isArray(scan.notes) &&
        typeof scan.plan === 'object' && scan.plan !== null && (scan.plan as Record<string, unknown>).kind === 'csv';
    }
    case 'error':
      return typeof m.message === 'string' && typeof m.user === 'boolean' && (m.hint === null || typeof m.hint === 'string');
    default:
      return false;
  }
}

export function isToWorker(value: unknown): value is ToWorker {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  if (typeof m.id !== 'number') return false;
  if (m.type === 'more' || m.type === 'cancel') return true;
  if (m.type !== 'open' || typeof m.depth !== 'number') return false;
  const r = m.request as Record<string, unknown> | null;
  return typeof r === 'object' && r !== null && (r.split === 'train' || r.split === 'test') &&
    typeof r.epoch === 'number' && typeof r.batchSize === 'number';
}

/** The buffers a batch owns, moved (not copied) to the other thread. */
export function batchBuffers(batch: Batch): ArrayBuffer[] {
  const y = batch.kind === 'classification' ? batch.labels : batch.targets;
  return [batch.inputs.buffer as ArrayBuffer, y.buffer as ArrayBuffer];
}
