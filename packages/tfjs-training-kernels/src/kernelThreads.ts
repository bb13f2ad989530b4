// Our SIMD loops on more than one thread. tfjs-wasm's threaded build keeps its heap in a shared
// WebAssembly.Memory; Node worker_threads instantiate our module on that same memory and run lists of
// calls handed over through a shared control block (Atomics.wait / notify, no messages per call), while
// the calling thread runs the first list itself. Kernels split work by output (images, taps, transformed
// matrices), never a sum across threads, so results are bit-for-bit those of one thread.
import { Worker } from 'node:worker_threads';
import { simdKernels, simdModule, type FunctionName } from './wasmSimd';

/** One call of an exported SIMD function: its name and arguments (byte offsets, counts, floats). */
export type SimdCall = readonly [FunctionName, ...number[]];

/** Float64 words per worker for its calls (name index, argument count, arguments). */
const SLOT_WORDS = 16384;
/** Int32 words of the control block: per worker its sequence number, then done and failed counters. */
const DONE = 0;
const FAILED = 1;
const SEQ = 2;
/** A worker that does not finish in this long is taken as dead (its error cannot reach a blocked thread). */
const HANG_MS = 60_000;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, calls, names, index, slotWords } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => instance.exports[n]);
const flags = new Int32Array(control);
const words = new Float64Array(calls, index * slotWords * 8, slotWords);
let seen = 0;
for (;;) {
  Atomics.wait(flags, ${SEQ} + index, seen);
  seen = Atomics.load(flags, ${SEQ} + index);
  try {
    for (let p = 1, k = 0; k < words[0]; k++) {
      const argc = words[p + 1];
      fns[words[p]](...words.subarray(p + 2, p + 2 + argc));
      p += 2 + argc;
    }
  } catch {
    Atomics.add(flags, ${FAILED}, 1);
  }
  Atomics.add(flags, ${DONE}, 1);
  Atomics.notify(flags, ${DONE});
}`;

interface Pool {
  memory: WebAssembly.Memory;
  workers: Worker[];
  flags: Int32Array;
  calls: Float64Array;
}

let wanted = 1;
let pool: Pool | null = null;
let names: FunctionName[] = [];

/**
 * Threads our kernels split their work over (the calling one included); the trainer sets the wasm
 * backend's thread count. 1 runs everything on the calling thread; the pool starts on first use.
 */
export function setKernelThreads(threads: number): void {
  wanted = Math.max(1, Math.floor(threads));
  if (pool && pool.workers.length !== wanted - 1) {
    for (const w of pool.workers) void w.terminate();
    pool = null;
  }
}

function poolFor(backend: unknown): Pool | null {
  if (wanted <= 1 || typeof SharedArrayBuffer === 'undefined') return null;
  const found = simdModule(backend);
  if (!found || !(found.memory.buffer instanceof SharedArrayBuffer)) return null;
  if (pool?.memory === found.memory) return pool;
  if (pool) for (const w of pool.workers) void w.terminate();
  names = WebAssembly.Module.exports(found.module).map((e) => e.name as FunctionName);
  const control = new SharedArrayBuffer(4 * (SEQ + wanted));
  const calls = new SharedArrayBuffer(8 * SLOT_WORDS * wanted);
  const workers = Array.from({ length: wanted - 1 }, (_, k) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: found.module, memory: found.memory, control, calls, names, index: k + 1, slotWords: SLOT_WORDS },
    });
    worker.unref(); // waiting for work must not keep the process alive
    // A worker that cannot start (no structured clone of the module, say): from then on all runs here.
    worker.on('error', () => setKernelThreads(1));
    return worker;
  });
  pool = { memory: found.memory, workers, flags: new Int32Array(control), calls: new Float64Array(calls) };
  return pool;
}

/** Threads `backend`'s kernels run on now: the pool's size on a shared heap, else 1. */
export function kernelThreads(backend: unknown): number {
  const p = poolFor(backend);
  return p ? p.workers.length + 1 : 1;
}

/** Writes `list` into a worker's slot; false when it does not fit. */
function writeSlot(words: Float64Array, list: readonly SimdCall[]): boolean {
  let p = 1;
  for (const [name, ...args] of list) {
    if (p + 2 + args.length > words.length) return false;
    words[p] = names.indexOf(name);
    words[p + 1] = args.length;
    words.set(args, p + 2);
    p += 2 + args.length;
  }
  words[0] = list.length;
  return true;
}

/**
 * Runs lists[k] on thread k (lists[0] on this one) and returns when all are done. Lists must write
 * disjoint memory. Lists beyond the pool's threads, or too long for a slot, run here after lists[0].
 */
export function runOnThreads(backend: unknown, lists: readonly (readonly SimdCall[])[]): void {
  const simd = simdKernels(backend);
  if (!simd) throw new Error('our SIMD kernels are not available on this backend');
  const p = poolFor(backend);
  const here: (readonly SimdCall[])[] = [lists[0] ?? []];
  let sent = 0;
  if (p) {
    Atomics.store(p.flags, DONE, 0);
    Atomics.store(p.flags, FAILED, 0);
    for (let k = 1; k < lists.length; k++) {
      const worker = k - 1;
      const words = p.calls.subarray((worker + 1) * SLOT_WORDS, (worker + 2) * SLOT_WORDS);
      if (worker < p.workers.length && lists[k].length > 0 && writeSlot(words, lists[k])) {
        Atomics.add(p.flags, SEQ + worker + 1, 1);
        Atomics.notify(p.flags, SEQ + worker + 1);
        sent++;
      } else {
        here.push(lists[k]);
      }
    }
  } else {
    here.push(...lists.slice(1));
  }
  let failure: unknown = null;
  try {
    for (const list of here) for (const [name, ...args] of list) simd[name](...args);
  } catch (e) {
    failure = e; // the workers still write to the heap: wait for them before giving up
  }
  if (!p) {
    if (failure) throw failure;
    return;
  }
  const deadline = Date.now() + HANG_MS;
  for (let done = Atomics.load(p.flags, DONE); done < sent; done = Atomics.load(p.flags, DONE)) {
    if (Atomics.wait(p.flags, DONE, done, Math.max(1, deadline - Date.now())) === 'timed-out' && Date.now() >= deadline) {
      throw new Error('a kernel thread did not finish its work');
    }
  }
  if (failure) throw failure;
  if (Atomics.load(p.flags, FAILED) > 0) throw new Error('a kernel thread failed (a SIMD loop trapped)');
}

/** [start, end) of `parts` near-equal consecutive pieces of 0..count (empty pieces left out). */
export function splitRange(count: number, parts: number): [number, number][] {
  const pieces: [number, number][] = [];
  const n = Math.max(1, Math.min(parts, count));
  for (let k = 0; k < n; k++) {
    const start = Math.floor((count * k) / n);
    const end = Math.floor((count * (k + 1)) / n);
    if (end > start) pieces.push([start, end]);
  }
  return pieces;
}

/** `items` in `parts` consecutive lists of near-equal length (fewer when there are fewer items). */
export function spread<T>(items: readonly T[], parts: number): T[][] {
  return splitRange(items.length, parts).map(([start, end]) => items.slice(start, end));
}

/**
 * One call per consecutive range of `count` items (images, rows, vectors), one range per thread of
 * `backend` but no range under `minPerThread` items (waking a thread costs more than a small loop):
 * `callFor(start, end)` builds the call for items start..end−1. Runs them and returns when all are done.
 */
export function runSplit(backend: unknown, count: number, callFor: (start: number, end: number) => SimdCall, minPerThread = 1): void {
  const threads = Math.min(kernelThreads(backend), Math.max(1, Math.floor(count / minPerThread)));
  runOnThreads(backend, splitRange(count, threads).map(([start, end]) => [callFor(start, end)]));
}

/** Vectors of 4 floats below which an elementwise loop stays on one thread. */
export const MIN_VECTORS_PER_THREAD = 16384;
