// A trainer whose parent is gone must not live on. The 'disconnect' event needs a free event loop,
// and the user's code may block it for ever (a model() that loops), so a worker thread, with its own
// event loop, polls the parent and kills this whole process once the parent has died. It watches the
// parent only, never progress: a slow step or a paused run is left alone.
import { Worker } from 'node:worker_threads';

/** How often the worker looks at the parent. */
export const WATCH_INTERVAL_MS = 500;

// Plain JavaScript run by the worker (eval'd: no file of its own in the bundle). A dead parent shows
// as a changed ppid (its children are handed to init or a subreaper); kill(pid, 0) covers the rest.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
function parentGone() {
  if (process.ppid !== workerData.parent) return true;
  try { process.kill(workerData.parent, 0); return false; } catch (e) { return e.code === 'ESRCH'; }
}
setInterval(() => { if (parentGone()) process.kill(process.pid, 'SIGKILL'); }, workerData.intervalMs);
`;

/** Starts the watchdog thread; it never keeps the process alive by itself. */
export function watchParent(intervalMs = WATCH_INTERVAL_MS): void {
  const parent = process.ppid;
  if (parent <= 1) return; // started without a parent to watch (already orphaned, or as init's child)
  const worker = new Worker(WATCHDOG_SOURCE, { eval: true, workerData: { parent, intervalMs } });
  worker.unref();
}
