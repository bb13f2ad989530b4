// Our SIMD loops on more than one thread. tfjs-wasm's threaded build keeps its heap in a shared
// WebAssembly.Memory; Node worker_threads instantiate our module on that same memory and run chunks of
// calls handed over through shared memory (Atomics.wait / notify, no messages per call), claimed one at a
// time by them and by the calling thread. Kernels split work by output (images, taps, transformed
// matrices), never a sum across threads, so results are bit-for-bit those of one thread.
import { Worker } from 'node:worker_threads';
import { simdKernels, simdModule, type FunctionName } from './wasmSimd';

/** One call of an exported SIMD function: its name and arguments (byte offsets, counts, floats). */
export type SimdCall = readonly [FunctionName, ...number[]];

/** Float64 words for one job's calls: the chunk count, each chunk's start, then (name index, argument count, arguments)… */
const JOB_WORDS = 65536;
/** Int32 words of the control block: the job's sequence number (what workers wait on), chunks done by workers, failures… */
const SEQ = 0;
const DONE = 1;
const FAILED = 2;
/** Chunks the workers have run since the pool started (kernelThreadsWork). */
const WORKED = 3;
/** Chunks per job at most (the claim word keeps the count and the next chunk in 16 bits each). */
const MAX_CHUNKS = 4096;
/** A worker that does not finish its chunk in this long is taken as dead (its error cannot reach a blocked thread). */
const HANG_MS = 60_000;
/** Polls of the done count before the calling thread blocks on it (waking from a block costs tens of µs in a VM). */
const SPIN_POLLS = 20_000;

