// The data worker (bundled as dist/dataWorker.js): reads, parses and decodes batches of a streamed
// source off the trainer's thread, where tfjs runs the step. It receives the source's plan once (as
// workerData) and then streams whatever split and epoch it is asked for.
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../model/userError';
import type { Batch } from './dataSource';
import { planBatches, type StreamPlan } from './streamPlan';
import { batchBuffers, isToWorker, type FromWorker, type ToWorker } from './workerMessages';

interface Stream {
  credits: number;
  cancelled: boolean;
  wake: (() => void) | null;
}

const port = parentPort;
if (!port) throw new Error('dataWorker.js runs as a worker thread (new Worker), not on its own');
const plan = (workerData as { plan: StreamPlan }).plan;
const streams = new Map<number, Stream>();
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

port.on('message', (message: unknown) => {
  if (!isToWorker(message)) return;
  const m: ToWorker = message;
  if (m.type === 'open') {
    const stream: Stream = { credits: m.depth, cancelled: false, wake: null };
    streams.set(m.id, stream);
    void run(m.id, stream, planBatches(plan, m.request));
    return;
  }
  const stream = streams.get(m.id);
  if (!stream) return;
  if (m.type === 'more') stream.credits++;
  else stream.cancelled = true;
  stream.wake?.();
});

async function run(id: number, stream: Stream, batches: AsyncGenerator<Batch>): Promise<void> {
  try {
    for (;;) {
      while (stream.credits <= 0 && !stream.cancelled) await new Promise<void>((resolve) => { stream.wake = resolve; });
      stream.wake = null;
      if (stream.cancelled) {
        await batches.return(undefined);
        return;
      }
      const next = await batches.next();
      if (next.done) break;
      stream.credits--;
      post({ type: 'batch', id, batch: next.value }, batchBuffers(next.value));
    }
    post({ type: 'end', id });
  } catch (e) {
    const user = e instanceof UserError;
    post({ type: 'error', id, message: (e as Error).message ?? String(e), hint: user ? e.hint : null, user });
  } finally {
    streams.delete(id);
  }
}
