import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { registerTrainingKernels } from '@model-lens/tfjs-training-kernels';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BACKEND_NAMES, type BackendName } from '../protocol/messages';
import { usableTfjsNode } from './tfjsNodeLocation';
import { enableRelaxedSimd } from './relaxedSimd';
import { guardWasmStart } from './wasmProcessHandlers';
import { startThreadedWasm, wasmThreadCount, wasmThreads } from './wasmThreads';
import { startWebgpu, webgpuAdapterName } from './webgpuBackend';

export interface BackendChoice {
  backend: BackendName;
  reason: string;
}

/** The backends `auto` tries, fastest first: tfjs-node, a GPU through WebGPU, wasm, cpu. */
export const BACKEND_ORDER: readonly BackendName[] = BACKEND_NAMES;

/** Where the wasm binaries are: next to the bundle (the build copies them), else in node_modules. */
function wasmDirectory(): string {
  if (fs.existsSync(path.join(__dirname, 'tfjs-backend-wasm-simd.wasm'))) return __dirname + path.sep;
  const wasmFile = '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'; // resolved at run time
  return path.dirname(require.resolve(wasmFile)) + path.sep;
}

/** Where a backend is looked for, and how it runs. */
export interface BackendSearch {
  /** tfjs-node: in the node_modules above this folder, then globally. */
  searchFrom?: string;
  /** wasm's threads (TrainRequest.threads); else MODEL_LENS_WASM_THREADS, else 0 (all cores, or all but one). */
  threads?: number;
}

let tfjsNodeIn = '';
let searchOfThisProcess: BackendSearch = {};
let wasmSingleThreadWhy: string | null = null;

function backendDetail(name: BackendName): string {
  if (name === 'webgpu') return ` on ${webgpuAdapterName()}`;
  if (name === 'tensorflow') return ` from ${tfjsNodeIn}`;
  if (name !== 'wasm') return '';
  const threads = wasmThreads();
  return threads ? ` (${threads} threads)` : wasmSingleThreadWhy ? ` (one thread: ${wasmSingleThreadWhy})` : '';
}

function threadsFromEnv(): number | undefined {
  const n = Number(process.env.MODEL_LENS_WASM_THREADS);
  return process.env.MODEL_LENS_WASM_THREADS && Number.isInteger(n) && n >= 0 ? n : undefined;
}

async function tryBackend(name: BackendName, byName: boolean, search: BackendSearch): Promise<string | null> {
  try {
    if (name === 'webgpu') return await startWebgpu(byName);
    if (name === 'tensorflow') {
      // Optional and the user's: its install downloads libtensorflow, which fails offline and on some
      // platforms. tfjs keeps one engine per process (a global), so the native backend registers into ours.
      const found = usableTfjsNode(search.searchFrom ?? process.cwd(), tf.version_core);
      if (!found.usable) return found.reason;
      require(found.usable.dir);
      tfjsNodeIn = found.usable.dir;
    }
    if (name === 'wasm') {
      enableRelaxedSimd();
      setWasmPaths(wasmDirectory());
      const threads = wasmThreadCount(os.cpus().length, search.threads ?? threadsFromEnv());
      wasmSingleThreadWhy = threads > 1 ? await startThreadedWasm(threads) : null;
    }
    if (!(await tf.setBackend(name))) return `the ${name} backend failed to initialise`;
    await tf.ready();
    registerTrainingKernels(name); // wasm and cpu: the kernels training needs or runs faster with
    return null;
  } catch (e) {
    return ((e as Error).message ?? String(e)).split('\n')[0];
  }
}

/**
 * The fastest backend that works (BACKEND_ORDER), or the one asked for (else its failure is thrown).
 * `reason` says what was tried and why it was passed over.
 */
export async function chooseBackend(requested: BackendName | 'auto' = 'auto', skip: BackendName[] = [], asked: BackendSearch = {}): Promise<BackendChoice> {
  tf.env().set('PROD', true); // no "install tfjs-node" banner, no debug checks
  // Before anything starts wasm (this choice, a fallback, a script's own tf.setBackend('wasm')).
  guardWasmStart();
  // A fallback later in the run (a missing kernel, a lost GPU) looks where the run's first choice did.
  const search = { ...searchOfThisProcess, ...asked };
  searchOfThisProcess = search;
  const candidates = requested === 'auto' ? BACKEND_ORDER.filter((b) => !skip.includes(b)) : [requested];
  const passed: string[] = [];
  for (const name of candidates) {
    const failure = await tryBackend(name, requested !== 'auto', search);
    if (failure === null) {
      const on = backendDetail(name);
      const why = requested === 'auto'
        ? (passed.length ? `${passed.join('; ')}; using ${name}${on}` : `${name}${on} is the fastest backend available`)
        : `${name}${on} was requested`;
      return { backend: name, reason: why };
    }
    if (requested !== 'auto') throw new Error(failure);
    passed.push(`${name}: ${failure}`);
  }
  throw new Error(`no tfjs backend could start (${passed.join('; ')})`);
}

/**
 * Runs `attempt` (one training step) on `choice`. When the backend was chosen automatically and lacks
 * a kernel the step needs, the next backend in BACKEND_ORDER takes over, so the run falls back
 * instead of crashing; the returned choice says why.
 */
export async function backendThatRuns(choice: BackendChoice, requested: BackendName | 'auto' | undefined,
  attempt: () => Promise<void>): Promise<BackendChoice> {
  const tried: BackendName[] = [];
  let current = choice;
  for (;;) {
    try {
      await attempt();
      return current;
    } catch (e) {
      const message = (e as Error).message ?? String(e);
      // A GPU can fail in ways a CPU backend cannot (driver, shader compiler, lost device): any error falls back.
      const kernelProblem = /not registered|not yet implemented|not supported/i.test(message) || current.backend === 'webgpu';
      if (!kernelProblem || (requested && requested !== 'auto') || current.backend === 'cpu') throw e;
      tried.push(current.backend);
      const next = await chooseBackend('auto', [...BACKEND_ORDER.slice(0, BACKEND_ORDER.indexOf(current.backend)), ...tried]);
      current = { backend: next.backend, reason: `${current.reason}; a training step failed on ${current.backend} (${message.split('\n')[0]}), so ${next.backend} runs it` };
    }
  }
}
