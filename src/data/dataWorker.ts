// The data worker (bundled as dist/dataWorker.js): reads, parses and decodes off the trainer's thread,
// where tfjs runs the step. Started for one job (workerData): a CSV's first pass, whose result it
// posts before it ends (the garbage of 2 million rows' strings leaves with it), or a source's plan,
// whose batches it then streams for whatever split and epoch it is asked.
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../model/userError';
import type { Batch } from './dataSource';
import { scanCsv } from './csvScan';
import { planBatches } from './streamPlan';
import { batchBuffers, isToWorker, type FromWorker, type ToWorker, type WorkerJob } from './workerMessages';

interface Stream {
  credits: number;
  cancelled: boolean;
  wake: (() => void) | null;
}

const port = parentPort;
if (!port) throw new Error('dataWorker.js runs as a worker thread (new Worker), not on its own');
const job = workerData as WorkerJob;
const streams = new Map<number, Stream>();
const post = (message: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const failure = (id: number, e: unknown): FromWorker => {
  const user = e instanceof UserError;
  return { type: 'error', id, message: (e as Error).message ?? String(e), hint: user ? e.hint : null, user };
};

if (job.job === 'csvScan') {
  scanCsv(job.options).then((scan) => post({ type: 'scanned', id: 0, scan }), (e) => post(failure(0, e)));
}

port.on('message', (message: unknown) => {
  if (!isToWorker(message)) return;
  const m: ToWorker = message;
  if (m.type === 'open') {
    const stream: Stream = { credits: m.depth, cancelled: false, wake: null };
    streams.set(m.id, stream);
    if (job.job === 'stream') void run(m.id, stream, planBatches(job.plan, m.request));
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
    post(failure(id, e));
  } finally {
    streams.delete(id);
  }
}
