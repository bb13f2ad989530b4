// The trainer's side of the data worker: streams of batches that a worker thread reads ahead, so the
// training step (tfjs, on this thread) never waits for parsing or decoding while the worker keeps up.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../model/userError';
import type { Batch, StreamRequest } from './dataSource';
import type { StreamPlan } from './streamPlan';
import { isFromWorker, type FromWorker, type ToWorker } from './workerMessages';

/** Where the build puts the worker: next to the bundle that imports this (dist/trainer.js, dist/cli.js). */
export const DEFAULT_WORKER_SCRIPT = path.join(__dirname, 'dataWorker.js');

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
    const worker = new Worker(this.script, { workerData: { plan: this.plan } });
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
