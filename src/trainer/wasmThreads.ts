// tfjs-wasm's threaded build under Node, so XNNPACK's thread pool runs. tfjs turns wasm threads off
// under Node and would start the pthread workers from Blob URLs, which worker_threads refuses; we
// call the threaded build's factory ourselves with the worker script written to a real file, and
// register the result as the `wasm` backend (its kernels, and ours, stay registered by name).
// It leans on files inside @tensorflow/tfjs-backend-wasm, whose version package.json pins.
import * as fs from 'node:fs';
import * as os from 'node:os';
import nodeOs = require('node:os');
import * as path from 'node:path';
import { fusedMultiplyAdd, setKernelThreads } from '@model-lens/tfjs-training-kernels';
import * as tf from '@tensorflow/tfjs';
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { withoutAddedProcessHandlers } from './wasmProcessHandlers';

const THREADED = 'tfjs-backend-wasm-threaded-simd';

/**
 * Threads for the wasm backend: `asked` when ≥ 1 (1 is tfjs's single-threaded build); unset or `0`
 * means all cores on a machine of two or fewer, else all but one for the editor (the trainer runs
 * below normal priority).
 */
export function wasmThreadCount(cores: number, asked: number | undefined): number {
  if (asked !== undefined && asked >= 1) return Math.floor(asked);
  return cores <= 2 ? Math.max(1, cores) : cores - 1;
}

/** Next to the bundle (the build copies them), else in node_modules. */
function threadedFile(name: string): string {
  const beside = path.join(__dirname, name);
  if (fs.existsSync(beside)) return beside;
  const inPackage = name.endsWith('.wasm') ? `@tensorflow/tfjs-backend-wasm/dist/${name}` : `@tensorflow/tfjs-backend-wasm/wasm-out/${name}`;
  return require.resolve(inPackage);
}

/** The pthread worker's script as a file (tfjs carries it as a string and would make a Blob URL of it). */
function workerScript(): string {
  const target = path.join(os.tmpdir(), `model-lens-${THREADED}-${tf.version_core}.worker.js`);
  if (fs.existsSync(target)) return target;
  const { wasmWorkerContents } = require(threadedFile(`${THREADED}.worker.js`)) as { wasmWorkerContents: string };
  const partial = `${target}.${process.pid}`;
  fs.writeFileSync(partial, wasmWorkerContents.replace(/\n/g, '\\n')); // as tfjs escapes it for its Blob
  fs.renameSync(partial, target);
  return target;
}

interface PthreadWorker {
  ref(): void;
  unref(): void;
}

interface ThreadedModule {
  PThread?: { unusedWorkers: PthreadWorker[]; runningWorkers: PthreadWorker[]; allocateUnusedWorker(): void };
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => number;
  asm: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
  tfjs?: unknown;
}

type Factory = (config: Record<string, unknown>) => Promise<ThreadedModule>;

/**
 * XNNPACK's pool threads run for the life of the process, and the glue refs their workers when they
 * start: the process would never exit by itself. They are unref'd for good (they exit with it).
 */
function keepWorkersFromHoldingTheProcess(module: ThreadedModule): void {
  const pthreads = module.PThread;
  if (!pthreads) return;
  const loosen = (w: PthreadWorker) => {
    w.unref();
    w.ref = () => undefined;
  };
  [...pthreads.unusedWorkers, ...pthreads.runningWorkers].forEach(loosen);
  const allocate = pthreads.allocateUnusedWorker.bind(pthreads);
  pthreads.allocateUnusedWorker = () => {
    allocate();
    loosen(pthreads.unusedWorkers[pthreads.unusedWorkers.length - 1]);
  };
}

/**
 * Which pool gets the threads: ours (our kernels split their loops over it, the matrix products
 * included) or XNNPACK's (its own kernels). One at a time: a pool's threads spin while they wait for
 * work, and two pools on the same cores slow each other down (npm run bench: with our pool beside
 * XNNPACK's the MLP ran slower than on XNNPACK's alone). Ours when our loops fuse their multiply-adds
 * (then the products run as ours, not XNNPACK's); MODEL_LENS_KERNEL_THREADS=1 gives XNNPACK the
 * threads, a larger number caps ours.
 */
export function threadPools(threads: number, fused: boolean, env: NodeJS.ProcessEnv = process.env): { ours: number; xnnpack: number } {
  const asked = Number(env.MODEL_LENS_KERNEL_THREADS);
  const ours = env.MODEL_LENS_KERNEL_THREADS && Number.isInteger(asked) && asked >= 1 ? Math.min(asked, threads) : fused ? threads : 1;
  return { ours, xnnpack: ours > 1 ? 1 : threads };
}

let started: number | null = null;

/** Threads the wasm backend runs on once startThreadedWasm succeeded, else null (tfjs's own single-threaded build). */
export function wasmThreads(): number | null {
  return started;
}

/**
 * Registers the threaded build as the `wasm` backend with `threads` threads; null when done, else
 * why not (the stock single-threaded build then stays registered).
 */
export async function startThreadedWasm(threads: number): Promise<string | null> {
  if (started !== null) return null;
  if (typeof SharedArrayBuffer === 'undefined') return 'no SharedArrayBuffer in this runtime';
  // Swapping the module under a running backend aborts inside the wasm (its tensors live on the old heap).
  if (tf.findBackend('wasm')) return 'the single-threaded build already runs in this process';
  const jsFile = threadedFile(`${THREADED}.js`);
  const worker = workerScript();
  const wasmFile = threadedFile(`${THREADED}.wasm`);
  const pools = threadPools(threads, fusedMultiplyAdd());
  // The build starts its workers from os.cpus() (half the logical cores): it is told the count XNNPACK gets.
  const cpus = nodeOs.cpus;
  const realCpus = cpus();
  nodeOs.cpus = () => Array.from({ length: pools.xnnpack * 2 }, (_, i) => realCpus[i % realCpus.length]);
  try {
    // The glue's process handlers rethrow whatever reaches them; the trainer keeps its own.
    const module = await withoutAddedProcessHandlers(() => (require(jsFile) as Factory)({
      mainScriptUrlOrBlob: jsFile,
      locateFile: (file: string) => (file.endsWith('.worker.js') ? worker : file.endsWith('.wasm') ? wasmFile : path.join(path.dirname(jsFile), file)),
    }));
    keepWorkersFromHoldingTheProcess(module);
    // The heap is imported, not exported, in this build (and exports are frozen): our kernels look for it here.
    if (!module.asm.memory) module.asm = { ...module.asm, memory: module.wasmMemory };
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    setThreadsCount(pools.xnnpack);
    const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', () => backend, 2);
    setKernelThreads(pools.ours);
    started = threads;
    return null;
  } catch (e) {
    return ((e as Error).message ?? String(e)).split('\n')[0];
  } finally {
    nodeOs.cpus = cpus;
  }
}