// A job's chunks are claimed through one 64-bit word, (sequence number, chunk count, next chunk), by the
// calling thread and by any worker awake to take one: a worker claims with compare-and-swap, so it never
// takes a chunk of a job other than the one it read, and the calling thread waits only for chunks a
// worker has claimed, never for a worker to wake up (in a VM that can take 50–100 µs, longer than many
// jobs). A thread the OS keeps waiting leaves its share to the others.
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, claimWord, calls, names } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => instance.exports[n]);
const flags = new Int32Array(control);
const claim = new BigInt64Array(claimWord);
const words = new Float64Array(calls);
// Calls with up to 16 arguments without spreading a subarray (several times the cost of a small call).
const runCall = (p) => {
  const f = fns[words[p]];
  const n = words[p + 1];
  const a = p + 2;
  if (n <= 16 && n >= f.length) {
    f(words[a], words[a + 1], words[a + 2], words[a + 3], words[a + 4], words[a + 5], words[a + 6], words[a + 7], words[a + 8], words[a + 9], words[a + 10],
      words[a + 11], words[a + 12], words[a + 13], words[a + 14], words[a + 15]);
  }
  else f(...words.subarray(a, a + n));
  return a + n;
};
let seen = 0;
for (;;) {
  Atomics.wait(flags, ${SEQ}, seen);
  seen = Atomics.load(flags, ${SEQ});
  for (;;) {
    const v = Atomics.load(claim, 0);
    const k = Number(v & 0xffffn);
    if (Number(v >> 32n) !== seen || k >= Number((v >> 16n) & 0xffffn)) break;
    if (Atomics.compareExchange(claim, 0, v, v + 1n) !== v) continue;
    try {
      for (let p = words[1 + k]; p < words[2 + k];) p = runCall(p);
    } catch {
      Atomics.add(flags, ${FAILED}, 1);
    }
    Atomics.add(flags, ${WORKED}, 1);
    Atomics.add(flags, ${DONE}, 1);
    Atomics.notify(flags, ${DONE});
  }
}`;

interface Pool {
  memory: WebAssembly.Memory;
  workers: Worker[];
  flags: Int32Array;
  claim: BigInt64Array;
  calls: Float64Array;
  seq: number;
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
  const control = new SharedArrayBuffer(4 * 4);
  const claimWord = new SharedArrayBuffer(8);
  const calls = new SharedArrayBuffer(8 * JOB_WORDS);
  const workers = Array.from({ length: wanted - 1 }, () => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: found.module, memory: found.memory, control, claimWord, calls, names } });
    worker.unref(); // waiting for work must not keep the process alive
    // A worker that cannot start (no structured clone of the module, say): from then on all runs here.
    worker.on('error', () => setKernelThreads(1));
    return worker;
  });
  pool = { memory: found.memory, workers, flags: new Int32Array(control), claim: new BigInt64Array(claimWord), calls: new Float64Array(calls), seq: 0 };
  return pool;
}

/** Threads `backend`'s kernels run on now: the pool's size on a shared heap, else 1. */
export function kernelThreads(backend: unknown): number {
  const p = poolFor(backend);
  return p ? p.workers.length + 1 : 1;
}

/** Chunks the pool's worker threads (not the calling one) have run since it started: 0 without a pool. */
export function kernelThreadsWork(): number {
  return pool ? Atomics.load(pool.flags, WORKED) : 0;
}

/** Writes the chunks as one job (see JOB_WORDS); false when they do not fit. */
function writeJob(words: Float64Array, chunks: readonly (readonly SimdCall[])[]): boolean {
  let p = chunks.length + 2;
  words[0] = chunks.length;
  for (let k = 0; k < chunks.length; k++) {
    words[1 + k] = p;
    for (const [name, ...args] of chunks[k]) {
      if (p + 2 + args.length > words.length) return false;
      words[p] = names.indexOf(name);
      words[p + 1] = args.length;
      words.set(args, p + 2);
      p += 2 + args.length;
    }
  }
  words[1 + chunks.length] = p;
  return true;
}

/**
 * Runs every chunk of calls once, on whichever thread claims it first (this one included), and
 * returns when all are done. Chunks must write disjoint memory; the calls of a chunk run in order.
 */
export function runOnThreads(backend: unknown, chunks: readonly (readonly SimdCall[])[]): void {
  const simd = simdKernels(backend);
  if (!simd) throw new Error('our SIMD kernels are not available on this backend');
  const p = chunks.length > 1 && chunks.length <= MAX_CHUNKS ? poolFor(backend) : null;
  if (!p || !writeJob(p.calls, chunks)) {
    for (const chunk of chunks) for (const [name, ...args] of chunk) simd[name](...args);
    return;
  }
  // The previous job's claim word is closed (its next chunk ≥ its count), so no worker reads the calls
  // just written until the word below opens this job.
  p.seq = (p.seq + 1) & 0x7fffffff;
  Atomics.store(p.flags, DONE, 0);
  Atomics.store(p.flags, FAILED, 0);
  Atomics.store(p.claim, 0, (BigInt(p.seq) << 32n) | (BigInt(chunks.length) << 16n));
  Atomics.store(p.flags, SEQ, p.seq);
  Atomics.notify(p.flags, SEQ);
  let failure: unknown = null;
  let mine = 0;
  for (;;) {
    const k = Number(Atomics.add(p.claim, 0, 1n) & 0xffffn);
    if (k >= chunks.length) break; // the job is closed: every chunk is claimed
    mine++;
    if (failure) continue; // claimed and skipped: the workers still run what they took
    try {
      for (const [name, ...args] of chunks[k]) simd[name](...args);
    } catch (e) {
      failure = e;
    }
  }
  // Only the chunks a worker claimed are left to wait for.
  const theirs = chunks.length - mine;
  for (let polls = 0; polls < SPIN_POLLS && Atomics.load(p.flags, DONE) < theirs; polls++);
  const deadline = Date.now() + HANG_MS;
  for (let done = Atomics.load(p.flags, DONE); done < theirs; done = Atomics.load(p.flags, DONE)) {
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

/** Chunks a kernel cuts its work into: a few per thread, so a thread held up by the OS costs little. */
export function kernelChunks(backend: unknown): number {
  const threads = kernelThreads(backend);
  return threads === 1 ? 1 : threads * CHUNKS_PER_THREAD;
}
const CHUNKS_PER_THREAD = 4;

/**
 * One call per consecutive range of `count` items (images, rows, vectors), kernelChunks ranges but none
 * under `minPerChunk` items (handing over a chunk costs more than a small loop): `callFor(start, end)`
 * builds the call for items start..end−1. Runs them and returns when all are done.
 */
export function runSplit(backend: unknown, count: number, callFor: (start: number, end: number) => SimdCall, minPerChunk = 1): void {
  const chunks = Math.min(kernelChunks(backend), Math.max(1, Math.floor(count / minPerChunk)));
  runOnThreads(backend, splitRange(count, chunks).map(([start, end]) => [callFor(start, end)]));
}

/** Vectors of 4 floats below which an elementwise loop is not cut further. */
export const MIN_VECTORS_PER_CHUNK = 8192;

/**
 * An element-wise SIMD loop `name(…bases, bytes)` (each base a tensor's byte offset, the output's
 * last) over the whole vectors of `count` floats, split over the threads. Returns the index from
 * which the caller does the last 0–3 floats.
 */
export function runVectors(backend: unknown, name: FunctionName, bases: readonly number[], count: number): number {
  const whole = count - (count % 4);
  if (whole > 0) runSplit(backend, whole / 4, (v0, v1) => [name, ...bases.map((b) => b + 16 * v0), 16 * (v1 - v0)], MIN_VECTORS_PER_CHUNK);
  return whole;
}
