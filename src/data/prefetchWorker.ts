// The trainer's side of the data worker: streams of batches that a worker thread reads ahead, so the
// training step (tfjs, on this thread) never waits for parsing or decoding while the worker keeps up.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../model/userError';
import type { Batch, StreamRequest } from './dataSource';
import type { CsvScan, CsvScanOptions } from './csvScan';
import type { StreamPlan } from './streamPlan';
import { isFromWorker, type FromWorker, type ToWorker, type WorkerJob } from './workerMessages';

/** Where the build puts the worker: next to the bundle that imports this (dist/trainer.js, dist/cli.js). */
export const DEFAULT_WORKER_SCRIPT = path.join(__dirname, 'dataWorker.js');

/**
 * A small heap for the worker: V8 then collects the short-lived strings of parsed rows often instead
 * of growing the process by hundreds of MB (typed arrays, the batches and the shuffle buffer, live
 * outside it).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 };

/** A CSV's first pass in a worker of its own, which ends with it (and so does its garbage). */
export function scanCsvInWorker(options: CsvScanOptions, script: string = DEFAULT_WORKER_SCRIPT): Promise<CsvScan> {
  return new Promise((resolve, reject) => {
    const job: WorkerJob = { job: 'csvScan', options };
    const worker = new Worker(script, { workerData: job, resourceLimits: WORKER_LIMITS });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      f();
      void worker.terminate();
    };
    worker.on('message', (message: unknown) => {
      if (!isFromWorker(message)) return;
      if (message.type === 'scanned') settle(() => resolve(message.scan));
      else if (message.type === 'error') settle(() => reject(message.user ? new UserError(message.message, null, message.hint) : new Error(`data worker: ${message.message}`)));
    });
    worker.on('error', (e) => settle(() => reject(new Error(`the data worker failed: ${e.message}`))));
    worker.on('exit', (code) => settle(() => reject(new Error(`the data worker stopped (exit code ${code}) before the first pass ended`))));
  });
}

interface Pending {
  queue: FromWorker[];
  wake: (() => void) | null;
}

export class PrefetchWorker {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly open = new Map<number, Pending>();
  private failure: Error | null = null;

  constructor(private readonly plan: StreamPlan, private readonly script: string = DEFAULT_WORKER_SCRIPT) {}

  /** Batches of `request`, read `depth` ahead by the worker. Leaving the loop early cancels the rest. */
  async *stream(request: StreamRequest, depth: number): AsyncGenerator<Batch> {
    const worker = this.start();
    const id = this.nextId++;
    const pending: Pending = { queue: [], wake: null };
    this.open.set(id, pending);
    worker.ref();
    let ended = false;
    try {
      this.send({ type: 'open', id, request, depth });
      for (;;) {
        while (pending.queue.length === 0 && !this.failure) await new Promise<void>((resolve) => { pending.wake = resolve; });
        if (this.failure) throw this.failure;
        const message = pending.queue.shift()!;
        if (message.type === 'end') {
          ended = true;
          return;
        }
        if (message.type === 'error') {
          ended = true;
          throw message.user ? new UserError(message.message, null, message.hint) : new Error(`data worker: ${message.message}`);
        }
        if (message.type === 'batch') {
          this.send({ type: 'more', id });
          yield message.batch;
        }
      }
    } finally {
      this.open.delete(id);
      if (!ended && !this.failure) this.send({ type: 'cancel', id });
      if (this.open.size === 0) this.worker?.unref();
    }
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.failure) throw this.failure;
    if (this.worker) return this.worker;
    const job: WorkerJob = { job: 'stream', plan: this.plan };
    const worker = new Worker(this.script, { workerData: job, resourceLimits: WORKER_LIMITS });
    worker.unref();
    worker.on('message', (message: unknown) => {
      if (!isFromWorker(message)) return;
      const pending = this.open.get(message.id);
      if (!pending) return;
      pending.queue.push(message);
      pending.wake?.();
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      this.worker = null;
      for (const pending of this.open.values()) pending.wake?.();
    };
    worker.on('error', (e) => fail(new Error(`the data worker failed: ${e.message}`)));
    worker.on('exit', (code) => { if (this.worker === worker) fail(new Error(`the data worker stopped (exit code ${code})`)); });
    this.worker = worker;
    return worker;
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }
}
